import type { CanActivate, Type } from '@nestjs/common';
import { CacheConfigError } from '../core/cache.errors';

/** Options of `CacheAdminModule.forRoot`. */
export interface CacheAdminOptions {
  /** Where the page and API are mounted (under the app's global prefix, if any). @default '_cache' */
  path?: string;
  /**
   * Guards protecting every route, the page included (classes or instances, as `@UseGuards`
   * takes them). Required: an empty list needs `allowUnguarded: true`.
   */
  guards: (Type<CanActivate> | CanActivate)[];
  /** Allow `guards: []` (logged as a warning at start-up). Never in production. @default false */
  allowUnguarded?: boolean;
  /** Return cached values from the key lookup (they may hold personal data). @default false */
  exposeValues?: boolean;
  /** Refuse evict, flush and clear with 403 and hide their buttons. @default false */
  readOnly?: boolean;
}

export interface ResolvedAdminOptions {
  path: string;
  guards: (Type<CanActivate> | CanActivate)[];
  allowUnguarded: boolean;
  exposeValues: boolean;
  readOnly: boolean;
}

const KNOWN = ['path', 'guards', 'allowUnguarded', 'exposeValues', 'readOnly'];

export function resolveAdminOptions(options: CacheAdminOptions | undefined): ResolvedAdminOptions {
  if (options === null || typeof options !== 'object') {
    throw new CacheConfigError(
      'CacheAdminModule.forRoot(options) needs an options object with "guards"',
      undefined,
      'guards',
    );
  }
  for (const key of Object.keys(options)) {
    if (!KNOWN.includes(key)) {
      throw new CacheConfigError(
        `CacheAdminModule option "${key}" is not a known option. Known options: ${KNOWN.join(', ')}`,
        undefined,
        key,
      );
    }
  }
  const { guards, allowUnguarded = false, exposeValues = false, readOnly = false } = options;
  if (!Array.isArray(guards)) {
    throw new CacheConfigError(
      'CacheAdminModule option "guards" is required: the guards that protect the admin routes (or [] with allowUnguarded: true)',
      undefined,
      'guards',
    );
  }
  if (guards.length === 0 && allowUnguarded !== true) {
    throw new CacheConfigError(
      'CacheAdminModule option "guards" is empty: anyone could read and clear the cache. Pass a guard, or allowUnguarded: true for local development',
      undefined,
      'guards',
    );
  }
  for (const [field, value] of Object.entries({ allowUnguarded, exposeValues, readOnly })) {
    if (typeof value !== 'boolean') {
      throw new CacheConfigError(`CacheAdminModule option "${field}" must be a boolean`, undefined, field);
    }
  }
  const path = (options.path ?? '_cache').replace(/^\/+|\/+$/g, '');
  if (typeof options.path !== 'undefined' && (typeof options.path !== 'string' || !/^[\w\-./]*$/.test(path))) {
    throw new CacheConfigError(
      `CacheAdminModule option "path" must be a URL path such as '_cache', got ${JSON.stringify(options.path)}`,
      undefined,
      'path',
    );
  }
  return { path, guards, allowUnguarded, exposeValues, readOnly };
}
