import { CacheUnavailableError } from '../../core/cache.errors';
import type { InvalidationBus } from './invalidation-bus';

/** How a two-tier store starts: whether start-up must wait for L2 and the bus, and how long. */
export interface TieredStartup {
  required: boolean;
  /** ms; with `required`, the longest start-up waits */
  timeoutMs: number;
}

/** Polling step while a strict start-up waits (start-up only, so a timer is cheap). */
const STEP_MS = 100;

/**
 * `requireOnStartup` of a two-tier store: resolves once L2 answers and the bus (if any) is
 * subscribed; otherwise rejects after `timeoutMs` with a `CacheUnavailableError` naming the
 * store and what is missing. L2 and the bus keep retrying on their own meanwhile.
 */
export async function requireTiers(
  store: string,
  probeL2: () => Promise<void>,
  bus: InvalidationBus | undefined,
  timeoutMs: number,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const missing = await whatIsMissing(probeL2, bus);
    if (missing.length === 0) return;
    const left = deadline - Date.now();
    if (left <= 0) {
      throw new CacheUnavailableError(
        store,
        'start',
        new Error(`${missing.join('; ')} within ${timeoutMs} ms (requireOnStartup)`),
      );
    }
    await new Promise((resolve) => setTimeout(resolve, Math.min(STEP_MS, left)));
  }
}

async function whatIsMissing(probeL2: () => Promise<void>, bus: InvalidationBus | undefined): Promise<string[]> {
  const missing: string[] = [];
  try {
    await probeL2();
  } catch (err) {
    missing.push(`L2 did not answer (${err instanceof Error ? err.message : String(err)})`);
  }
  if (bus && !bus.connected)
    missing.push(`the invalidation bus${bus.address ? ` at ${bus.address}` : ''} is not subscribed`);
  return missing;
}

/** Waits for `started` (which never rejects), but never longer than `ms`. */
export async function atMost(started: Promise<unknown> | undefined, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const bound = new Promise<void>((resolve) => (timer = setTimeout(resolve, ms)));
  await Promise.race([started, bound]);
  clearTimeout(timer);
}
