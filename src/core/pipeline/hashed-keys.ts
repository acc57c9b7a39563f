// `hashKeys: true`: the backend sees a keyed hash of each key name, never the name.
import { createHmac } from 'node:crypto';
import { CacheArgumentError, CacheSerializationError, CacheUnsupportedError } from '../cache.errors';
import { UnreadableEntry } from '../store-access/unreadable-entry';
import type { CacheStore, StoreEntry } from '../store.types';

/** Store methods whose first argument is a key. */
const ONE_KEY = new Set<PropertyKey>([
  'get',
  'getSync',
  'has',
  'set',
  'setSync',
  'add',
  'delete',
  'ttl',
  'increment',
  'touch',
  'acquireLock',
  'renewLock',
  'releaseLock',
  'waitForChange',
]);
/** Store methods whose first argument is a list of keys, or of entries. */
const KEY_LIST = new Set<PropertyKey>(['getMany', 'deleteMany']);
const ENTRY_LIST = new Set<PropertyKey>(['setMany']);

/**
 * Maps every key to `<namespace>:<HMAC-SHA256 of the rest, base64url>`. The core's internal
 * records keep their kind (`<ns>:\0<kind>:<hash of the id>`), so a lease on `<ns>:\0l:<key>` still
 * guards the hashed `<ns>:<key>` (the stores' release notifications rely on it) and `clear()` by
 * namespace prefix still finds everything.
 */
export class KeyHasher {
  /** `<namespace>:`, or empty. */
  readonly prefix: string;

  constructor(
    private readonly secret: Buffer,
    namespace: string,
  ) {
    this.prefix = namespace ? `${namespace}:` : '';
  }

  hash(key: string): string {
    const rest = key.startsWith(this.prefix) ? key.slice(this.prefix.length) : key;
    const base = key.length - rest.length === this.prefix.length ? this.prefix : '';
    // `\0<kind>:` of an internal record (and `\0\0` of an escaped user key) stays readable.
    if (rest.charCodeAt(0) === 0 && rest.charCodeAt(1) !== 0 && rest[2] === ':') {
      return `${base}${rest.slice(0, 3)}${this.digest(rest.slice(3))}`;
    }
    return base + this.digest(rest);
  }

  private digest(text: string): string {
    return createHmac('sha256', this.secret).update(text).digest('base64url');
  }
}

/**
 * Wraps `store` so that it only ever sees hashed keys; errors naming a hashed key name the key
 * the caller gave. A Proxy rather than a wrapper class: the store's other members stay its own
 * (`instanceof` and driver-specific members reached through `cache.driver` keep working). The
 * function of each member is made once and reused while the member is the same function.
 */
export function withHashedKeys<S extends CacheStore>(store: S, hasher: KeyHasher, name = 'store'): S {
  const made = new Map<PropertyKey, { member: unknown; fn: unknown }>();
  return new Proxy(store, {
    get(target, prop, receiver) {
      const member: unknown = Reflect.get(target, prop, receiver);
      if (typeof member !== 'function') return member;
      const known = made.get(prop);
      if (known !== undefined && known.member === member) return known.fn;
      const call = member as (...a: unknown[]) => unknown;
      let fn: unknown;
      if (ONE_KEY.has(prop)) {
        fn = (key: string, ...rest: unknown[]) => {
          const h = hasher.hash(key);
          return renamed(() => call.call(target, h, ...rest), [[h, key]], hasher.prefix);
        };
      } else if (KEY_LIST.has(prop)) {
        fn = (keys: readonly string[], ...rest: unknown[]) => {
          const pairs = keys.map((k) => [hasher.hash(k), k] as const);
          return renamed(
            () =>
              call.call(
                target,
                pairs.map((p) => p[0]),
                ...rest,
              ),
            pairs,
            hasher.prefix,
          );
        };
      } else if (prop === 'getWithTags') {
        // A tagged read: the entry's key and the tag version keys, all hashed as their writes were.
        fn = (key: string, tagKeys: readonly string[]) => {
          const pairs = [key, ...tagKeys].map((k) => [hasher.hash(k), k] as const);
          const tags = pairs.slice(1).map((p) => p[0]);
          return renamed(() => call.call(target, pairs[0][0], tags), pairs, hasher.prefix);
        };
      } else if (ENTRY_LIST.has(prop)) {
        fn = (entries: readonly StoreEntry[], ...rest: unknown[]) => {
          const pairs = entries.map((e) => [hasher.hash(e.key), e.key] as const);
          const hashed = entries.map((e, i) => ({ ...e, key: pairs[i][0] }));
          return renamed(() => call.call(target, hashed, ...rest), pairs, hasher.prefix);
        };
      } else if (prop === 'clearNamespace') {
        // A key of another namespace was hashed whole: no prefix finds it, so that clear is refused.
        fn = (namespace: string) =>
          namespace === '' || `${namespace}:` === hasher.prefix
            ? call.call(target, namespace)
            : Promise.reject(
                new CacheUnsupportedError(
                  name,
                  'clear',
                  `Cache store "${name}": clear() of namespace "${namespace}" refused: with hashKeys this store hashes the whole key of a namespace other than its own, so it cannot find them; nothing was removed`,
                ),
              );
      } else {
        fn = call.bind(target);
      }
      made.set(prop, { member, fn });
      return fn;
    },
  });
}

type Pairs = readonly (readonly [string, string])[];

/** Runs a store call; errors (and unreadable entries of a batch) naming a hashed key name the caller's key. */
function renamed(run: () => unknown, pairs: Pairs, prefix: string): unknown {
  let out: unknown;
  try {
    out = run();
  } catch (err) {
    throw rename(err, pairs, prefix);
  }
  if (!(out instanceof Promise)) return out;
  return out.then(
    (v: unknown) =>
      Array.isArray(v) ? v.map((x) => (x instanceof UnreadableEntry ? unreadable(x, pairs, prefix) : x)) : v,
    (err: unknown) => {
      throw rename(err, pairs, prefix);
    },
  );
}

function unreadable(entry: UnreadableEntry, pairs: Pairs, prefix: string): UnreadableEntry {
  const err = rename(entry.error, pairs, prefix);
  return err === entry.error ? entry : new UnreadableEntry(err);
}

function rename(err: unknown, pairs: Pairs, prefix: string): unknown {
  if (!(err instanceof CacheSerializationError || err instanceof CacheArgumentError)) return err;
  for (const [hashed, key] of pairs) {
    // Messages quote the whole key, or (Postgres) the part after the namespace.
    const cut = hashed.startsWith(prefix) && key.startsWith(prefix) ? prefix.length : 0;
    const [hashedRest, rest] = [JSON.stringify(hashed.slice(cut)), JSON.stringify(key.slice(cut))];
    if (err.key !== hashed && !err.message.includes(hashedRest)) continue;
    const message = err.message.split(JSON.stringify(hashed)).join(JSON.stringify(key)).split(hashedRest).join(rest);
    const k = err.key === undefined ? undefined : key;
    return err instanceof CacheSerializationError
      ? new CacheSerializationError(message, k, { cause: err.cause })
      : new CacheArgumentError(message, k);
  }
  return err;
}
