// The README's "Testing your app" example, run in CI as it is printed there.
import { Inject, Injectable } from '@nestjs/common';
import { Test, type TestingModule } from '@nestjs/testing';
import { Cacheable, CacheEvict, CacheService } from 'nestjs-cachekit';
import { CacheTestingModule, FakeCache, ManualClock } from 'nestjs-cachekit/testing';

// --- the app's code -------------------------------------------------------------------------

interface Product {
  id: number;
  name: string;
}

@Injectable()
export class ProductsRepository {
  queries = 0;
  async find(id: number): Promise<Product> {
    this.queries++;
    return { id, name: `Product ${id}` };
  }
}

@Injectable()
export class ProductsService {
  constructor(
    @Inject(ProductsRepository) private readonly repo: ProductsRepository,
    @Inject(CacheService) private readonly cache: CacheService,
  ) {}

  @Cacheable({ key: 'product:{0}', ttl: '10m' })
  find(id: number): Promise<Product> {
    return this.repo.find(id);
  }

  @CacheEvict({ keys: ['product:{0}'] })
  async rename(id: number, name: string): Promise<void> {
    // ...write to the database...
    void name;
    await this.cache.tags(['catalog']).flush();
  }
}

// --- the test -------------------------------------------------------------------------------

describe('ProductsService', () => {
  let moduleRef: TestingModule;
  let products: ProductsService;
  let repo: ProductsRepository;
  let cache: FakeCache;
  const clock = new ManualClock();

  beforeEach(async () => {
    moduleRef = await Test.createTestingModule({
      imports: [CacheTestingModule.forRoot({ clock })],
      providers: [ProductsService, ProductsRepository],
    }).compile();
    await moduleRef.init();
    products = moduleRef.get(ProductsService);
    repo = moduleRef.get(ProductsRepository);
    cache = moduleRef.get(FakeCache);
  });

  afterEach(() => moduleRef.close());

  it('loads a product once, then serves it from the cache', async () => {
    await products.find(1);
    await products.find(1);

    expect(repo.queries).toBe(1);
    cache.assertMissed('product:1');
    cache.assertSet('product:1', { id: 1, name: 'Product 1' });
    cache.assertHit('product:1');
  });

  it('reloads after the TTL, without waiting', async () => {
    await products.find(1);
    clock.advance('11m');
    cache.assertMissing('product:1');
    await products.find(1);

    expect(repo.queries).toBe(2);
  });

  it('evicts the product and flushes the catalog on rename', async () => {
    await products.find(1);
    await products.rename(1, 'New name');

    cache.assertDeleted('product:1');
    cache.assertFlushedTags('catalog');
    cache.assertMissing('product:1');
  });
});
