import { Controller, Get, Inject, Param, ParseIntPipe, Put } from '@nestjs/common';
import { ProductsService, type Product } from './products.service';

@Controller('products')
export class ProductsController {
  constructor(@Inject(ProductsService) private readonly products: ProductsService) {}

  @Get(':id')
  find(@Param('id', ParseIntPipe) id: number): Promise<Product> {
    return this.products.find(id);
  }

  @Put(':id')
  async update(@Param('id', ParseIntPipe) id: number): Promise<{ updated: number }> {
    await this.products.update(id);
    return { updated: id };
  }

  @Get()
  stats(): { databaseLoads: number } {
    return { databaseLoads: this.products.loads };
  }
}
