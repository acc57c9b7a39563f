import { Module } from '@nestjs/common';
import { ConfigModule, ConfigService } from '@nestjs/config';
import { TerminusModule } from '@nestjs/terminus';
import { CacheModule } from 'nestjs-cachekit';
import { CacheAdminModule } from 'nestjs-cachekit/admin';
import { CacheHealthIndicator } from 'nestjs-cachekit/health';
import { AdminTokenGuard } from './admin.guard';
import { cacheOptions } from './cache.config';
import { MetricsController } from './metrics.controller';
import { OpsController } from './ops.controller';
import { ProductsController } from './products.controller';
import { ProductsService } from './products.service';
import { UsersController, UsersService } from './users.controller';

@Module({
  imports: [
    ConfigModule.forRoot({ isGlobal: true }),
    TerminusModule,
    CacheModule.forRootAsync({
      isGlobal: true,
      inject: [ConfigService],
      useFactory: cacheOptions,
    }),
    // The dashboard at /_cache (open /_cache?token=dev-admin-token locally; see admin.guard.ts).
    CacheAdminModule.forRoot({ guards: [AdminTokenGuard], readOnly: process.env.CACHE_ADMIN_READONLY === 'true' }),
  ],
  controllers: [ProductsController, UsersController, OpsController, MetricsController],
  providers: [ProductsService, UsersService, CacheHealthIndicator],
})
export class AppModule {}
