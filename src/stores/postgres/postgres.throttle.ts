// A Postgres store's rate-limit hit (`nestjs-cachekit/throttler`): `throttleStep` on the record's
// row as an optimistic compare-and-set on the database's clock, atomic across processes: read the
// row and `now()` (one statement), then write the next record only if the row still holds what was
// read (`add` for a new record, an `UPDATE ... WHERE value = <read>` otherwise). Two round trips
// per hit; a writer that lost the race reads again (bounded).
import { CacheUnavailableError } from '../../core/cache.errors';
import { throttleStep, type ThrottleHit, type ThrottleResult } from '../../core/locks/throttle-step';
import type { CacheSerializer } from '../../core/serializer';
import type { PostgresConnection } from './postgres.connection';
import type { Statements } from './postgres.sql';

/** Attempts before a hit gives up under contention (each lost attempt means another hit landed). */
const MAX_ATTEMPTS = 100;

export async function throttleOnPostgres(
  conn: PostgresConnection,
  sql: Statements,
  target: { ns: string; k: string; store: string; serializer: CacheSerializer },
  hit: ThrottleHit,
): Promise<ThrottleResult> {
  const { ns, k, serializer } = target;
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    const { rows } = await conn.run('throttle', sql.throttleRead, [ns, k]);
    const [text, now] = rows[0] as [string | null, number];
    const previous = text === null ? undefined : readRecord(serializer, text);
    const step = throttleStep(previous, hit, now);
    const next = serializer.serialize(step.record);
    const keepMs = Math.max(1, Math.ceil(step.keepMs));
    const written =
      text === null
        ? await conn.run('throttle', sql.add, [ns, k, next, keepMs])
        : await conn.run('throttle', sql.throttleSwap, [ns, k, next, keepMs, text]);
    if (written.rowCount === 1) return step.result;
  }
  throw new CacheUnavailableError(target.store, 'throttle', new Error(`${MAX_ATTEMPTS} concurrent writers in a row`));
}

/** A record that cannot be read (damaged, another key's value) starts afresh. */
function readRecord(serializer: CacheSerializer, text: string): unknown {
  try {
    return serializer.deserialize(text);
  } catch {
    return undefined;
  }
}
