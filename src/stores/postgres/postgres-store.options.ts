import { CacheConfigError } from '../../core/cache.errors';
import { redactSecrets } from '../../core/format';
import { optionKeys, storeOptionChecks } from '../../core/option-checks';
import { parseDurationOption, type MsOrDuration, type Ttl } from '../../core/ttl';
import type { CacheSerializer } from '../../core/serializer';
import {
  PIPELINE_OPTION_KEYS,
  resolveStorePipeline,
  type StorePipeline,
  type ValuePipelineOptions,
} from '../../core/pipeline';

/*
 * These types describe node-postgres structurally, so that the package's type declarations
 * never import 'pg' (an optional peer). pg's own `Pool`, `Client` and `PoolConfig` are
 * assignable to them.
 */

/** What the store runs queries through: a pg `Pool`, `Client` or `PoolClient`. */
export interface PgQueryable {
  query(config: { text: string; values?: unknown[]; name?: string; rowMode?: 'array' }): Promise<unknown>;
}

/**
 * node-postgres connection options (`PoolConfig`), passed to `new Pool()` as they are: `host`,
 * `port`, `user`, `password`, `database`, `ssl`, `max`, `application_name`...
 * @example { host: '10.0.0.5', user: 'app', password: process.env.PGPASSWORD, database: 'app', max: 10 }
 */
export interface PgConnectionOptions {
  host?: string;
  port?: number;
  user?: string;
  password?: string | (() => string | Promise<string>);
  database?: string;
  /** `true`, or Node `tls.connect` options. */
  ssl?: boolean | object;
  /** Pool size. @default 10 */
  max?: number;
  application_name?: string;
  // `any` is the only index type an interface such as pg's `PoolConfig` is assignable to.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  [option: string]: any;
}

/** Options of `driver: 'postgres'`. Give one of `url` (optionally with `options`), `options`, `pool` or `client`. */
export interface PostgresStoreOptions extends ValuePipelineOptions {
  /**
   * `postgres://[user:password@]host[:port]/database[?sslmode=...]`; a pool of our own is opened
   * (and closed on shutdown).
   * @example 'postgres://app:s3cret@10.0.0.5:5432/app'
   */
  url?: string;
  /** node-postgres pool options; alone, or on top of `url`. */
  options?: PgConnectionOptions;
  /** A `pg.Pool` the application owns: used as it is, never closed by the store. */
  pool?: PgQueryable;
  /**
   * A connected `pg.Client` the application owns: used as it is (queries run one at a time on
   * it), never closed by the store.
   */
  client?: PgQueryable;
  /**
   * The table holding the entries (created unless `createTable: false`).
   * @default 'cachekit_entries'
   */
  table?: string;
  /** The table's schema. @default the connection's `search_path` (usually `public`) */
  schema?: string;
  /**
   * Create the schema, table and index at start-up (idempotent, safe with several instances
   * starting at once). With `false` the store only checks that the table exists with the right
   * columns; the SQL to create it is in docs/stores-postgres.md.
   * @default true
   */
  createTable?: boolean;
  /**
   * Longest wait for any one operation (client-side deadline and, on a pool the store opens,
   * the server's `statement_timeout`); also the deadline of the LISTEN/NOTIFY bus a two-tier
   * store runs on this store. number: milliseconds; string: a duration such as '2s'.
   * Reads that take longer fail open (a miss).
   * @default 1000
   * @example timeout: '2s'
   */
  timeout?: MsOrDuration;
  /**
   * `true`: `manager.ready()` (and Nest start-up) fails with a `CacheUnavailableError` naming the
   * store when the database cannot be reached within `connectTimeout`. By default an unreachable
   * database logs one warning and the store keeps trying in the background.
   * @default false
   */
  requireOnStartup?: boolean;
  /**
   * How long start-up waits for the database with `requireOnStartup`: seconds or a duration
   * string, like a TTL; at most 2^31 - 1 ms (about 24.8 days).
   * @default '10s'
   */
  connectTimeout?: Ttl;
  /**
   * How often expired rows are deleted, in seconds or a duration (`0`: never; expired rows are
   * invisible anyway); at most 2^31 - 1 ms (about 24.8 days). Each sweep deletes at most
   * `sweepBatch` rows per statement.
   * @default '1m'
   */
  sweepInterval?: Ttl | 0;
  /**
   * Whether commits on the pool the store opens wait for the WAL flush. A cache entry lost to a
   * database crash is only a miss, so by default they do not (`synchronous_commit = off` for
   * this store's sessions: writes are several times faster, a crash may lose the last few
   * hundred ms of cache writes, never corrupt them). A `pool` or `client` you pass keeps its own setting.
   * @default false
   */
  synchronousCommit?: boolean;
  /** Rows deleted per sweep statement (each one a short transaction). @default 1000 */
  sweepBatch?: number;
  /**
   * How values become text (must never produce NUL characters, which PostgreSQL text refuses).
   * Counters are stored as decimal text.
   * @default defaultSerializer
   */
  serializer?: CacheSerializer;
}

