import { Module } from '@nestjs/common';
import { ConfigModule, ConfigService } from '@nestjs/config';
import { TerminusModule } from '@nestjs/terminus';
import { CacheModule } from 'nestjs-cachekit';
import { CacheHealthIndicator } from 'nestjs-cachekit/health';
import { cacheOptions } from './cache.config';
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
  ],
  controllers: [ProductsController, UsersController, OpsController],
  providers: [ProductsService, UsersService, CacheHealthIndicator],
})
export class AppModule {}
