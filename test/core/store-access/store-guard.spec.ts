// The failure policy on its own: which errors surface to the caller, which become a miss or a
// fallback (logged once per burst, counted, reported), and which become CacheUnavailableError.
import { CacheKeys } from '../../../src/core/cache-keys';
import { CacheMeter } from '../../../src/core/cache-meter';
import {
  CacheArgumentError,
  CacheSerializationError,
  CacheUnavailableError,
  CacheUnsupportedError,
} from '../../../src/core/cache.errors';
import { CacheEvents, type CacheEvent } from '../../../src/core/cache.events';
import { BurstLogger } from '../../../src/core/logger';
import { OperationMeter } from '../../../src/core/operation-meter';
import { isCallerError, StoreGuard } from '../../../src/core/store-access/store-guard';

function setup(ns = 'app') {
  const logged: string[] = [];
  const events = new CacheEvents();
  const seen: CacheEvent[] = [];
  events.on('*', (e) => seen.push(e));
  const keys = new CacheKeys(ns);
  const meter = new CacheMeter('mem', events, new OperationMeter(), keys);
  const log = new BurstLogger({ warn: () => undefined, error: (m) => logged.push(m) }, () => 0);
  return { guard: new StoreGuard('mem', log, meter, keys), meter, logged, seen };
}

const backend = () => new Error('connection reset');

describe('StoreGuard', () => {
  it.each([
    ['a bad argument', 'get', true, new CacheArgumentError('bad')],
    ['an unsupported operation', 'get', true, new CacheUnsupportedError('mem', 'ttl')],
    ['a value that cannot be stored', 'set', true, new CacheSerializationError('no', 'k')],
    ['a stored value that cannot be read', 'get', false, new CacheSerializationError('no', 'k')],
    ['an unreadable getMany', 'getMany', false, new CacheSerializationError('no', 'k')],
    ['an unreadable tag version', 'tags', false, new CacheSerializationError('no', 'k')],
    ['a backend failure', 'set', false, backend()],
  ] as const)('%s on %s is the caller’s error: %s', (_what, op, caller, err) => {
    expect(isCallerError(err, op)).toBe(caller);
  });

  it('turns a failed read into a miss, logged, counted and reported', () => {
    const { guard, meter, logged, seen } = setup();
    expect(guard.readFailed('get', 'user:1', backend())).toBeUndefined();
    expect(meter.errors).toBe(1);
    expect(logged).toEqual(['Cache store "mem" failed on get ("user:1"): connection reset']);
    expect(seen.map((e) => [e.type, e.key])).toEqual([['error', 'user:1']]);
  });

  it('names a list of keys by its first five and "and N more" in the log line; the event keeps them all', async () => {
    const { guard, logged, seen } = setup();
    const many = Array.from({ length: 1000 }, (_, i) => `k${i}`);
    await guard.failOpen('getMany', many, () => Promise.reject(backend()), []);
    guard.writeFailed('setMany', ['a', 'b,c'], backend(), 0);
    expect(logged).toEqual([
      'Cache store "mem" failed on getMany ("k0", "k1", "k2", "k3", "k4" and 995 more): connection reset',
    ]);
    expect(seen.map((e) => e.key)).toEqual([many.join(','), 'a,b,c']);
  });

  it("a strict operation names the caller's key in its log line and event; one without a key names none", async () => {
    const counter = setup();
    const failing = () => Promise.reject(backend());
    await expect(counter.guard.strict('increment', failing, 'increment', 0, 'visits')).rejects.toThrow(
      CacheUnavailableError,
    );
    expect(counter.logged).toEqual(['Cache store "mem" failed on increment ("visits"): connection reset']);
    expect(counter.seen.map((e) => [e.type, e.key])).toEqual([['error', 'visits']]);
    const lock = setup();
    await expect(lock.guard.strict('lock', failing)).rejects.toThrow(CacheUnavailableError);
    expect(lock.logged).toEqual(['Cache store "mem" failed on lock: connection reset']);
  });

  it('names a short list of keys whole', () => {
    const { guard, logged } = setup();
    guard.writeFailed('deleteMany', ['a', 'b,c', 'd', 'e', 'f'], backend(), 0);
    expect(logged).toEqual(['Cache store "mem" failed on deleteMany ("a", "b,c", "d", "e", "f"): connection reset']);
  });

  it("rethrows the caller's own errors, naming the user's key rather than the store's", () => {
    const { guard, meter } = setup();
    const err = new CacheSerializationError('The value for key "app:user:1" cannot be cached: x', 'app:user:1');
    let thrown: unknown;
    try {
      guard.writeFailed('set', 'user:1', err, 0);
    } catch (e) {
      thrown = e;
    }
    expect(thrown).toBeInstanceOf(CacheSerializationError);
    expect((thrown as CacheSerializationError).key).toBe('user:1');
    expect((thrown as Error).message).toBe('The value for key "user:1" cannot be cached: x');
    expect(meter.errors).toBe(0);
  });

  it('resolves false for a failed write', () => {
    const { guard } = setup();
    expect(guard.writeFailed('set', 'k', backend(), 0)).toBe(false);
  });

  it('fails open with the fallback, and lets caller errors through', async () => {
    const { guard, meter } = setup();
    await expect(guard.failOpen('delete', 'k', () => Promise.reject(backend()), false)).resolves.toBe(false);
    await expect(guard.failOpen('delete', 'k', () => Promise.resolve(true), false)).resolves.toBe(true);
    await expect(
      guard.failOpen('set', 'k', () => Promise.reject(new CacheArgumentError('bad')), false),
    ).rejects.toBeInstanceOf(CacheArgumentError);
    expect(meter.errors).toBe(1);
  });

  it('is strict where a fallback would lie: CacheUnavailableError naming the store and operation', async () => {
    const { guard, meter } = setup();
    const err = await guard.strict('increment', () => Promise.reject(backend())).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CacheUnavailableError);
    expect(err).toMatchObject({ store: 'mem', operation: 'increment' });
    const already = new CacheUnavailableError('mem', 'clear', backend());
    await expect(guard.strict('clear', () => Promise.reject(already))).rejects.toBe(already);
    await expect(guard.strict('add', () => Promise.reject(new CacheArgumentError('x')))).rejects.toBeInstanceOf(
      CacheArgumentError,
    );
    expect(meter.errors).toBe(2);
  });
});
