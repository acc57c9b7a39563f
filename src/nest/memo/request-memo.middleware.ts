import { runInRequestScope } from '../../core/memo/memo-scope';

/**
 * Gives each HTTP request its own `cache.memo()` scope (guards, interceptors, pipes and handler
 * included). Registered for every route by `CacheModule`; until some code asks for a memo it only
 * calls `next()` (no AsyncLocalStorage, which would make every promise of the process pay).
 */
export function requestMemoMiddleware(_req: unknown, _res: unknown, next: () => void): void {
  runInRequestScope(next);
}
