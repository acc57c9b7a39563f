/**
 * Model-based test against the real PostgreSQL (real time: long TTLs, no clock advance), for
 * the Postgres store and the two-tier memory + Postgres store. Each test in its own schema.
 */
import { jest } from '@jest/globals';
import type { StoreConfig } from '../../src';
import { dropSchema, PG_URL, schemaName } from '../support/postgres';
import { checkServerAgainstModel } from './model/run-model';

jest.setTimeout(Number(process.env.MODEL_TEST_TIMEOUT_MS ?? 240_000));

let schema: string;
beforeEach(() => {
  schema = schemaName('model');
});
afterEach(async () => {
  await dropSchema(schema);
});

describe('model-based: Postgres and two-tier over Postgres', () => {
  // A generous per-operation timeout: CI's loaded cores can take over the default second.
  const pg = (): StoreConfig => ({ driver: 'postgres', url: PG_URL, schema, options: { max: 2 }, timeout: 10_000 });

  it('every answer agrees with the reference model (real server, real time)', async () => {
    await checkServerAgainstModel({ p: pg() }, 'p', 'model', 60);
  });

  it('two-tier memory + Postgres agrees with the model (real server, real time)', async () => {
    const stores: Record<string, StoreConfig> = {
      mem: { driver: 'memory', pruneInterval: 0 },
      pg: pg(),
      near: { driver: 'tiered', tiers: ['mem', 'pg'] },
    };
    await checkServerAgainstModel(stores, 'near', 'tiered', 40);
  });
});
