import { Injectable } from '@nestjs/common';
import { Cacheable, CacheService, CacheTags } from 'nestjs-cachekit';

export interface Product {
  id: number;
  name: string;
}

/** Counts how often each "database" call runs, so the smoke test can see what the cache saved. */
@Injectable()
export class ProductsService {
  readonly calls = { find: 0, price: 0, summary: 0 };

  constructor(private readonly cache: CacheService) {}

  /** `remember` with tags, through `CacheService`. */
  find(id: number): Promise<Product> {
    return this.cache.tags(['products', `product:${id}`]).remember(`product:${id}`, '1m', () => {
      this.calls.find++;
      return { id, name: `Product ${id}` };
    });
  }

  /** A decorated provider method. */
  @Cacheable({ key: 'price:{0}', ttl: '1m' })
  @CacheTags(['product:{0}'])
  async price(id: number): Promise<{ id: number; price: number }> {
    this.calls.price++;
    return { id, price: id * 10 };
  }

  /** Evicts every entry tagged with this product: the remembered one, the price and the HTTP response. */
  async update(id: number): Promise<void> {
    await this.cache.tags(`product:${id}`).flush();
  }
}
