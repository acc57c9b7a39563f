import type { Clock } from '../core/clock';
import { parseTtl, type Ttl } from '../core/ttl';

/**
 * A clock that only moves when told to, so TTL, staleTtl and jitter are tested without sleeping.
 * Pass it as `clock` to `createCacheManager`, `CacheModule.forRoot` or `createFakeCache`.
 *
 * @example
 * const clock = new ManualClock();
 * const caches = createCacheManager({ clock });
 * await caches.default.set('k', 'v', '10m');
 * clock.advance('10m'); // 'k' has now expired
 */
export class ManualClock implements Clock {
  private current: number;

  /** @param start epoch ms to start at @default the real time at construction */
  constructor(start: number = Date.now()) {
    this.current = start;
  }

  now(): number {
    return this.current;
  }

  /** Moves time forward by a TTL-style duration: seconds, or a string such as `'10m'` or `'500ms'`. */
  advance(by: Ttl): void {
    this.current += parseTtl(by, 'advance');
  }

  /** Jumps to an absolute time (epoch ms or a Date). Time may not go backwards. */
  set(to: number | Date): void {
    const t = typeof to === 'number' ? to : to.getTime();
    if (t < this.current) throw new RangeError('ManualClock cannot go backwards');
    this.current = t;
  }
}
