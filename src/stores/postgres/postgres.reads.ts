import type { PostgresConnection } from './postgres.connection';
import type { Statements } from './postgres.sql';

interface Waiting {
  k: string;
  resolve(text: string | undefined): void;
  reject(err: unknown): void;
}

/** Keys per coalesced statement at most. */
const MAX_BATCH = 500;

/**
 * Single-key reads of one store. While fewer than `slots` are in flight, a read is its own
 * statement (no added latency); beyond that, reads wait and leave together, as one
 * `= ANY($2)` statement per free slot, instead of queueing one by one for a pooled connection
 * (100 concurrent gets on a pool of 10: about 10 statements, not 100).
 */
export class PostgresReads {
  private inFlight = 0;
  private queue: Waiting[] = [];

  constructor(
    private readonly conn: PostgresConnection,
    private readonly sql: Statements,
    private readonly ns: string,
    private readonly slots: number,
  ) {}

  /** The stored text of `k` (a stored key), `undefined` when missing or expired. */
  async get(k: string): Promise<string | undefined> {
    if (this.inFlight >= this.slots) {
      return new Promise<string | undefined>((resolve, reject) => this.queue.push({ k, resolve, reject }));
    }
    this.inFlight++;
    try {
      const r = await this.conn.run('get', this.sql.get, [this.ns, k]);
      return r.rows.length === 0 ? undefined : (r.rows[0][0] as string);
    } finally {
      this.inFlight--;
      this.drain();
    }
  }

  private drain(): void {
    while (this.queue.length > 0 && this.inFlight < this.slots) {
      const batch = this.queue.splice(0, MAX_BATCH);
      this.inFlight++;
      void this.runBatch(batch).finally(() => {
        this.inFlight--;
        this.drain();
      });
    }
  }

  private async runBatch(batch: Waiting[]): Promise<void> {
    try {
      const keys = [...new Set(batch.map((w) => w.k))];
      const r = await this.conn.run('get', this.sql.getMany, [this.ns, keys]);
      const found = new Map<string, string>();
      for (const row of r.rows) found.set(row[0] as string, row[1] as string);
      for (const w of batch) w.resolve(found.get(w.k));
    } catch (err) {
      for (const w of batch) w.reject(err);
    }
  }
}
