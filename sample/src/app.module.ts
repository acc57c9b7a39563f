import { Module } from '@nestjs/common';
import { CacheModule } from 'nestjs-cachekit';
import { ProductsController } from './products.controller';
import { ProductsService } from './products.service';

@Module({
  imports: [
    CacheModule.forRoot({
      isGlobal: true,
      prefix: 'sample',
      ttl: '5m',
      stores: { memory: { driver: 'memory', maxEntries: 10_000 } },
    }),
  ],
  controllers: [ProductsController],
  providers: [ProductsService],
})
export class AppModule {}
