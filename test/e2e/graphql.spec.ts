/**
 * @Cacheable / @CacheEvict on GraphQL resolvers: a real Nest app with @nestjs/graphql's Apollo
 * driver (code-first), queried over HTTP. A query is cached per its arguments, a mutation evicts
 * by tag, and nothing of the HTTP cache (X-Cache, Age) touches GraphQL responses.
 */
import 'reflect-metadata';
import { ApolloDriver, type ApolloDriverConfig } from '@nestjs/apollo';
import { Injectable, Module, type INestApplication } from '@nestjs/common';
import { Args, Field, GraphQLModule, Int, Mutation, ObjectType, Query, Resolver, Context, Info } from '@nestjs/graphql';
import { Test } from '@nestjs/testing';
import { CacheEvict, CacheModule, CacheService, CacheTags, Cacheable, type CacheApi } from 'nestjs-cachekit';

@ObjectType()
class Product {
  @Field(() => Int) id!: number;
  @Field() name!: string;
  @Field(() => Int) price!: number;
}

@Injectable()
class Catalog {
  readonly prices = new Map<number, number>([
    [1, 100],
    [2, 200],
  ]);
  loads = 0;
  load(id: number): Product {
    this.loads++;
    return { id, name: `product ${id}`, price: this.prices.get(id) ?? 0 };
  }
}

/** Holds `whoAmI` queries until `size` are in flight, so they overlap for sure. */
const overlap = { size: 0, waiting: [] as (() => void)[] };
const allInFlight = () =>
  new Promise<void>((resolve) => {
    overlap.waiting.push(resolve);
    if (overlap.waiting.length >= overlap.size) for (const r of overlap.waiting.splice(0)) r();
  });

@Resolver(() => Product)
class ProductResolver {
  /** One memo for the app's lifetime: per request over HTTP. */
  private readonly memo: CacheApi;
  constructor(
    private readonly catalog: Catalog,
    cache: CacheService,
  ) {
    this.memo = cache.memo();
  }

  @Query(() => String)
  async whoAmI(@Args('id') id: string): Promise<string> {
    await this.memo.set('gql:who', id);
    await allInFlight();
    return `${id}:${await this.memo.get<string>('gql:who')}`;
  }

  @Query(() => Product)
  @Cacheable({ ttl: '1m' })
  @CacheTags(['products'])
  async product(
    @Args('id', { type: () => Int }) id: number,
    @Context() _ctx: unknown,
    @Info() _info: unknown,
  ): Promise<Product> {
    return this.catalog.load(id);
  }

  @Query(() => Product)
  @Cacheable({ key: 'gql:product:{0}', ttl: '1m' })
  async productByKey(@Args('id', { type: () => Int }) id: number): Promise<Product> {
    return this.catalog.load(id);
  }

  @Mutation(() => Product)
  @CacheEvict({ tags: ['products'], keys: ['gql:product:{0}'] })
  async setPrice(
    @Args('id', { type: () => Int }) id: number,
    @Args('price', { type: () => Int }) price: number,
  ): Promise<Product> {
    this.catalog.prices.set(id, price);
    return this.catalog.load(id);
  }
}

@Module({
  imports: [
    CacheModule.forRoot({}),
    GraphQLModule.forRoot<ApolloDriverConfig>({ driver: ApolloDriver, autoSchemaFile: true }),
  ],
  providers: [Catalog, ProductResolver],
})
class AppModule {}

describe('cache decorators on GraphQL resolvers (Apollo, code-first)', () => {
  let app: INestApplication;
  let url: string;
  let catalog: Catalog;

  async function gql(
    query: string,
  ): Promise<{ body: { data?: Record<string, Product>; errors?: unknown }; headers: Headers }> {
    const res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query }),
    });
    return { body: (await res.json()) as { data?: Record<string, Product> }, headers: res.headers };
  }

  beforeAll(async () => {
    const moduleRef = await Test.createTestingModule({ imports: [AppModule] }).compile();
    app = moduleRef.createNestApplication({ logger: false });
    await app.listen(0, '127.0.0.1');
    url = `${await app.getUrl()}/graphql`.replace('[::1]', '127.0.0.1');
    catalog = app.get(Catalog);
  }, 60_000);

  afterAll(async () => {
    await app?.close();
  });

  beforeEach(async () => {
    await app.get(CacheService).clear();
    catalog.loads = 0;
  });

  it('caches a query per its arguments, leaving context and info out of the key', async () => {
    const one = await gql('{ product(id: 1) { id name price } }');
    const again = await gql('{ product(id: 1) { id price } }');
    const two = await gql('{ product(id: 2) { id price } }');
    expect(one.body.data?.product).toEqual({ id: 1, name: 'product 1', price: 100 });
    expect(again.body.data?.product).toEqual({ id: 1, price: 100 });
    expect(two.body.data?.product).toEqual({ id: 2, price: 200 });
    expect(catalog.loads).toBe(2);
    // The HTTP cache stays out of GraphQL: no X-Cache or Age on the POST /graphql answer.
    expect(again.headers.get('x-cache')).toBeNull();
    expect(again.headers.get('age')).toBeNull();
  });

  it('a mutation evicts by tag and by key template, so the next query loads again', async () => {
    await gql('{ product(id: 1) { price } }');
    await gql('{ productByKey(id: 1) { price } }');
    expect(catalog.loads).toBe(2);
    expect(await app.get(CacheService).has('gql:product:1')).toBe(true);
    const changed = await gql('mutation { setPrice(id: 1, price: 150) { id price } }');
    expect(changed.body).toEqual({ data: { setPrice: { id: 1, price: 150 } } });
    expect(await app.get(CacheService).has('gql:product:1')).toBe(false);
    const after = await gql('{ product(id: 1) { price } productByKey(id: 1) { price } }');
    expect(after.body.data).toEqual({ product: { price: 150 }, productByKey: { price: 150 } });
    expect(catalog.loads).toBe(5);
  });

  it('concurrent identical queries run the resolver once', async () => {
    const answers = await Promise.all(Array.from({ length: 5 }, () => gql('{ product(id: 2) { price } }')));
    expect(answers.map((a) => a.body.data?.product.price)).toEqual([200, 200, 200, 200, 200]);
    expect(catalog.loads).toBe(1);
  });

  it('each HTTP request of concurrent queries has its own cache.memo()', async () => {
    const ids = ['a', 'b', 'c'];
    overlap.size = ids.length;
    const answers = await Promise.all(ids.map((id) => gql(`{ whoAmI(id: "${id}") }`)));
    expect(answers.map((a) => a.body.data?.whoAmI)).toEqual(['a:a', 'b:b', 'c:c']);
  });
});
