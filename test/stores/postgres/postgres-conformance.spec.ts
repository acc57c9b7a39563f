import { afterEach, beforeEach } from '@jest/globals';
import { PostgresStore } from '../../../src';
import { describeStoreConformance } from '../../../src/testing/store-conformance';
import { dropSchema, PG_URL, schemaName } from '../../support/postgres';

// One schema per test (the conformance suite makes a fresh store for each), dropped afterwards.
let schema = '';
beforeEach(() => {
  schema = schemaName('conf');
});
afterEach(async () => {
  await dropSchema(schema);
});

describeStoreConformance(
  'postgres store',
  // A generous per-operation timeout: on CI's loaded cores a query can take over the default second
  // (a timed-out write fails open and the case would see a second loader run). Timeouts are tested elsewhere.
  (ctx) => new PostgresStore({ url: PG_URL, schema, options: { max: 4 }, timeout: 10_000 }, ctx),
  { realTime: true, sharedBackend: true },
);
