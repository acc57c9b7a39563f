/**
 * A `clear()` looping in another process must never make a write fail: a write may be lost to the
 * clear (it ran before the clear's pass), which is not a failure. Before the fix, 3 to 30 of 10,000
 * writes failed with `ENOENT … .tmp` (the clear removed an empty fan-out directory between the
 * writer's mkdir and its temp file).
 */
import { jest } from '@jest/globals';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FileStore } from '../../src/stores/file/file.store';

/** 10,000 real writes against a busy disk: no timing is asserted, but a loaded machine needs time. */
jest.setTimeout(180_000);

const LOOP = join(process.cwd(), 'test', 'fixtures', 'file-clear-loop.ts');

describe('file store: writes racing a clear() loop in another process', () => {
  let directory: string;
  beforeEach(() => (directory = mkdtempSync(join(tmpdir(), 'cachekit-clear-race-'))));
  afterEach(() => rmSync(directory, { recursive: true, force: true }));

  it('10,000 writes: none fails while another process clears the namespace in a loop', async () => {
    const child = spawn(process.execPath, ['-r', '@swc-node/register', LOOP, directory, 'race'], {
      stdio: ['pipe', 'pipe', 'inherit'],
    });
    let out = '';
    const ready = new Promise<void>((resolve) =>
      child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
        out += chunk;
        if (out.includes('ready\n')) resolve();
      }),
    );
    const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
    await ready;
    const store = new FileStore({ directory, pruneInterval: 0 }, { namespace: 'race' });
    await store.init();
    const failures: string[] = [];
    const value = JSON.stringify({ payload: 'x'.repeat(200) });
    // Several writes in flight at once, over many keys (so many fan-out directories come and go).
    for (let i = 0; i < 10_000; i += 8) {
      await Promise.all(
        Array.from({ length: 8 }, (_, j) =>
          store.set(`key:${(i + j) % 16}`, value).catch((err: Error) => failures.push(err.message)),
        ),
      );
    }
    child.stdin.end();
    expect(await exited).toBe(0);
    const { clears } = JSON.parse(out.trim().split('\n').pop()!) as { clears: number };
    await store.close();
    expect(clears).toBeGreaterThan(0);
    expect(failures).toEqual([]);
  });
});
