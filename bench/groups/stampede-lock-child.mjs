// One of the 4 processes of stampede.lock-4proc (forked by stampede-lock.mjs). Builds one
// subject on the shared backend, says "ready", waits for the common start time (the barrier),
// runs one "get or compute" on the cold key with a slow loader, and reports its loader runs.
import { join } from 'node:path';
import { sleep } from '../lib/harness.mjs';
import { object1kb } from '../lib/payloads.mjs';

const { subject, backend, url, dir, key, loaderMs } = JSON.parse(process.argv[2]);
let calls = 0;
const loader = async () => {
  calls++;
  await sleep(loaderMs);
  return object1kb(1);
};

async function makeSubject() {
  if (subject === 'cachekit' || subject === 'cachekit-nolock') {
    const { ck } = await import('../lib/cachekit.mjs');
    const store = backend === 'redis' ? { driver: 'redis', url } : { driver: 'file', directory: join(dir, 'kit') };
    const manager = ck.createCacheManager({ stores: { s: store } });
    await manager.ready?.();
    const lock = subject === 'cachekit';
    return {
      remember: () => manager.default.remember(key, 60, loader, { lock }),
      close: () => manager.close(),
    };
  }
  if (subject === 'cache-manager') {
    const { default: KeyvRedis } = await import('@keyv/redis');
    const { Keyv } = await import('keyv');
    const { createCache } = await import('cache-manager');
    const cm = createCache({ stores: [new Keyv({ store: new KeyvRedis(url), namespace: 'cm' })] });
    return { remember: () => cm.wrap(key, loader, 60_000), close: () => cm.disconnect() };
  }
  if (subject === 'bentocache') {
    const { BentoCache, bentostore } = await import('bentocache');
    let layer;
    if (backend === 'redis') {
      const { redisDriver } = await import('bentocache/drivers/redis');
      const { default: Redis } = await import('ioredis');
      layer = redisDriver({ connection: new Redis(url) });
    } else {
      const { fileDriver } = await import('bentocache/drivers/file');
      layer = fileDriver({ directory: join(dir, 'bento'), pruneInterval: false });
    }
    const bento = new BentoCache({ default: 's', stores: { s: bentostore().useL2Layer(layer) } });
    return {
      remember: () => bento.getOrSet({ key, factory: loader, ttl: 60_000 }),
      close: () => bento.disconnectAll(),
    };
  }
  throw new Error(`unknown subject ${subject}`);
}

const s = await makeSubject();
const startAt = await new Promise((resolve) => {
  process.once('message', (m) => resolve(m.startAt));
  process.send({ ready: true });
});
await sleep(Math.max(0, startAt - Date.now()));
const value = await s.remember();
process.send({ calls, ok: value?.id === 1 });
await s.close();
process.disconnect();
