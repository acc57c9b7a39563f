import { Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { CacheModule } from 'nestjs-cachekit';
import { CacheHealthIndicator } from 'nestjs-cachekit/health';
import { OpsController } from './ops.controller';
import { ProductsController } from './products.controller';
import { ProductsService } from './products.service';

@Module({
  imports: [
    TerminusModule,
    CacheModule.forRoot({
      isGlobal: true,
      prefix: 'sample',
      ttl: '5m',
      stores: { memory: { driver: 'memory', maxEntries: 10_000 } },
    }),
  ],
  controllers: [ProductsController, OpsController],
  providers: [ProductsService, CacheHealthIndicator],
})
export class AppModule {}
