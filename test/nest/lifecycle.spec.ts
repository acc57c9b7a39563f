import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RedisServer } from '../support/redis-server';

const FIXTURE = join(process.cwd(), 'test', 'nest', 'lifecycle-app.fixture.ts');

interface Outcome {
  code: number | null;
  /** Whether the process had to be killed because it did not exit on its own. */
  hung: boolean;
  stdout: string;
  stderr: string;
}

/** Runs the fixture app; kills it if it has not exited `graceMs` after it printed its result. */
function runApp(options: object, graceMs = 3000): Promise<Outcome> {
  const child = spawn(process.execPath, ['-r', '@swc-node/register', FIXTURE, JSON.stringify(options)], {
    cwd: process.cwd(),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  let hung = false;
  let timer: NodeJS.Timeout | undefined;
  // Overall bound (start-up with the TypeScript loader included), then the grace after close.
  const overall = setTimeout(() => {
    hung = true;
    child.kill('SIGKILL');
  }, 60_000);
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk;
    if (!timer && stdout.includes('"closed":true')) {
      timer = setTimeout(() => {
        hung = true;
        child.kill('SIGKILL');
      }, graceMs);
    }
  });
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(overall);
      if (timer) clearTimeout(timer);
      resolve({ code, hung, stdout, stderr });
    });
  });
}

describe('lifecycle: app.close() releases every store, timer and connection', () => {
  let redis: RedisServer;
  let directory: string;

  beforeAll(async () => {
    redis = await RedisServer.start();
    directory = mkdtempSync(join(tmpdir(), 'cachekit-lifecycle-'));
  });
  afterAll(async () => {
    await redis?.stop();
    rmSync(directory, { recursive: true, force: true });
  });

  it('a process with memory, file and Redis stores exits on its own after app.close()', async () => {
    const outcome = await runApp({ redisUrl: redis.url, directory });
    expect(outcome.stderr).toBe('');
    expect(outcome.hung).toBe(false);
    expect(outcome.code).toBe(0);
    const result = JSON.parse(outcome.stdout.trim().split('\n').pop()!) as { left: string[] };
    expect(result.left).toEqual([]);
  });

  // Negative controls: the same app with a deliberately leaked interval, proving the test above
  // would catch a leak of either kind.
  it('the check can fail: a timer left behind keeps the process alive', async () => {
    const outcome = await runApp({ directory, leak: true }, 1500);
    expect(outcome.hung).toBe(true);
  });

  it("the check can fail: an unref'd timer left behind is reported", async () => {
    const outcome = await runApp({ directory, leak: 'unref' });
    expect(outcome.hung).toBe(false);
    const result = JSON.parse(outcome.stdout.trim().split('\n').pop()!) as { left: string[] };
    expect(result.left).toEqual(['Timeout']);
  });
});
