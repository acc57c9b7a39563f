import { Logger } from '@nestjs/common';
import { msLookingTtlWarning, parseOptionalTtl } from '../../core/ttl';

/** Decorators run before any app (and its logger) exists: Nest's static logger, context `Cache`. */
const logger = new Logger('Cache');

/**
 * Checks the TTL options of a cache decorator where it is applied, so that an error or warning
 * names the place: `Class.method` (or `Class` on a class). Throws `CacheArgumentError` for an
 * unparsable TTL; warns once for a numeric TTL that looks like milliseconds.
 */
export function checkDecoratorTtls(
  decorator: string,
  target: object,
  key: string | symbol | undefined,
  ttls: Record<string, unknown>,
): void {
  const place = placeOf(target, key);
  for (const [field, ttl] of Object.entries(ttls)) {
    const what = `${field} of @${decorator} on ${place}`;
    parseOptionalTtl(ttl as string | number | undefined, what);
    const warning = msLookingTtlWarning(ttl, `@${decorator} ${field} of ${place}`);
    if (warning) logger.warn(warning);
  }
}

/** `Class.method` for a method decorator (target: the prototype), `Class` for a class decorator. */
export function placeOf(target: object, key: string | symbol | undefined): string {
  const cls = typeof target === 'function' ? target : (target as { constructor?: { name?: string } }).constructor;
  const className = (cls as { name?: string } | undefined)?.name || 'anonymous class';
  return key === undefined ? className : `${className}.${String(key)}`;
}
