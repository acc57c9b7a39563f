/**
 * `npm run sample` starts the sample app: this runs the same command line (after the build that
 * CI and `npm run sample` do first) on a free port and talks to it over HTTP.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

async function waitFor(url: string, deadline: number): Promise<void> {
  while (Date.now() < deadline) {
    try {
      await fetch(url);
      return;
    } catch {
      await new Promise((r) => setTimeout(r, 200));
    }
  }
  throw new Error(`sample did not answer on ${url}`);
}

describe('sample app', () => {
  let child: ChildProcess;
  let base: string;
  let output = '';

  beforeAll(async () => {
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    child = spawn(process.execPath, ['-r', '@swc-node/register', 'sample/src/main.ts'], {
      env: { ...process.env, PORT: String(port) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout!.on('data', (d) => (output += d));
    child.stderr!.on('data', (d) => (output += d));
    await waitFor(`${base}/products`, Date.now() + 60_000).catch((err) => {
      throw new Error(`${(err as Error).message}\n${output}`);
    });
  }, 90_000);

  afterAll(async () => {
    if (child.exitCode === null) {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    }
  });

  it('serves a product from the cache on the second request', async () => {
    const first = await (await fetch(`${base}/products/1`)).json();
    const second = await (await fetch(`${base}/products/1`)).json();
    expect(second).toEqual(first);
    expect(await (await fetch(`${base}/products`)).json()).toMatchObject({ databaseLoads: 1 });
  });

  it('loads once for concurrent requests and reloads after a tag flush', async () => {
    await Promise.all(Array.from({ length: 20 }, () => fetch(`${base}/products/2`)));
    const { databaseLoads } = (await (await fetch(`${base}/products`)).json()) as { databaseLoads: number };
    expect(databaseLoads).toBe(2);
    await fetch(`${base}/products/2`, { method: 'PUT' });
    await fetch(`${base}/products/2`);
    expect(await (await fetch(`${base}/products`)).json()).toMatchObject({ databaseLoads: 3 });
  });

  it('reports health and stats', async () => {
    const health = await fetch(`${base}/health`);
    expect(health.status).toBe(200);
    expect(await health.json()).toMatchObject({ status: 'ok', info: { cache: { status: 'up' } } });
    const stats = (await (await fetch(`${base}/cache/stats`)).json()) as { memory: { hits: number } };
    expect(stats.memory.hits).toBeGreaterThan(0);
  });

  it('caches a decorated route and evicts it by tag on PUT', async () => {
    const first = await fetch(`${base}/users/5`);
    expect(first.headers.get('x-cache')).toBe('MISS');
    const body = await first.json();
    const second = await fetch(`${base}/users/5`);
    expect(second.headers.get('x-cache')).toBe('HIT');
    expect(await second.json()).toEqual(body);
    await fetch(`${base}/users/5`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'Ada' }),
    });
    const third = await fetch(`${base}/users/5`);
    expect(third.headers.get('x-cache')).toBe('MISS');
    expect(((await third.json()) as { name: string }).name).toBe('Ada');
  });
});
