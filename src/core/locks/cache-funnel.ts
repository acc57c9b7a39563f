// `cache.funnel(name, { limit, wait, ttl }).run(fn)` (Laravel's `Cache::funnel`): at most `limit`
// runs at once across processes, as `limit` lock slots. A slot whose holder died frees itself at
// its TTL; a live holder's slot is renewed while its function runs.
import { CacheArgumentError } from '../cache.errors';
import { lockToken } from '../remember/lock-lease';
import { parseTtl, type Ttl } from '../ttl';
import { optionKeys } from '../option-checks';
import { checkOptionKeys, checkRunFn } from './lock-args';
import { acquireWithin, NamedLease, type LockSite } from './cache-lock';

/** Options of `cache.funnel(name, options)`. */
export interface FunnelOptions {
  /** How many runs may hold the funnel at once (across every process on this store). */
  limit: number;
  /**
   * How long `run` waits for a free slot before rejecting with `CacheLockTimeoutError`.
   * @default 0 (one try: reject at once when every slot is taken)
   */
  wait?: Ttl;
  /**
   * Lease of one slot: a slot whose holder crashed is free again after this long. A live holder's
   * slot is renewed while its function runs.
   * @default '10s'
   */
  ttl?: Ttl;
}

const FUNNEL_OPTION_KEYS = optionKeys<FunnelOptions>()(['limit', 'wait', 'ttl']);

/** A concurrency limiter shared by every process using the same store and name. */
export class CacheFunnel {
  private readonly limit: number;
  private readonly waitMs: number;

  constructor(
    private readonly site: LockSite,
    readonly name: string,
    private readonly options: FunnelOptions,
  ) {
    if (typeof name !== 'string' || name.length === 0) {
      throw new CacheArgumentError(`Invalid funnel name: expected a non-empty string`);
    }
    checkOptionKeys(options, FUNNEL_OPTION_KEYS, `funnel("${name}")`);
    const limit = (options as Partial<FunnelOptions> | undefined)?.limit;
    if (typeof limit !== 'number' || !Number.isInteger(limit) || limit < 1) {
      throw new CacheArgumentError(
        `Invalid limit of funnel "${name}": expected a positive integer, got ${String(limit)}`,
      );
    }
    this.limit = limit;
    this.waitMs =
      options.wait === undefined || options.wait === 0 ? 0 : parseTtl(options.wait, `wait of funnel "${name}"`);
    if (options.ttl !== undefined) parseTtl(options.ttl, `ttl of funnel "${name}"`);
  }

  /**
   * Runs `fn` once a slot is free (waiting up to `wait`), holds the slot while it runs, frees it,
   * and resolves what `fn` resolved. Rejects with `CacheLockTimeoutError` when no slot freed up.
   */
  async run<T>(fn: () => T | Promise<T>): Promise<T> {
    checkRunFn(fn, `funnel("${this.name}").run(fn)`);
    const owner = lockToken();
    const slots = Array.from(
      { length: this.limit },
      (_, i) => new NamedLease(this.site, `\u0000funnel:${this.name}#${i}`, owner, this.options.ttl, true),
    );
    const slot = await acquireWithin(slots, this.waitMs, `funnel:${this.name}`);
    return slot.runHeld(fn);
  }
}
