/**
 * Model-based test against the real PostgreSQL (real time: long TTLs, no clock advance), for
 * the Postgres store and the two-tier memory + Postgres store. Each test in its own schema.
 */
import { jest } from '@jest/globals';
import { createCacheManager } from '../../src';
import { dropSchema, PG_URL, schemaName } from '../support/postgres';
import { checkAgainstModel } from './model/run-model';

jest.setTimeout(Number(process.env.MODEL_TEST_TIMEOUT_MS ?? 240_000));

const silent = { warn: () => undefined, error: () => undefined };
let schema: string;
beforeEach(() => {
  schema = schemaName('model');
});
afterEach(async () => {
  await dropSchema(schema);
});

describe('model-based: Postgres and two-tier over Postgres', () => {
  it('every answer agrees with the reference model (real server, real time)', async () => {
    let run = 0;
    await checkAgainstModel({
      ttls: [undefined, 3600],
      advances: [],
      numRuns: 60,
      target: async () => {
        const manager = createCacheManager({
          prefix: `model${run++}`,
          logger: silent,
          // A generous per-operation timeout: CI's loaded cores can take over the default second.
          stores: { p: { driver: 'postgres', url: PG_URL, schema, options: { max: 2 }, timeout: 10_000 } },
        });
        await manager.ready();
        return { cache: manager.store('p'), now: () => Date.now(), dispose: () => manager.close() };
      },
    });
  });

  it('two-tier memory + Postgres agrees with the model (real server, real time)', async () => {
    let run = 0;
    await checkAgainstModel({
      ttls: [undefined, 3600],
      advances: [],
      numRuns: 40,
      target: async () => {
        const manager = createCacheManager({
          prefix: `tiered${run++}`,
          logger: silent,
          default: 'near',
          stores: {
            mem: { driver: 'memory', pruneInterval: 0 },
            pg: { driver: 'postgres', url: PG_URL, schema, options: { max: 2 }, timeout: 10_000 },
            near: { driver: 'tiered', tiers: ['mem', 'pg'] },
          },
        });
        await manager.ready();
        return { cache: manager.store('near'), now: () => Date.now(), dispose: () => manager.close() };
      },
    });
  });
});
