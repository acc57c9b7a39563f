// stampede.lock-4proc.<backend>: 4 processes each do one "get or compute" on the same cold key
// at once (a start-time barrier after every process has built its cache), on Redis and on the
// file store; the row sums loader runs across processes. cachekit with `lock: true` should run
// it once; cachekit without the lock and the peers (whose de-duplication is per process) 4 times.
import { fork } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { hasDriver } from '../lib/cachekit.mjs';
import { emit, printRow, skip } from '../lib/harness.mjs';
import { startRedis } from '../lib/redis-server.mjs';

const PROCS = 4;
// Long enough that every process is still inside its miss when the others arrive, even with
// the start spread of a loaded 2-core machine.
const LOADER_MS = 300;
const BARRIER_MS = 300;
const child = fileURLToPath(new URL('./stampede-lock-child.mjs', import.meta.url));

/** The next message of a process; rejects if it exits first (so a crash fails the run, not hangs it). */
const nextMessage = (p, what) =>
  new Promise((resolve, reject) => {
    const onExit = (code) => reject(new Error(`${what}: a process exited with ${code} before answering`));
    p.once('exit', onExit);
    p.once('message', (m) => {
      p.off('exit', onExit);
      resolve(m);
    });
  });

async function run(backend, subject, shared) {
  const key = `lock4:${backend}:${subject}:${Date.now()}`;
  const arg = JSON.stringify({ subject, backend, key, loaderMs: LOADER_MS, ...shared });
  const procs = Array.from({ length: PROCS }, () =>
    fork(child, [arg], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] }),
  );
  const what = `${backend}/${subject}`;
  await Promise.all(procs.map((p) => nextMessage(p, what)));
  const startAt = Date.now() + BARRIER_MS;
  const reports = procs.map((p) => nextMessage(p, what));
  const exited = procs.map((p) => new Promise((r) => p.once('exit', r)));
  for (const p of procs) p.send({ startAt });
  const done = await Promise.all(reports);
  const codes = await Promise.all(exited);
  if (codes.some((c) => c !== 0)) throw new Error(`${what}: a process exited with ${codes}`);
  const row = {
    scenario: `stampede.lock-4proc.${backend}`,
    subject,
    loaderCalls: done.reduce((n, d) => n + d.calls, 0),
    callers: PROCS,
    ms: Math.round(Date.now() - startAt),
    wrongResults: done.filter((d) => !d.ok).length,
  };
  printRow(row);
  return row;
}

const rows = [];
const skipped = [];
if (hasDriver('redis')) {
  const server = await startRedis();
  for (const subject of ['cachekit', 'cachekit-nolock', 'cache-manager', 'bentocache'])
    rows.push(await run('redis', subject, { url: server.url }));
  await server.stop();
} else skip(skipped, 'stampede.lock-4proc.redis', 'redis store not available');
if (hasDriver('file')) {
  const dir = mkdtempSync(join(os.tmpdir(), 'cachekit-bench-lock-'));
  for (const subject of ['cachekit', 'cachekit-nolock', 'bentocache']) rows.push(await run('file', subject, { dir }));
  rmSync(dir, { recursive: true, force: true });
} else skip(skipped, 'stampede.lock-4proc.file', 'file store not available');
emit(rows, skipped);
