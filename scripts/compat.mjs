#!/usr/bin/env node
// Compatibility matrix: the packed tarball installed into small real apps (Nest 12 CommonJS,
// Nest 12 ESM, Nest 11 CommonJS on Express; Nest 12 CommonJS on Fastify), each compiled with its
// own TypeScript against the public types and smoke-tested over HTTP with plain node; and the
// same app's e2e suite (test/package/consumer/app/test) run by a test runner: Vitest 4 as `nest new`
// scaffolds it, and Jest 30 in native ESM mode.
//
//   npm run compat                                  # every app, sequentially
//   npm run compat -- --only nest11-cjs-express     # one app (repeatable, comma-separated)
//   npm run compat -- --keep                        # keep the apps (printed path) for inspection
//   npm run compat -- --tarball x.tgz               # test an already packed tarball (no build)
//
// The apps live outside the repository so nothing resolves from its node_modules. They install
// with `npm install --prefer-offline` through npm's cache (COMPAT_NPM_CACHE to choose one), so a
// warm run is mostly compile and smoke time. Exits non-zero when any app fails.
/* global fetch, AbortSignal */
import { spawn } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { matrix } from '../test/package/consumer/matrix.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const appRoot = join(root, 'test', 'package', 'consumer', 'app');
const appSource = join(appRoot, 'src');
const args = process.argv.slice(2);
const keep = args.includes('--keep');
const only = args.flatMap((a, i) => (args[i - 1] === '--only' ? a.split(',') : []));
const givenTarball = args.find((a, i) => args[i - 1] === '--tarball');
const selected = only.length ? matrix.filter((v) => only.includes(v.name)) : matrix;
if (only.length && selected.length !== only.length) {
  console.error(`Unknown app in --only ${only.join(',')}; known: ${matrix.map((v) => v.name).join(', ')}`);
  process.exit(2);
}

/** Runs a command; resolves its stdout (and stderr with withStderr), rejects with its output on a non-zero exit or timeout. */
function run(cmd, cmdArgs, cwd, timeoutMs, { withStderr = false } = {}) {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(cmd, cmdArgs, { cwd, env: { ...process.env, npm_config_loglevel: 'error' } });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (code === 0) resolvePromise(withStderr ? out + err : out);
      else reject(new Error(`${cmd} ${cmdArgs.join(' ')} failed (${signal ?? `exit ${code}`}):\n${out}${err}`));
    });
  });
}

function npmArgs(...rest) {
  const cache = process.env.COMPAT_NPM_CACHE;
  return [...rest, ...(cache ? ['--cache', cache] : [])];
}

async function pack(work) {
  const out = await run('npm', ['pack', '--json', '--pack-destination', work], root, 300_000);
  const [info] = JSON.parse(out.slice(out.indexOf('[')));
  return { tarball: join(work, info.filename) };
}

function writeApp(dir, variant, tarball) {
  mkdirSync(dir, { recursive: true });
  cpSync(appSource, join(dir, 'src'), { recursive: true });
  const fastify = join(dir, 'src', 'platform.fastify.ts');
  if (variant.platform === 'fastify') cpSync(fastify, join(dir, 'src', 'platform.ts'));
  rmSync(fastify);
  if (variant.runner) {
    cpSync(join(appRoot, 'test'), join(dir, 'test'), { recursive: true });
    cpSync(join(appRoot, variant.runner.config), join(dir, variant.runner.config));
  }
  const dependencies = { 'nestjs-cachekit': `file:${tarball}`, ...variant.dependencies };
  const pkg = { name: `compat-${variant.name}`, private: true, version: '0.0.0', dependencies };
  if (variant.type) pkg.type = variant.type;
  writeFileSync(join(dir, 'package.json'), JSON.stringify(pkg, null, 2));
  writeFileSync(
    join(dir, 'tsconfig.json'),
    JSON.stringify({ compilerOptions: variant.compilerOptions, include: ['src'] }, null, 2),
  );
}

/** Starts the built app, waits for the port it prints, and returns it with a stop function. */
function startApp(dir) {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, ['dist/main.js'], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
    let log = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`app did not start within 30 s:\n${log}`));
    }, 30_000);
    const exited = new Promise((r) => child.on('exit', (code, signal) => r({ code, signal })));
    child.stderr.on('data', (d) => (log += d));
    child.stdout.on('data', (d) => {
      log += d;
      const match = /COMPAT_LISTENING (\d+)/.exec(log);
      if (!match) return;
      clearTimeout(timer);
      const stop = async () => {
        child.kill('SIGTERM');
        const killer = setTimeout(() => child.kill('SIGKILL'), 10_000);
        const result = await exited;
        clearTimeout(killer);
        return { ...result, log };
      };
      resolvePromise({ port: Number(match[1]), stop, log: () => log });
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`app exited (${code}) before listening:\n${log}`));
    });
  });
}

function check(condition, message) {
  if (!condition) throw new Error(message);
}

async function request(port, method, path) {
  const res = await fetch(`http://127.0.0.1:${port}${path}`, { method, signal: AbortSignal.timeout(10_000) });
  const text = await res.text();
  check(res.status < 300, `${method} ${path}: HTTP ${res.status} ${text}`);
  return { status: res.status, cache: res.headers.get('x-cache'), body: text ? JSON.parse(text) : undefined };
}

