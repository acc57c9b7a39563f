// Request scopes for `cache.memo()`. A scope is entered per HTTP request by the Nest module's hook
// (src/nest/memo), and only once some code has asked for a memo: AsyncLocalStorage makes every
// promise of the process pay on Node 20, so apps that never memoise never enter one.
import { AsyncLocalStorage } from 'node:async_hooks';

/** One request's memo: one map per underlying cache. */
export type RequestMemo = WeakMap<object, Map<string, unknown>>;

interface MemoState {
  inUse: boolean;
  storage?: AsyncLocalStorage<RequestMemo>;
}

// One state per process however the package is loaded (CommonJS and ESM copies share it).
const STATE_KEY = Symbol.for('nestjs-cachekit.request-memo');
const state: MemoState =
  ((globalThis as Record<symbol, unknown>)[STATE_KEY] as MemoState | undefined) ??
  ((globalThis as Record<symbol, unknown>)[STATE_KEY] = { inUse: false });

/** Called by `memo()`: from now on, requests run in a memo scope. */
export function useRequestMemo(): void {
  if (state.inUse) return;
  state.inUse = true;
  state.storage ??= new AsyncLocalStorage<RequestMemo>();
}

/** Runs `fn` in a fresh request scope (nothing is entered while no memo was ever asked for). */
export function runInRequestScope<T>(fn: () => T): T {
  return state.inUse ? state.storage!.run(new WeakMap(), fn) : fn();
}

/** The current request's memo, if a scope is active. */
export function currentRequestMemo(): RequestMemo | undefined {
  return state.inUse ? state.storage!.getStore() : undefined;
}
