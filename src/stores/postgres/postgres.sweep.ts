import type { PostgresConnection } from './postgres.connection';
import type { Statements } from './postgres.sql';

/** Batches per sweep at most: a huge backlog is worked off over several sweeps, not in one go. */
const MAX_BATCHES = 100;

/**
 * Deletes expired rows in the background. Expired rows are already invisible to every read,
 * so this only reclaims space: each statement deletes at most `batch` rows (a short transaction
 * that locks only those rows; rows another sweeper holds are skipped), with a pause between
 * batches. The timer is unref'd, so it never keeps a process alive, and stops on close.
 */
export class PostgresSweep {
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;
  private stopped = false;

  constructor(
    private readonly conn: PostgresConnection,
    private readonly sql: Statements,
    private readonly intervalMs: number,
    private readonly batch: number,
  ) {}

  start(): void {
    if (this.intervalMs <= 0 || this.timer || this.stopped) return;
    this.timer = setInterval(() => void this.sweep(), this.intervalMs);
    this.timer.unref();
  }

  /** One sweep (skipped while one runs, or before the table is ready); resolves the rows deleted. */
  async sweep(): Promise<number> {
    if (this.running || this.stopped || !this.conn.ready) return 0;
    let total = 0;
    const run = (async () => {
      for (let i = 0; i < MAX_BATCHES && !this.stopped; i++) {
        const r = await this.conn.run('sweep', this.sql.sweepBatch, [this.batch]);
        total += r.rowCount ?? 0;
        if ((r.rowCount ?? 0) < this.batch) break;
        await new Promise((resolve) => setTimeout(resolve, 10).unref());
      }
    })();
    this.running = run.catch(() => undefined);
    try {
      await run;
    } catch {
      // The database is down: the next sweep tries again.
    } finally {
      this.running = undefined;
    }
    return total;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    await this.running;
  }
}
