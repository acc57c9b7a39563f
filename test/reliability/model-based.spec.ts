/**
 * Model-based tests: random sequences of set, add, get, has, getMany, delete, increment,
 * tags(...).set, tag flush, clock advance and clear, against each store and a reference model.
 * Fixed seed in CI (`MODEL_SEED`, `MODEL_RUNS` override; see scripts/nightly-property.sh).
 */
import { jest } from '@jest/globals';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createCacheManager, type StoreConfig } from '../../src';
import { ManualClock } from '../../src/testing';
import { checkAgainstModel, type ModelTarget } from './model/run-model';

jest.setTimeout(Number(process.env.MODEL_TEST_TIMEOUT_MS ?? 180_000));

const silent = { warn: () => undefined, error: () => undefined };
/** Steps chosen to land exactly on expiry boundaries (1 s, 5 s, 60 s TTLs) as well as past them. */
const ADVANCES = [1, 999, 1000, 4000, 60_000];
const TTLS = [undefined, 1, 5, 60];

let run = 0;
async function clockTarget(config: StoreConfig, cleanup?: () => void): Promise<ModelTarget> {
  const clock = new ManualClock(1_700_000_000_000);
  const manager = createCacheManager({ prefix: `model${run++}`, clock, logger: silent, stores: { s: config } });
  await manager.ready?.();
  return {
    cache: manager.store('s'),
    now: () => clock.now(),
    advance: (ms) => clock.set(clock.now() + ms),
    dispose: async () => {
      await manager.close();
      cleanup?.();
    },
  };
}

describe('model-based: every answer agrees with the reference model', () => {
  it('memory store (ManualClock)', async () => {
    await checkAgainstModel({
      ttls: TTLS,
      advances: ADVANCES,
      numRuns: 200,
      target: () => clockTarget({ driver: 'memory', pruneInterval: 0 }),
    });
  });

  it('file store (ManualClock)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cachekit-model-'));
    try {
      await checkAgainstModel({
        ttls: TTLS,
        advances: ADVANCES,
        numRuns: 100,
        target: () => clockTarget({ driver: 'file', directory: dir, pruneInterval: 0 }),
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
