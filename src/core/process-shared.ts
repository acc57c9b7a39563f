/**
 * One value per process, however many copies of this package are loaded. An app can load the
 * ES module build and the CommonJS build side by side (an ESM app using a CommonJS library that
 * depends on nestjs-cachekit, or `require(esm)` next to `import`); each build has its own module
 * instances, so state that must be seen by both (registries, async context, brands) lives on
 * `globalThis` under a `Symbol.for` key, created by whichever copy asks first.
 *
 * Only plain structures are shared (Set, WeakMap, AsyncLocalStorage, flags), never a class
 * instance whose methods could differ between versions.
 */
export function processShared<T>(name: string, create: () => T): T {
  const key = Symbol.for(`nestjs-cachekit:${name}`);
  const registry = globalThis as unknown as Record<symbol, T | undefined>;
  let value = registry[key];
  if (value === undefined) {
    value = create();
    Object.defineProperty(globalThis, key, { value, configurable: false, enumerable: false, writable: false });
  }
  return value;
}
