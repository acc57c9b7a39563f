import { CacheConfigError, CacheError, CacheTimeoutError, CacheUnavailableError } from '../../core/cache.errors';
import type { CacheLogger } from '../../core/logger';
import { redactSecrets as redact } from '../../core/format';
import type { PgConnectionOptions, PgQueryable, ResolvedPostgresOptions } from './postgres-store.options';
import { createTableSql, DESCRIBE_TABLE, expiresIndex, REQUIRED_COLUMNS, type Statement } from './postgres.sql';

/** A row of DESCRIBE_TABLE: column name, type, (namespace, key) unique, expiry index present. */
type Described = [string, string, boolean, boolean];

/** The parts of node-postgres the store uses. */
export interface PgLib {
  Pool: new (config: PgConnectionOptions) => PgPool;
  Client: new (config: PgConnectionOptions) => PgListenClient;
}
export interface PgPool extends PgQueryable {
  on(event: 'error', fn: (err: Error) => void): unknown;
  end(): Promise<void>;
  readonly options?: PgConnectionOptions;
}
/** A client dedicated to LISTEN (lock wake-ups, the two-tier bus). */
export interface PgListenClient extends PgQueryable {
  connect(): Promise<void>;
  end(): Promise<void>;
  on(event: 'notification', fn: (msg: { channel: string; payload?: string }) => void): unknown;
  on(event: 'error' | 'end', fn: (err?: Error) => void): unknown;
}
export interface PgResult {
  rows: unknown[][];
  rowCount: number | null;
}

/** Loads the optional pg peer, with a clear error when it is not installed. */
export async function loadPg(store: string): Promise<PgLib> {
  let mod: Partial<PgLib> & { default?: Partial<PgLib> };
  try {
    mod = (await import('pg')) as unknown as Partial<PgLib> & { default?: Partial<PgLib> };
  } catch (err) {
    throw new CacheConfigError(
      `stores.${store}: driver "postgres" needs the "pg" package (npm i pg)`,
      store,
      'driver',
      {
        cause: err,
      },
    );
  }
  const Pool = mod.Pool ?? mod.default?.Pool;
  const Client = mod.Client ?? mod.default?.Client;
  if (!Pool || !Client)
    throw new CacheConfigError(`stores.${store}: the installed "pg" is not version 8`, store, 'driver');
  return { Pool, Client };
}

/** Where the store connects, for messages (never with a password). */
export function describePgTarget(source: ResolvedPostgresOptions['source']): string {
  if (source.pool) return 'the provided pool';
  if (source.client) return 'the provided client';
  if (source.url) return redact(source.url);
  const o = source.options ?? {};
  return `${o.host ?? 'localhost'}:${o.port ?? 5432}${o.database ? `/${o.database}` : ''}`;
}

/** Server errors meaning "the statement ran out of time" (statement_timeout, lock_timeout). */
const TIMEOUT_CODES = new Set(['57014', '55P03']);
const TIMEOUT_MESSAGES = /timeout|timed out/i;

/**
 * The connection side of one Postgres store: a pool (ours, or the application's, never closed),
 * queries with a deadline, and the table set up once (created or checked) before first use. When
 * the database cannot be reached, operations fail at once and set-up is retried in the background.
 */
export class PostgresConnection {
  private pool?: PgQueryable;
  private owned?: PgPool;
  private lib?: Promise<PgLib>;
  private setup?: Promise<void>;
  private retry?: NodeJS.Timeout;
  private backoff = 500;
  private lastAttempt = -Infinity;
  private lastError?: unknown;
  private warned = false;
  private closed = false;
  /** Whether the table is known to be there: operations then skip every check. */
  ready = false;
  readonly target: string;

  constructor(
    private readonly o: ResolvedPostgresOptions,
    private readonly name: string,
    private readonly logger: CacheLogger,
  ) {
    this.target = describePgTarget(o.source);
  }

