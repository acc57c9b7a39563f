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
  (ctx) => new PostgresStore({ url: PG_URL, schema, options: { max: 4 } }, ctx),
  { realTime: true, sharedBackend: true },
);
