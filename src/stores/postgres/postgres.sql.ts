// The SQL of one Postgres store, built once per table. Every statement takes the namespace as
// $1 and runs as one round trip; expiry is computed by the database's clock (`now()`), so every
// instance agrees on it whatever their own clocks say.
import { createHash } from 'node:crypto';

/** A named (prepared once per connection) statement. */
export interface Statement {
  name: string;
  text: string;
}

const LIVE = '(expires_at IS NULL OR expires_at > now())';
/** A TTL in ms (NULL: none) as an absolute expiry. */
const EXPIRY = (p: string): string => `now() + ${p}::float8 * interval '1 millisecond'`;
/** Largest counter a JavaScript number holds exactly. */
const MAX_SAFE = '9007199254740991';

/** The statements of a store on `qualified` (`"schema"."table"`). */
export function statements(qualified: string) {
  const id = createHash('sha1').update(qualified).digest('hex').slice(0, 10);
  const s = (op: string, text: string): Statement => ({ name: `cachekit_${id}_${op}`, text });
  const T = qualified;
  const upsert = `ON CONFLICT (namespace, key) DO UPDATE SET value = EXCLUDED.value, expires_at = EXCLUDED.expires_at`;
  return {
    get: s('get', `SELECT value FROM ${T} WHERE namespace = $1 AND key = $2 AND ${LIVE}`),
    has: s('has', `SELECT 1 FROM ${T} WHERE namespace = $1 AND key = $2 AND ${LIVE}`),
    set: s(
      'set',
      `INSERT INTO ${T} AS e (namespace, key, value, expires_at) VALUES ($1, $2, $3, ${EXPIRY('$4')}) ${upsert}`,
    ),
    // An expired row does not block add: it is replaced, atomically (the row is locked).
    add: s(
      'add',
      `INSERT INTO ${T} AS e (namespace, key, value, expires_at) VALUES ($1, $2, $3, ${EXPIRY('$4')}) ${upsert} WHERE e.expires_at <= now() RETURNING 1`,
    ),
    delete: s('delete', `DELETE FROM ${T} WHERE namespace = $1 AND key = $2 RETURNING ${LIVE} AS live`),
    getMany: s('getMany', `SELECT key, value FROM ${T} WHERE namespace = $1 AND key = ANY($2::text[]) AND ${LIVE}`),
    setMany: s(
      'setMany',
      `INSERT INTO ${T} AS e (namespace, key, value, expires_at)
       SELECT $1, u.k, u.v, ${EXPIRY('u.t')} FROM unnest($2::text[], $3::text[], $4::float8[]) AS u(k, v, t) ${upsert}`,
    ),
    deleteMany: s(
      'deleteMany',
      `WITH d AS (DELETE FROM ${T} WHERE namespace = $1 AND key = ANY($2::text[]) RETURNING expires_at)
       SELECT count(*)::int AS n FROM d WHERE ${LIVE}`,
    ),
    // A missing or expired counter starts at $3 with the TTL $4; a live one keeps its expiry.
    // The WHERE refuses a result beyond 2^53 (no row returned); text that is not a number
    // fails the cast (22P02).
    increment: s(
      'increment',
      `INSERT INTO ${T} AS e (namespace, key, value, expires_at) VALUES ($1, $2, $3::numeric::text, ${EXPIRY('$4')})
       ON CONFLICT (namespace, key) DO UPDATE SET
         value = CASE WHEN e.expires_at <= now() THEN EXCLUDED.value ELSE (e.value::numeric + $3::numeric)::text END,
         expires_at = CASE WHEN e.expires_at <= now() THEN EXCLUDED.expires_at ELSE e.expires_at END
       WHERE e.expires_at <= now() OR abs(e.value::numeric + $3::numeric) <= ${MAX_SAFE}
       RETURNING value`,
    ),
    ttl: s(
      'ttl',
      `SELECT CASE WHEN expires_at IS NULL THEN -1
         ELSE greatest(1, floor(extract(epoch FROM expires_at - now()) * 1000))::float8 END AS ms
       FROM ${T} WHERE namespace = $1 AND key = $2 AND ${LIVE}`,
    ),
    touch: s('touch', `UPDATE ${T} SET expires_at = ${EXPIRY('$3')} WHERE namespace = $1 AND key = $2 AND ${LIVE}`),
    /** One bounded batch of `clear()`: short transactions, never one DELETE over the namespace. */
    clearBatch: s(
      'clear',
      `DELETE FROM ${T} WHERE ctid = ANY(ARRAY(SELECT ctid FROM ${T} WHERE namespace = $1 LIMIT $2))`,
    ),
    /**
     * One batch of `clearNamespace` on an instance shared by several namespaces: the rows whose
     * stored key starts with $2 and, unless $3 is NULL, does not start with $3.
     */
    clearPrefixBatch: s(
      'clearPrefix',
      `DELETE FROM ${T} WHERE ctid = ANY(ARRAY(SELECT ctid FROM ${T} WHERE namespace = $1
         AND left(key, char_length($2::text)) = $2::text
         AND ($3::text IS NULL OR left(key, char_length($3::text)) <> $3::text) LIMIT $4))`,
    ),
    /** One bounded batch of the sweep (every namespace); rows locked by others are skipped. */
    sweepBatch: s(
      'sweep',
      `DELETE FROM ${T} WHERE ctid = ANY(ARRAY(
         SELECT ctid FROM ${T} WHERE expires_at <= now() LIMIT $1 FOR UPDATE SKIP LOCKED))`,
    ),
    renew: s(
      'renew',
      `UPDATE ${T} SET expires_at = ${EXPIRY('$4')} WHERE namespace = $1 AND key = $2 AND value = $3 AND ${LIVE}`,
    ),
    /** Deletes a lease held by $3 and, if it did, announces $5 on channel $4 (same transaction). */
    release: s(
      'release',
      `WITH d AS (DELETE FROM ${T} WHERE namespace = $1 AND key = $2 AND value = $3 RETURNING 1)
       SELECT pg_notify($4, $5) FROM d`,
    ),
    /** A rate-limit record (NULL when missing or expired) and the database's clock in epoch ms. */
    throttleRead: s(
      'throttleRead',
      `SELECT (SELECT value FROM ${T} WHERE namespace = $1 AND key = $2 AND ${LIVE}),
         (extract(epoch FROM now()) * 1000)::float8`,
    ),
    /** Compare-and-set of a rate-limit record: writes $3 only while the live row still holds $5. */
    throttleSwap: s(
      'throttleSwap',
      `UPDATE ${T} SET value = $3, expires_at = ${EXPIRY('$4')}
       WHERE namespace = $1 AND key = $2 AND value = $5 AND ${LIVE}`,
    ),
    notify: { name: 'cachekit_notify', text: 'SELECT pg_notify($1, $2)' },
    ping: { name: 'cachekit_ping', text: 'SELECT 1' },
  };
}

