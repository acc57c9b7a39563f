import type { AbstractHttpAdapter } from '@nestjs/core';
import { runInRequestScope } from '../../core/memo/memo-scope';

/** Marks a framework instance whose requests already open a scope (one hook however many modules). */
const OPENED = Symbol.for('nestjs-cachekit.request-memo-scope');

interface FastifyLike {
  addHook(name: 'onRequest', hook: (request: unknown, reply: unknown, done: () => void) => void): unknown;
}
interface ExpressLike {
  use(handler: (req: unknown, res: unknown, next: () => void) => void): unknown;
}

/** Fastify root `onRequest` hook: the rest of the request (hooks, guards, handler) runs in the scope. */
function fastifyScope(_request: unknown, _reply: unknown, done: () => void): void {
  runInRequestScope(done);
}

/** Express app-level middleware: the layers after it (Nest middleware, routes) run in the scope. */
function expressScope(_req: unknown, _res: unknown, next: () => void): void {
  runInRequestScope(next);
}

/**
 * Gives each HTTP request its own `cache.memo()` scope at the framework's own level, without a
 * Nest middleware (which on Fastify sends every request of the app through @fastify/middie and
 * Nest's path matcher): a root `onRequest` hook on Fastify, an app-level `use` on Express. Called
 * by `CacheModule.configure`, which Nest runs during `app.init()` before it registers any route
 * and before Fastify is ready (Fastify gives a route the root hooks it has at `ready`). Until some
 * code asks for a memo the hook only continues (no AsyncLocalStorage).
 *
 * @returns false for an adapter it does not know, whose requests the module then scopes with a
 * Nest middleware, as before; true when the scope is installed (or was by another module).
 */
export function openRequestMemoScopes(adapter: AbstractHttpAdapter | undefined): boolean {
  const instance = adapter?.getInstance?.() as
    (Record<symbol, unknown> & Partial<FastifyLike & ExpressLike>) | undefined;
  if (!adapter || !instance) return false;
  if (instance[OPENED]) return true;
  const type = adapter.getType();
  if (type === 'fastify' && typeof instance.addHook === 'function') instance.addHook('onRequest', fastifyScope);
  else if (type === 'express' && typeof instance.use === 'function') instance.use(expressScope);
  else return false;
  instance[OPENED] = true;
  return true;
}

/** The fallback for other adapters: a Nest middleware for every route. */
export function requestMemoMiddleware(_req: unknown, _res: unknown, next: () => void): void {
  runInRequestScope(next);
}
