import { Controller, Get, Inject, Param, ParseIntPipe, Put } from '@nestjs/common';
import { Cacheable, CacheTags } from 'nestjs-cachekit';
import { ProductsService, type Product } from './products.service.js';

@Controller('products')
export class ProductsController {
  constructor(@Inject(ProductsService) private readonly products: ProductsService) {}

  @Get('calls')
  calls(): ProductsService['calls'] {
    return this.products.calls;
  }

  @Get(':id')
  find(@Param('id', ParseIntPipe) id: number): Promise<Product> {
    return this.products.find(id);
  }

  @Get(':id/price')
  price(@Param('id', ParseIntPipe) id: number): Promise<{ id: number; price: number }> {
    return this.products.price(id);
  }

  /** A cached HTTP response (the decorators attach the interceptor themselves). */
  @Get(':id/summary')
  @Cacheable({ ttl: '1m' })
  @CacheTags(['product:{params.id}'])
  summary(@Param('id', ParseIntPipe) id: number): { id: number; call: number } {
    return { id, call: ++this.products.calls.summary };
  }

  @Put(':id')
  async update(@Param('id', ParseIntPipe) id: number): Promise<{ updated: number }> {
    await this.products.update(id);
    return { updated: id };
  }
}
