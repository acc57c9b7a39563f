import { afterEach, beforeEach } from '@jest/globals';
import { PostgresStore } from '../../../src';
import { describeStoreConformance } from '../../../src/testing/store-conformance';
import { dropSchema, PG_URL, schemaName } from '../../support/postgres';
import { VARIANTS } from './pipeline-fixtures';

let schema = '';
beforeEach(() => {
  schema = schemaName('pipe');
});
afterEach(async () => {
  await dropSchema(schema);
});

for (const [name, pipeline] of Object.entries(VARIANTS)) {
  describeStoreConformance(
    `postgres store with ${name}`,
    // The generous timeout of postgres-conformance.spec.ts (loaded CI cores).
    (ctx) => new PostgresStore({ url: PG_URL, schema, options: { max: 4 }, timeout: 10_000, ...pipeline }, ctx),
    { realTime: true, sharedBackend: true },
  );
}
