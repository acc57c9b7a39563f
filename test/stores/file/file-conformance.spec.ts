import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FileStore } from '../../../src';
import { describeStoreConformance } from '../../../src/testing';

const dir = mkdtempSync(join(tmpdir(), 'cachekit-file-conf-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describeStoreConformance('file store', (ctx) => new FileStore({ directory: dir, pruneInterval: 0 }, ctx), {
  sharedBackend: true,
});
describeStoreConformance(
  'file store with limits and a sweep timer',
  (ctx) => new FileStore({ directory: join(dir, 'limited'), maxEntries: 1000, maxBytes: 1_000_000 }, ctx),
  { sharedBackend: true },
);
