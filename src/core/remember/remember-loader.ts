// The slow half of `remember`: running the loader once per key in this process (single-flight),
// under a cross-process lease when asked, with write-race protection (a write, delete or clear
// of the key while the loader runs keeps its result from being stored), tag versions read before
// the load, dependency tags passed up to an enclosing remember, and the stale-while-revalidate
// write-back and background refresh. The hit path stays in the Cache facade.
import { checkValue } from '../cache-args';
import { CacheUnavailableError } from '../cache.errors';
import type { Clock } from '../clock';
import { wrap } from '../envelope';
import { checkValueSize } from '../value-limit';
import { acquireLease, type Lease, type LeaseContext } from './lock-lease';
import { dependencyScope, isTracking, type DependencyScope } from './dependency-scope';
import type { RememberPlan } from './remember-plan';
import { SingleFlight } from './single-flight';

/** A load's value and the tags it depends on (passed up to an enclosing remember). */
export interface Loaded {
  value: unknown;
  tags?: Record<string, string>;
}

interface InFlight {
  invalidated: boolean;
}

/** Loads of one cache. Built once per cache; {@link invalidate} runs on every write. */
export class RememberLoader {
  private readonly flights = new SingleFlight();
  private readonly inflight = new Map<string, InFlight>();
  /**
   * Loads of this cache that stored their result so far. A caller reads it before its store read:
   * if it moved by the time that read missed, another load may have stored the key while the read
   * was on its way (its miss is outdated and that load's single-flight is over), so the caller's
   * load looks again first. One number for every key: a load that finished for another key costs
   * a look, never a second loader call.
   */
  stored = 0;

  constructor(
    private readonly ctx: LeaseContext,
    private readonly clock: Clock,
    /** The store's `maxValueBytes`, checked on the write of a loaded value. */
    private readonly maxValueBytes: number | undefined,
  ) {}

  /** A write to the store key `k`: a load running for it must not store its (older) result. */
  invalidate(k: string): void {
    if (this.inflight.size === 0) return;
    const flight = this.inflight.get(k);
    if (flight) flight.invalidated = true;
  }

  /** The cache was cleared: no running load may store its result. */
  invalidateAll(): void {
    for (const flight of this.inflight.values()) flight.invalidated = true;
  }

  /**
   * Runs the loader for `k` (once per key in this process) and stores its result. `seen` is
   * {@link stored} as it was before the caller's store read (omitted: no read to doubt).
   */
  run(
    k: string,
    key: string,
    plan: RememberPlan,
    loader: () => unknown,
    tags: readonly string[] | undefined,
    seen = this.stored,
  ): Promise<Loaded> {
    return this.flights.run(k, () => this.load(k, key, plan, loader, tags, seen));
  }

  /** Refreshes a stale value in the background (stale-while-revalidate). */
  refresh(
    k: string,
    key: string,
    plan: RememberPlan,
    loader: () => unknown,
    tags: readonly string[] | undefined,
  ): void {
    void this.run(k, key, plan, loader, tags).catch(
      () => undefined /* fail-safe: already logged; stale value keeps being served */,
    );
  }

  private async load(
    k: string,
    key: string,
    plan: RememberPlan,
    loader: () => unknown,
    tags: readonly string[] | undefined,
    seen: number,
  ): Promise<Loaded> {
    const { store, guard, meter, entries } = this.ctx;
    const flight: InFlight = { invalidated: false };
    this.inflight.set(k, flight);
    let lease: Lease | undefined;
    try {
      // Tag versions are read before the loader runs: a flush during the loader makes the
      // result outdated on arrival (write-race protection across processes).
      if (plan.storeDown) {
        return { value: isTracking() ? await dependencyScope.run({ tags: {} }, loader) : await loader() };
      }
      if (seen !== this.stored) {
        const entry = await entries.read(k, key);
        if (entry !== undefined && !entry.stale) return { value: entry.value, tags: entry.tags };
      }
      const versions = tags ? await entries.versionsOpen(tags) : undefined;
      if (plan.lock) {
        // A store that cannot lock must not stop remember: the loader then runs unlocked (fail open).
        lease = await acquireLease(this.ctx, k, key, plan.lockTtlMs, plan.lockTimeoutMs).catch((err: unknown) => {
          if (err instanceof CacheUnavailableError) return undefined;
          throw err;
        });
        if (lease && !lease.held) {
          const entry = await entries.read(k, key);
          if (entry !== undefined && !entry.stale) return { value: entry.value, tags: entry.tags };
        }
      }
      const scope: DependencyScope = { tags: {} };
      const tracked = isTracking();
      const value = tracked ? await dependencyScope.run(scope, loader) : await loader();
      const allTags = { ...scope.tags, ...versions };
      if (value === undefined) return { value };
      checkValue(key, value);
      if (!flight.invalidated && tracked === isTracking()) {
        const now = this.clock.now();
        const freshUntil = plan.staleMs !== undefined && plan.ttlMs !== undefined ? now + plan.ttlMs : undefined;
        const hardTtl = freshUntil !== undefined ? plan.ttlMs! + plan.staleMs! : plan.ttlMs;
        const stored = wrap(value, allTags, freshUntil);
        if (this.maxValueBytes !== undefined) checkValueSize(key, stored, this.maxValueBytes);
        const start = meter.started();
        const ok = await guard.failOpen(
          'set',
          key,
          async () => {
            await store.set(k, stored, hardTtl);
            return true;
          },
          false,
        );
        if (ok) {
          this.stored++;
          meter.wrote('set', key, start);
        } else meter.writeFailed('set', key, start);
      }
      return { value, tags: Object.keys(allTags).length ? allTags : undefined };
    } finally {
      if (this.inflight.get(k) === flight) this.inflight.delete(k);
      if (lease?.held) await lease.release();
    }
  }
}
