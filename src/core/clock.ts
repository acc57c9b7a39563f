import { CacheConfigError } from './cache.errors';

/** A source of wall-clock time in epoch milliseconds. Tests swap it for a manual clock. */
export interface Clock {
  now(): number;
}

/** The real clock. */
export const systemClock: Clock = { now: () => Date.now() };

/**
 * The `clock` option, checked at start-up: a clock without `now()` would only fail at the first
 * read or write, as "this.clock.now is not a function".
 * @throws CacheConfigError naming the `clock` option.
 */
export function checkClock(clock: unknown): Clock | undefined {
  if (clock === undefined) return undefined;
  if (clock !== null && typeof clock === 'object' && typeof (clock as Partial<Clock>).now === 'function') {
    return clock as Clock;
  }
  throw new CacheConfigError(
    `Cache option "clock" must have a now() method answering epoch milliseconds, got ${clock === null || typeof clock !== 'object' ? String(clock) : 'an object without it'}`,
    undefined,
    'clock',
  );
}