  /** Start-up: sets the table up; see `requireOnStartup` for what happens when that fails. */
  async init(): Promise<void> {
    const wait = this.o.requireOnStartup ? this.o.connectTimeoutMs : Math.min(this.o.connectTimeoutMs, 3000);
    try {
      await deadline(this.attempt(), wait);
    } catch (err) {
      if (err instanceof CacheConfigError) throw err;
      const cause = new Error(redact(err instanceof Error ? err.message : String(err)));
      if (this.o.requireOnStartup) throw new CacheUnavailableError(this.name, `connect to ${this.target}`, cause);
      this.warnUnreachable(err);
    }
  }

  /** The pg library, loaded on first use (the peer is optional). */
  library(): Promise<PgLib> {
    return (this.lib ??= loadPg(this.name));
  }

  /** Connection options of a new client to the same database (the LISTEN connections). */
  async listenerConfig(): Promise<PgConnectionOptions> {
    const s = this.o.source;
    if (s.pool) return { ...((s.pool as PgPool).options ?? {}) };
    if (s.client) {
      const c = s.client as unknown as PgConnectionOptions;
      const keys = ['host', 'port', 'user', 'password', 'database', 'ssl'];
      return Object.fromEntries(keys.filter((k) => c[k] !== undefined).map((k) => [k, c[k]]));
    }
    return { ...this.poolConfig(), max: undefined, query_timeout: undefined, statement_timeout: undefined };
  }

  /** Runs one named statement; failures become the cache's typed errors naming `op`. */
  async run(op: string, st: Statement, values: unknown[]): Promise<PgResult> {
    if (!this.ready) await this.ensure(op);
    const pool = this.pool!;
    try {
      const q = pool.query({ name: st.name, text: st.text, values, rowMode: 'array' }) as Promise<PgResult>;
      return await (this.owned ? q : deadline(q, this.o.timeout));
    } catch (err) {
      throw this.failure(op, err);
    }
  }

  failure(op: string, err: unknown): CacheError {
    if (err instanceof CacheError) return err;
    const e = err as { code?: string; message?: string };
    if (TIMEOUT_CODES.has(e?.code ?? '') || TIMEOUT_MESSAGES.test(e?.message ?? '')) {
      return new CacheTimeoutError(this.name, op, this.o.timeout);
    }
    return new CacheUnavailableError(this.name, op, new Error(redact(e?.message ?? String(err))));
  }

  /** Ends the pool if the store opened it; a `pool` or `client` given in the options stays open. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearTimeout(this.retry);
    await this.setup?.catch(() => undefined);
    await this.owned?.end().catch(() => undefined);
  }

  // ------------------------------------------------------------------------------------------

  private async ensure(op: string): Promise<void> {
    if (this.closed) throw new CacheUnavailableError(this.name, op, new Error('the store is closed'));
    // While the database is unreachable, at most one attempt a second: the rest fail at once.
    if (!this.setup && Date.now() - this.lastAttempt >= 1000) void this.attempt().catch(() => undefined);
    if (!this.setup) {
      if (this.lastError instanceof CacheConfigError) throw this.lastError;
      throw this.failure(op, this.lastError ?? new Error('not connected yet'));
    }
    try {
      await deadline(this.setup, this.o.timeout);
    } catch (err) {
      throw this.failure(op, err);
    }
  }

  /** One set-up attempt (shared by concurrent callers); on failure, retried in the background. */
  private attempt(): Promise<void> {
    this.lastAttempt = Date.now();
    this.setup ??= this.prepare().then(
      () => {
        this.ready = true;
        clearTimeout(this.retry);
        if (this.warned) this.logger.log?.(`Cache store "${this.name}": connected to PostgreSQL at ${this.target}`);
        this.warned = false;
      },
      (err: unknown) => {
        this.setup = undefined;
        this.lastError = err;
        this.scheduleRetry();
        throw err;
      },
    );
    return this.setup;
  }

  private scheduleRetry(): void {
    if (this.closed || this.ready) return;
    clearTimeout(this.retry);
    this.retry = setTimeout(() => {
      this.attempt().catch((err: unknown) => this.warnUnreachable(err));
    }, this.backoff);
    this.retry.unref();
    this.backoff = Math.min(this.backoff * 2, 30_000);
  }