async function calls(port) {
  return (await request(port, 'GET', '/products/calls')).body;
}

/**
 * The smoke test: `remember` + tags, a decorated provider method, a cached HTTP response, one tag
 * flush evicting all three, `/health` through Terminus, then a clean shutdown on SIGTERM.
 */
async function smoke(dir) {
  const app = await startApp(dir);
  const checks = [];
  try {
    for (const path of ['/products/1', '/products/1/price', '/products/1/summary']) {
      const first = await request(app.port, 'GET', path);
      const second = await request(app.port, 'GET', path);
      check(JSON.stringify(first.body) === JSON.stringify(second.body), `${path} answered differently when cached`);
      if (path.endsWith('summary')) check(second.cache === 'HIT', `${path}: X-Cache ${second.cache}, expected HIT`);
    }
    const once = await calls(app.port);
    check(once.find === 1 && once.price === 1 && once.summary === 1, `two GETs each: ${JSON.stringify(once)}`);
    checks.push('remember', '@Cacheable', 'http-cache');
    await request(app.port, 'PUT', '/products/1');
    for (const path of ['/products/1', '/products/1/price', '/products/1/summary']) {
      await request(app.port, 'GET', path);
    }
    const twice = await calls(app.port);
    check(twice.find === 2 && twice.price === 2 && twice.summary === 2, `after a tag flush: ${JSON.stringify(twice)}`);
    checks.push('tags');
    const health = await request(app.port, 'GET', '/health');
    check(health.body.status === 'ok' && health.body.info?.cache, `/health: ${JSON.stringify(health.body)}`);
    checks.push('health');
  } catch (err) {
    await app.stop();
    err.message += `\napp log:\n${app.log()}`;
    throw err;
  }
  const { code, signal, log } = await app.stop();
  check(code === 0 || signal === 'SIGTERM', `app did not shut down cleanly (${signal ?? code}):\n${log}`);
  checks.push('shutdown');
  const sub = await run(process.execPath, ['dist/subpaths.check.js'], dir, 30_000);
  check(sub.includes('SUBPATHS_OK'), `subpath check: ${sub}`);
  checks.push('subpaths');
  return checks;
}

/**
 * Runs the app's e2e suite with the variant's test runner; resolves the checks it passed. The
 * suite must report every test passed (a runner that found no test fails here).
 */
async function runSuite(dir, runner) {
  let out;
  try {
    out = await run(process.execPath, runner.command, dir, 240_000, { withStderr: true });
  } catch (err) {
    throw new Error(`${runner.name}: ${err.message}`, { cause: err });
  }
  // eslint-disable-next-line no-control-regex -- strips the runners' ANSI colours
  const passed = runner.passed.exec(out.replace(/\x1b\[[0-9;]*m/g, ''));
  check(passed && Number(passed[1]) >= 4, `${runner.name} did not report the suite passing:\n${out}`);
  return [`${runner.name}: ${passed[1]} tests passed`];
}

async function main() {
  const started = Date.now();
  const work = mkdtempSync(join(tmpdir(), 'nestjs-cachekit-compat-'));
  const tarball = givenTarball ? resolve(givenTarball) : (await pack(work)).tarball;
  console.log(`compat: ${tarball} into apps under ${work}`);
  const results = [];
  for (const variant of selected) {
    const dir = join(work, variant.name);
    const t0 = Date.now();
    const step = { name: variant.name, ok: false, checks: [], seconds: 0 };
    try {
      writeApp(dir, variant, tarball);
      await run(
        'npm',
        npmArgs('install', '--prefer-offline', '--no-audit', '--no-fund', '--no-package-lock'),
        dir,
        300_000,
      );
      step.checks.push(`npm install ${((Date.now() - t0) / 1000).toFixed(0)} s`);
      const t1 = Date.now();

      if (variant.runner) {
        // The suite is this app's check: it boots the app in the runner and drives it over HTTP.
        step.checks.push(...(await runSuite(dir, variant.runner)), `${((Date.now() - t1) / 1000).toFixed(0)} s`);
      } else {
        await run(
          process.execPath,
          [join(dir, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.json'],
          dir,
          180_000,
        );
        step.checks.push(`tsc ${((Date.now() - t1) / 1000).toFixed(0)} s`, ...(await smoke(dir)));
      }
      step.ok = true;
    } catch (err) {
      step.error = err instanceof Error ? err.message : String(err);
    }
    step.seconds = (Date.now() - t0) / 1000;
    results.push(step);
    const status = step.ok ? 'ok  ' : 'FAIL';
    console.log(
      `${status} ${variant.name.padEnd(20)} ${step.seconds.toFixed(1).padStart(6)} s  ${step.checks.join(', ')}`,
    );
    if (!step.ok) console.log(step.error.replace(/^/gm, '     '));
  }
  if (keep) console.log(`compat: apps kept in ${work}`);
  else rmSync(work, { recursive: true, force: true });
  const failed = results.filter((r) => !r.ok);
  const total = ((Date.now() - started) / 1000).toFixed(1);
  console.log(`compat: ${results.length - failed.length}/${results.length} apps passed in ${total} s`);
  process.exitCode = failed.length ? 1 : 0;
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
