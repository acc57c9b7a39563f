/** The logging surface the core needs. The Nest layer passes Nest's `Logger` (context `Cache`). */
export interface CacheLogger {
  log?(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

/** Logs to the console; used when no logger is configured. */
export const consoleLogger: CacheLogger = {
  warn: (m) => console.warn(`[cache] ${m}`),
  error: (m) => console.error(`[cache] ${m}`),
};

/**
 * Logs the first error of a burst and counts the rest, so an outage produces a few lines,
 * not one per request: after `windowMs` of quiet the next error is logged again with the
 * number suppressed in between.
 */
export class BurstLogger {
  private windowStart = -Infinity;
  private suppressed = 0;

  constructor(
    private readonly logger: CacheLogger,
    private readonly now: () => number,
    private readonly windowMs = 10_000,
  ) {}

  error(message: string): void {
    const t = this.now();
    if (t - this.windowStart < this.windowMs) {
      this.suppressed++;
      return;
    }
    const extra = this.suppressed ? ` (${this.suppressed} similar errors suppressed)` : '';
    this.suppressed = 0;
    this.windowStart = t;
    this.logger.error(message + extra);
  }
}