  private warnUnreachable(err: unknown): void {
    if (this.warned || this.closed) return;
    this.warned = true;
    const why = redact(err instanceof Error ? err.message : String(err));
    if (err instanceof CacheConfigError) this.logger.error(`Cache store "${this.name}": ${why}`);
    else
      this.logger.warn(
        `Cache store "${this.name}": PostgreSQL at ${this.target} is unreachable (${why}); reads miss and the store keeps connecting in the background`,
      );
  }

  private async prepare(): Promise<void> {
    if (!this.pool) {
      const s = this.o.source;
      if (s.pool || s.client) this.pool = (s.pool ?? s.client)!;
      else {
        const lib = await this.library();
        if (this.closed) throw new Error('the store is closed');
        const pool = new lib.Pool(this.poolConfig());
        pool.on('error', (err) => this.onIdleError(err));
        this.owned = pool;
        this.pool = pool;
      }
    }
    const query = (text: string, values?: unknown[]): Promise<PgResult> =>
      deadline(this.pool!.query({ text, values, rowMode: 'array' }) as Promise<PgResult>, this.o.connectTimeoutMs);
    const { table, schema, qualified } = this.o;
    const index = schema ? `"${schema}"."${expiresIndex(table)}"` : `"${expiresIndex(table)}"`;
    const describe = async () => (await query(DESCRIBE_TABLE, [qualified, index])).rows as Described[];
    let rows = await describe();
    // DDL only when something is missing: a restart of a running fleet never takes a table lock.
    if (this.o.createTable && (rows.length === 0 || !rows[0][3])) {
      await query(createTableSql(table, schema, qualified));
      rows = await describe();
    }
    this.checkColumns(rows);
  }

  private checkColumns(rows: Described[]): void {
    const where = `stores.${this.name}: table ${this.o.qualified.replace(/"/g, '')}`;
    const hint = 'see docs/stores-postgres.md for the SQL, or createTable: true';
    if (rows.length === 0) throw new CacheConfigError(`${where} does not exist (${hint})`, this.name, 'table');
    const have = new Map(rows.map(([n, t]) => [n, t]));
    const problems = Object.entries(REQUIRED_COLUMNS)
      .filter(([n, t]) => have.get(n) !== t)
      .map(([n, t]) => (have.has(n) ? `column ${n} is ${have.get(n)}, expected ${t}` : `missing column ${n} (${t})`));
    if (!rows[0][2]) problems.push('no primary key or unique index on (namespace, key)');
    if (problems.length) throw new CacheConfigError(`${where}: ${problems.join('; ')} (${hint})`, this.name, 'table');
  }

  private poolConfig(): PgConnectionOptions {
    const s = this.o.source;
    const t = this.o.timeout;
    return {
      max: 10,
      application_name: `cachekit:${this.name}`,
      ...(s.url ? { connectionString: s.url } : {}),
      ...s.options,
      // Every statement has a deadline, on the server (statement_timeout) and here.
      connectionTimeoutMillis: s.options?.connectionTimeoutMillis ?? t,
      query_timeout: s.options?.query_timeout ?? t,
      statement_timeout: s.options?.statement_timeout ?? t,
      // Startup parameters: no round trip per connection.
      options: [s.options?.options, this.o.synchronousCommit ? '' : '-c synchronous_commit=off']
        .filter(Boolean)
        .join(' '),
    };
  }

  private idleErrors = 0;
  private onIdleError(err: Error): void {
    // A pooled connection dropped while idle (server restart, pg_terminate_backend): the pool
    // discards it and opens another on demand. Logged once per burst.
    if (this.closed || this.idleErrors++ % 100 !== 0) return;
    this.logger.warn(`Cache store "${this.name}": a PostgreSQL connection was lost (${redact(err.message)})`);
  }
}

/** Rejects with a timeout error when `promise` takes longer than `ms`. */
export function deadline<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout;
  const limit = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms`)), ms);
  });
  return Promise.race([promise, limit]).finally(() => clearTimeout(timer));
}