export type Statements = ReturnType<typeof statements>;

/**
 * The DDL, as one simple query (one implicit transaction): an advisory lock serialises
 * concurrent creators, which `IF NOT EXISTS` alone does not (two sessions can both pass the
 * check and one then fails on the catalog's unique index).
 */
export function createTableSql(table: string, schema: string | undefined, qualified: string): string {
  const index = `"${expiresIndex(table)}"`;
  return [
    `SELECT pg_advisory_xact_lock(hashtext('cachekit:ddl:${qualified.replace(/"/g, '')}'))`,
    schema ? `CREATE SCHEMA IF NOT EXISTS "${schema}"` : '',
    `CREATE TABLE IF NOT EXISTS ${qualified} (
  namespace  text        NOT NULL,
  key        text        NOT NULL,
  value      text        NOT NULL,
  expires_at timestamptz,
  PRIMARY KEY (namespace, key)
)`,
    `CREATE INDEX IF NOT EXISTS ${index} ON ${qualified} (expires_at) WHERE expires_at IS NOT NULL`,
  ]
    .filter(Boolean)
    .join(';\n');
}

/** The name of the expiry index (identifiers are cut at 63 bytes: keep room for the suffix). */
export function expiresIndex(table: string): string {
  return `${table.slice(0, 48)}_expires_idx`;
}

/** The columns the store needs, with their types as `format_type` names them. */
export const REQUIRED_COLUMNS: Readonly<Record<string, string>> = {
  namespace: 'text',
  key: 'text',
  value: 'text',
  expires_at: 'timestamp with time zone',
};

/**
 * Columns of table $1 (none if it does not exist), whether (namespace, key) is unique, and
 * whether the expiry index $2 exists. Read before any DDL: `CREATE INDEX IF NOT EXISTS` takes a
 * SHARE lock on the table even when the index is there, which would stall every writer while a
 * new instance starts.
 */
export const DESCRIBE_TABLE = `
  SELECT a.attname AS name, format_type(a.atttypid, a.atttypmod) AS type,
    EXISTS (
      SELECT 1 FROM pg_index i WHERE i.indrelid = to_regclass($1) AND i.indisunique AND i.indnkeyatts = 2
        AND (SELECT array_agg(k.attname::text ORDER BY k.attname) FROM pg_attribute k
             WHERE k.attrelid = i.indrelid AND k.attnum = ANY(i.indkey)) = ARRAY['key', 'namespace']
    ) AS keyed,
    to_regclass($2) IS NOT NULL AS indexed
  FROM pg_attribute a WHERE a.attrelid = to_regclass($1) AND a.attnum > 0 AND NOT a.attisdropped`;

/**
 * Keys go to a `text` column, which cannot hold NUL (internal keys start with one): NUL becomes
 * \u0001\u0002 and \u0001 becomes \u0001\u0001, so distinct keys stay distinct.
 */
export function encodeKey(key: string): string {
  if (key.indexOf('\u0000') === -1 && key.indexOf('\u0001') === -1) return key;
  return key.split('\u0001').join('\u0001\u0001').split('\u0000').join('\u0001\u0002');
}
