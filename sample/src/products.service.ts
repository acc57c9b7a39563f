import { Injectable } from '@nestjs/common';
import { CacheService } from 'nestjs-cachekit';

export interface Product {
  id: number;
  name: string;
  price: number;
  loadedAt: string;
}

/** Pretends to be a slow database. */
@Injectable()
export class ProductsService {
  loads = 0;

  constructor(private readonly cache: CacheService) {}

  /** Cached for 30 s; concurrent requests for one product hit the "database" once. */
  find(id: number): Promise<Product> {
    return this.cache.tags(['products', `product:${id}`]).remember(`product:${id}`, '30s', async () => {
      this.loads++;
      await new Promise((resolve) => setTimeout(resolve, 200));
      return { id, name: `Product ${id}`, price: 10 * id, loadedAt: new Date().toISOString() };
    });
  }

  /** Invalidates every cached entry of one product. */
  async update(id: number): Promise<void> {
    await this.cache.tags(`product:${id}`).flush();
  }
}
