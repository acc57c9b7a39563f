import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FileStore } from '../../../src';
import { describeStoreConformance } from '../../../src/testing';
import { VARIANTS } from './pipeline-fixtures';

const dir = mkdtempSync(join(tmpdir(), 'cachekit-file-pipeline-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

for (const [name, pipeline] of Object.entries(VARIANTS)) {
  describeStoreConformance(
    `file store with ${name}`,
    (ctx) => new FileStore({ directory: join(dir, name), pruneInterval: 0, ...pipeline }, ctx),
    { sharedBackend: true },
  );
}
