import type { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { CacheDecoratorRuntime, CacheManager } from '../../../src';
import { bootHttpApp, Calls, httpClock, type Platform } from '../../fixtures/decorators/http.fixture';

describe.each<Platform>(['express', 'fastify'])('HTTP cache on %s', (platform) => {
  let app: INestApplication;
  let calls: Calls;
  const http = () => request(app.getHttpServer());

  beforeEach(async () => {
    app = await bootHttpApp(platform);
    calls = app.get(Calls);
  });
  afterEach(async () => {
    await app.close();
  });

  it('misses once, then replays the body with X-Cache: HIT; query order does not matter', async () => {
    const first = await http().get('/items?page=2&size=10').expect(200);
    expect(first.headers['x-cache']).toBe('MISS');
    const second = await http().get('/items?size=10&page=2').expect(200);
    expect(second.headers['x-cache']).toBe('HIT');
    expect(second.body).toEqual(first.body);
    expect(second.headers['content-type']).toMatch(/application\/json/);
    expect(second.headers.etag).toBe(first.headers.etag);
    expect(second.headers.age).toMatch(/^\d+$/);
    await http().get('/items?page=3').expect(200);
    expect(calls.of('list')).toBe(2);
  });

  it('does not cache a handler that returns nothing (no X-Cache); caches null as a value', async () => {
    for (let i = 1; i <= 3; i++) {
      const res = await http().get('/items/nothing').expect(204);
      expect(res.headers['x-cache']).toBeUndefined();
      expect(calls.of('nothing')).toBe(i);
    }
    const misses = ['MISS', 'HIT', 'HIT'];
    for (const expected of misses) {
      const res = await http().get('/items/null').expect(200);
      expect(res.headers['x-cache']).toBe(expected);
      // Without the cache, Express sends null as an empty body and Fastify as JSON `null`.
      expect(res.text).toBe(platform === 'express' ? '' : 'null');
    }
    expect(calls.of('null')).toBe(1);
  });

  it('replays the status and the headers the handler set', async () => {
    const first = await http().get('/items/accepted').expect(203);
    const second = await http().get('/items/accepted').expect(203);
    expect(second.headers['x-cache']).toBe('HIT');
    expect(second.headers['x-custom']).toBe('kept');
    expect(second.body).toEqual(first.body);
    const text1 = await http().get('/items/text').expect(200);
    const text2 = await http().get('/items/text').expect(200);
    expect(text2.headers['content-type']).toBe('text/plain; charset=utf-8');
    expect(text2.text).toBe(text1.text);
    expect(calls.of('accepted')).toBe(1);
    expect(calls.of('text')).toBe(1);
  });

  it('runs uncached, logs and counts when the key cannot be built', async () => {
    const first = await http().get('/items/bad-key').expect(200);
    const second = await http().get('/items/bad-key').expect(200);
    expect(first.headers['x-cache']).toBeUndefined();
    expect(second.body).toEqual({ run: 2 });
    expect(app.get(CacheDecoratorRuntime).stats().errors).toBe(2);
  });

  it('caches only the requests its condition accepts', async () => {
    await http().get('/items/conditional?cache=no').expect(200);
    const plain = await http().get('/items/conditional?cache=no').expect(200);
    expect(plain.headers['x-cache']).toBeUndefined();
    await http().get('/items/conditional?cache=yes').expect(200);
    const hit = await http().get('/items/conditional?cache=yes').expect(200);
    expect(hit.headers['x-cache']).toBe('HIT');
    expect(calls.of('conditional')).toBe(3);
    expect(app.get(CacheDecoratorRuntime).stats().errors).toBe(0);
  });

  it('does not cache POST', async () => {
    await http().post('/items').send({ a: 1 }).expect(201);
    const second = await http().post('/items').send({ a: 1 }).expect(201);
    expect(second.headers['x-cache']).toBeUndefined();
    expect(calls.of('create')).toBe(2);
  });

  it('keeps users apart: Authorization is keyed when listed in vary, otherwise not cached', async () => {
    const alice1 = await http().get('/items/me').set('Authorization', 'Bearer alice').expect(200);
    const alice2 = await http().get('/items/me').set('Authorization', 'Bearer alice').expect(200);
    const bob = await http().get('/items/me').set('Authorization', 'Bearer bob').expect(200);
    expect(alice2.headers['x-cache']).toBe('HIT');
    expect(alice2.body.auth).toBe('Bearer alice');
    expect(bob.headers['x-cache']).toBe('MISS');
    expect(bob.body.auth).toBe('Bearer bob');
    expect(alice1.headers.vary).toMatch(/authorization/i);
    expect(calls.of('me')).toBe(2);

    await http().get('/items/open').set('Authorization', 'Bearer alice').expect(200);
    const other = await http().get('/items/open').set('Cookie', 'sid=bob').expect(200);
    expect(other.headers['x-cache']).toBeUndefined();
    expect(calls.of('open')).toBe(2);
    // With no credentials the route is shared as usual.
    await http().get('/items/open').expect(200);
    await http().get('/items/open').expect(200);
    expect(calls.of('open')).toBe(3);

    // A route whose key says how to tell users apart caches requests with cookies.
    await http().get('/items/by-user').set('Cookie', 'sid=1').set('X-User', 'u1').expect(200);
    const u1 = await http().get('/items/by-user').set('Cookie', 'sid=1').set('X-User', 'u1').expect(200);
    const u2 = await http().get('/items/by-user').set('Cookie', 'sid=2').set('X-User', 'u2').expect(200);
    expect(u1.headers['x-cache']).toBe('HIT');
    expect(u2.body.user).toBe('u2');
    expect(calls.of('by-user')).toBe(2);
  });

  it('answers If-None-Match with 304 on hits', async () => {
    const first = await http().get('/items/7').expect(200);
    const etag = first.headers.etag as string;
    expect(etag).toBeTruthy();
    const revalidated = await http().get('/items/7').set('If-None-Match', etag).expect(304);
    expect(revalidated.headers['x-cache']).toBe('HIT');
    expect(revalidated.text ?? '').toBe('');
    await http().get('/items/7').set('If-None-Match', 'W/"something-else"').expect(200);
    expect(calls.of('one:7')).toBe(1);
  });

  it('runs the handler once for 50 concurrent cold misses', async () => {
    const responses = await Promise.all(Array.from({ length: 50 }, () => http().get('/items/slow/1')));
    expect(calls.of('slow')).toBe(1);
    for (const res of responses) {
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ id: '1', run: 1 });
    }
    expect(responses.filter((r) => r.headers['x-cache'] === 'MISS')).toHaveLength(1);
  });

  it('evicts by tag on PUT, leaving other entries alone', async () => {
    await http().get('/items/1').expect(200);
    await http().get('/items/2').expect(200);
    expect((await http().get('/items/1')).headers['x-cache']).toBe('HIT');
    await http().put('/items/1').expect(200);
    const after = await http().get('/items/1').expect(200);
    expect(after.headers['x-cache']).toBe('MISS');
    expect(after.body.run).toBe(2);
    expect((await http().get('/items/2')).headers['x-cache']).toBe('HIT');
    expect(calls.of('one:2')).toBe(1);
  });

  it('honours Cache-Control: no-store / private from the handler and no-cache from the request', async () => {
    await http().get('/items/no-store').expect(200);
    await http().get('/items/no-store').expect(200);
    expect(calls.of('no-store')).toBe(2);
    await http().get('/items/private').expect(200);
    await http().get('/items/private').expect(200);
    expect(calls.of('private')).toBe(2);

    await http().get('/items/9').expect(200);
    const fresh = await http().get('/items/9').set('Cache-Control', 'no-cache').expect(200);
    expect(fresh.headers['x-cache']).toBe('MISS');
    expect(fresh.body.run).toBe(2);
    const hit = await http().get('/items/9').expect(200);
    expect(hit.headers['x-cache']).toBe('HIT');
    expect(hit.body.run).toBe(2);
  });

  it('serves a stale entry with X-Cache: STALE while one refresh runs', async () => {
    await http().get('/items/stale').expect(200);
    httpClock.advance('250ms'); // past the 200 ms TTL, within staleTtl (the caches' clock: no sleep)
    const stale = await http().get('/items/stale').expect(200);
    expect(stale.headers['x-cache']).toBe('STALE');
    expect(stale.body.run).toBe(1);
    let refreshed = stale;
    // Bounded polling (generous cap): the refresh runs in the background.
    for (let i = 0; i < 500 && refreshed.body.run === 1; i++) {
      await new Promise((resolve) => setTimeout(resolve, 20));
      refreshed = await http().get('/items/stale').expect(200);
    }
    expect(refreshed.body.run).toBe(2);
    expect(refreshed.headers['x-cache']).toBe('HIT');
    expect(refreshed.headers.etag).not.toBe(stale.headers.etag);
    expect(calls.of('stale')).toBe(2);
  });

  it("gives Age in the caches' time (the module's clock)", async () => {
    await http().get('/items/open').expect(200);
    httpClock.advance('7s');
    const hit = await http().get('/items/open').expect(200);
    expect(hit.headers['x-cache']).toBe('HIT');
    expect(hit.headers.age).toBe('7');
  });

  it('serves HEAD from the GET entry', async () => {
    await http().get('/items/5').expect(200);
    const head = await http().head('/items/5').expect(200);
    expect(head.headers['x-cache']).toBe('HIT');
    expect(calls.of('one:5')).toBe(1);
  });

  it('passes @Res() handlers and StreamableFile through', async () => {
    const r1 = await http().get('/items/raw').expect(200);
    await http().get('/items/raw').expect(200);
    expect(r1.body).toEqual({ run: 1 });
    expect(calls.of('raw')).toBe(2);
    const f1 = await http().get('/items/file').buffer(true).expect(200);
    const f2 = await http().get('/items/file').buffer(true).expect(200);
    expect(String(f1.body ?? f1.text)).toContain('hello file');
    expect(String(f2.body ?? f2.text)).toContain('hello file');
    expect(calls.of('file')).toBe(2);
  });

  it('does not cache errors', async () => {
    await http().get('/items/fail').expect(404);
    await http().get('/items/fail').expect(404);
    expect(calls.of('fail')).toBe(2);
  });

  it('keeps serving when the store fails', async () => {
    await http().get('/items/broken').expect(200);
    const second = await http().get('/items/broken').expect(200);
    expect(second.body.run).toBe(2);
    expect(app.get(CacheManager).stats().broken.errors).toBeGreaterThan(0);
  });
});