/** The options once checked, with their defaults. */
export interface ResolvedPostgresOptions {
  source: Pick<PostgresStoreOptions, 'url' | 'options' | 'pool' | 'client'>;
  table: string;
  schema?: string;
  /** `"schema"."table"`, quoted for SQL. */
  qualified: string;
  createTable: boolean;
  /** ms */
  timeout: number;
  requireOnStartup: boolean;
  connectTimeoutMs: number;
  sweepIntervalMs: number;
  sweepBatch: number;
  synchronousCommit: boolean;
  /** The values' serializer (with `compress`/`encrypt`) and `hashKeys`. */
  pipeline: StorePipeline;
}

/** Every option of `driver: 'postgres'` (complete by type). */
export const POSTGRES_STORE_KEYS = optionKeys<PostgresStoreOptions>()([
  'url',
  'options',
  'pool',
  'client',
  'table',
  'schema',
  'createTable',
  'timeout',
  'requireOnStartup',
  'connectTimeout',
  'sweepInterval',
  'sweepBatch',
  'synchronousCommit',
  'serializer',
  ...PIPELINE_OPTION_KEYS,
]);

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_$]{0,62}$/;

/** Checks the options of one Postgres store; throws a CacheConfigError naming the store and field. */
export function resolvePostgresOptions(options: PostgresStoreOptions, name: string): ResolvedPostgresOptions {
  const check = storeOptionChecks(name);
  if (options === null || typeof options !== 'object') check.fail('', 'an object of Postgres options', options);
  check.knownKeys(options, POSTGRES_STORE_KEYS);
  const given = (['url', 'options', 'pool', 'client'] as const).filter((s) => options[s] !== undefined);
  const sources = given.filter((s) => !(s === 'options' && given.includes('url')));
  if (sources.length !== 1) {
    throw new CacheConfigError(
      `${check.at(sources[1] ?? 'url')}: give exactly one of url, options, pool or client (got ${given.join(', ') || 'none'})`,
      name,
      sources[1] ?? 'url',
    );
  }
  const url = options.url;
  if (url !== undefined && (typeof url !== 'string' || !/^postgres(ql)?:\/\//.test(url))) {
    check.fail('url', 'a postgres:// or postgresql:// URL', typeof url === 'string' ? redactSecrets(url) : url);
  }
  for (const s of ['pool', 'client'] as const) {
    const q = options[s];
    if (q !== undefined && typeof (q as { query?: unknown } | null)?.query !== 'function') {
      check.fail(s, `a pg ${s === 'pool' ? 'Pool' : 'Client'} (an object with query())`, q);
    }
  }
  const table = check.string('table', options.table, 'cachekit_entries');
  const schema = check.string('schema', options.schema, undefined);
  for (const [field, v] of [
    ['table', table],
    ['schema', schema],
  ] as const) {
    if (v !== undefined && !IDENTIFIER.test(v)) {
      check.fail(field, 'a plain SQL identifier (letters, digits, _ and $, up to 63)', v);
    }
  }
  return {
    source: { url, options: options.options, pool: options.pool, client: options.client },
    table,
    schema,
    qualified: schema ? `"${schema}"."${table}"` : `"${table}"`,
    createTable: check.boolean('createTable', options.createTable, true),
    timeout: check.msOrDuration('timeout', options.timeout, 1000),
    requireOnStartup: check.boolean('requireOnStartup', options.requireOnStartup, false),
    connectTimeoutMs: parseDurationOption(options.connectTimeout, name, 'connectTimeout', 10_000),
    sweepIntervalMs:
      options.sweepInterval === 0 ? 0 : parseDurationOption(options.sweepInterval, name, 'sweepInterval', 60_000),
    sweepBatch: check.positiveInt('sweepBatch', options.sweepBatch, 1000),
    synchronousCommit: check.boolean('synchronousCommit', options.synchronousCommit, false),
    pipeline: resolveStorePipeline(options, check),
  };
}
