/**
 * The machine's PostgreSQL (127.0.0.1:5432, trust auth, database `test`), shared with other
 * test runs: every test works in a schema of its own, dropped afterwards, and only ever
 * terminates connections it opened itself (found by their application_name).
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';

export const PG_URL = process.env.CACHEKIT_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

/** Runs one statement on a short-lived admin connection. */
export async function adminQuery<R extends pg.QueryResultRow = pg.QueryResultRow>(
  text: string,
  values?: unknown[],
): Promise<pg.QueryResult<R>> {
  const client = new pg.Client({ connectionString: PG_URL, application_name: 'cachekit-test-admin' });
  await client.connect();
  try {
    return await client.query<R>(text, values);
  } finally {
    await client.end();
  }
}

/** A fresh schema name (not created: the store creates it), unique to this process and call. */
export function schemaName(label = 't'): string {
  return `ck_${label}_${process.pid}_${randomBytes(4).toString('hex')}`;
}

export async function dropSchema(schema: string): Promise<void> {
  await adminQuery(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
}

/** A unique application_name for the connections of one test, so it can kill exactly those. */
export function appName(label: string): string {
  return `cachekit-test-${label}-${randomBytes(4).toString('hex')}`;
}

/** Terminates every backend whose application_name starts with `prefix`; resolves how many. */
export async function terminateBackends(prefix: string): Promise<number> {
  const r = await adminQuery<{ n: number }>(
    `SELECT count(*)::int AS n FROM (SELECT pg_terminate_backend(pid) FROM pg_stat_activity
       WHERE application_name LIKE $1 AND pid <> pg_backend_pid()) t`,
    [`${prefix.replace(/[%_\\]/g, '\\$&')}%`],
  );
  return r.rows[0].n;
}
