import assert from 'node:assert/strict';
import { CacheUnsupportedError } from '../../core/cache.errors';
import type { ConformanceCase } from './conformance-context';

/** Tags, `clear()` limited to its namespace, prefixes kept apart, health and stats. */
export const namespaceCases: ConformanceCase = (fw, ctx, options) => {
  fw.it('tags: a flush removes tagged entries everywhere, untagged ones survive', async () => {
    await ctx.cache.tags(['users', 'active']).set('user:1', { id: 1 });
    await ctx.cache.tags(['users']).set('user:2', { id: 2 });
    await ctx.cache.set('plain', 'p');
    assert.deepEqual(await ctx.cache.get('user:1'), { id: 1 });
    await ctx.cache.tags(['active']).flush();
    assert.equal(await ctx.cache.get('user:1'), undefined);
    assert.equal(await ctx.cache.has('user:1'), false);
    assert.equal(await ctx.cache.ttl('user:1'), undefined);
    assert.deepEqual(await ctx.cache.getMany(['user:1', 'user:2']), { 'user:1': undefined, 'user:2': { id: 2 } });
    assert.equal(await ctx.cache.get('plain'), 'p');
    await ctx.cache.tags('users').flush();
    assert.equal(await ctx.cache.get('user:2'), undefined);
    await ctx.cache.tags('users').set('user:3', 3);
    assert.equal(await ctx.cache.get('user:3'), 3, 'new writes after a flush are visible');
  });

  fw.it('tags: reads through a tagged view see what plain reads see, and a flush by another cache', async () => {
    const other = await ctx.twin();
    const view = ctx.cache.tags(['users', 'active']);
    await view.set('user:1', { id: 1 });
    await ctx.cache.set('plain', 'p');
    assert.deepEqual(await view.get('user:1'), { id: 1 });
    assert.equal(await view.get('plain'), 'p', 'an untagged entry read through a view');
    assert.equal(await view.get('missing'), undefined);
    assert.equal(await view.get('missing', 'fb'), 'fb');
    let loads = 0;
    const load = () => ++loads;
    assert.deepEqual(await view.remember('user:1', 60, load), { id: 1 });
    assert.equal(loads, 0, 'a remember hit through the view runs no loader');
    await other.tags(['active']).flush();
    assert.equal(await view.get('user:1'), undefined, 'the next tagged read sees the other cache\u2019s flush');
    assert.equal(await ctx.cache.get('user:1'), undefined);
    assert.equal(await view.remember('user:1', 60, load), 1);
    assert.equal(await view.get('user:1'), 1);
    assert.equal(await other.tags(['users', 'active']).get('user:1'), 1);
  });

  fw.it('tags: a view checks every tag an entry carries, named by the view or not', async () => {
    const other = await ctx.twin();
    await ctx.cache.tags(['a', 'b']).set('k', 'v');
    assert.equal(await ctx.cache.tags('a').get('k'), 'v');
    assert.equal(await ctx.cache.tags(['a', 'c']).get('k'), 'v', 'a tag the entry lacks changes nothing');
    assert.equal(await ctx.cache.tags('c').remember('k', 60, () => 'loaded'), 'v');
    await other.tags('b').flush();
    assert.equal(await ctx.cache.tags('a').get('k'), undefined, 'flushed through a tag the view does not name');
    assert.equal(await ctx.cache.tags('c').remember('k', 60, () => 'loaded'), 'loaded');
  });

  fw.it('clear removes this cache\u2019s keys only', async () => {
    const other = await ctx.neighbour();
    await ctx.cache.set('mine', 1);
    await other.set('theirs', 2);
    await ctx.cache.clear();
    assert.equal(await ctx.cache.get('mine'), undefined);
    assert.equal(await other.get('theirs'), 2);
  });

  fw.it(
    'clear on one store instance shared with another prefix keeps the other\u2019s keys (or is refused)',
    async () => {
      const other = await ctx.sharer();
      await ctx.cache.set('k', 'mine');
      await other.set('k', 'theirs');
      await other.tags('t').set('tagged', 'theirs');
      // A store without clearNamespace cannot tell the two apart: the cache refuses, removing nothing.
      const refused = await ctx.cache.clear().then(
        () => false,
        (err: unknown) => {
          if (err instanceof CacheUnsupportedError) return true;
          throw err;
        },
      );
      assert.equal(await ctx.cache.get('k'), refused ? 'mine' : undefined);
      assert.equal(await other.get('k'), 'theirs');
      assert.equal(await other.tags('t').get('tagged'), 'theirs');
      if (refused) return;
      await ctx.cache.set('k', 'mine');
      // A store that cannot find another namespace's keys (hashKeys) refuses that clear instead.
      const otherRefused = await other.clear().then(
        () => false,
        (err: unknown) => {
          if (err instanceof CacheUnsupportedError) return true;
          throw err;
        },
      );
      assert.equal(await other.get('k'), otherRefused ? 'theirs' : undefined);
      assert.equal(
        await ctx.cache.get('k'),
        'mine',
        'the cache of the namespace the store was built with keeps its keys',
      );
    },
  );

  if (options.sharedBackend) {
    fw.it('two caches with different prefixes never see each other\u2019s keys', async () => {
      const other = await ctx.neighbour();
      await ctx.cache.set('same', 'a');
      await other.set('same', 'b');
      assert.equal(await ctx.cache.get('same'), 'a');
      assert.equal(await other.get('same'), 'b');
    });
  }

  fw.it('health is up and stats count operations', async () => {
    const report = await ctx.cache.health();
    assert.equal(report.s.status, 'up');
    await ctx.cache.set('st', 1);
    await ctx.cache.get('st');
    await ctx.cache.get('st-miss');
    const stats = ctx.cache.stats();
    assert.ok(stats.hits >= 1 && stats.misses >= 1 && stats.writes >= 1);
  });
};
