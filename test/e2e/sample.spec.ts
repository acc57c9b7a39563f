/**
 * `npm run sample` starts the sample app: this runs the same command line (after the build that
 * CI and `npm run sample` do first) on a free port and talks to it over HTTP.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
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

/** Every live process below `pid` (from /proc: each one's parent pid). */
function descendants(pid: number): number[] {
  const parentOf = new Map<number, number>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      // The command name may hold spaces or parentheses: the fields after the last ')' are fixed.
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      parentOf.set(Number(entry), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]));
    } catch {
      // exited meanwhile
    }
  }
  const found: number[] = [];
  const walk = (p: number) => {
    for (const [child, parent] of parentOf) {
      if (parent !== p) continue;
      found.push(child);
      walk(child);
    }
  };
  walk(pid);
  return found;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('sample app: stopping', () => {
  it.each(['SIGTERM', 'SIGINT'] as const)(
    'the npm script stops on %s and leaves no process behind',
    async (signal) => {
      const port = await freePort();
      // `npm run sample` is the build and then `exec npm run sample:serve`: this is that last step.
      const npm = spawn('npm', ['run', '--silent', 'sample:serve'], {
        env: { ...process.env, PORT: String(port) },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let output = '';
      npm.stdout!.on('data', (d) => (output += d));
      npm.stderr!.on('data', (d) => (output += d));
      const exited = new Promise<void>((resolve) => npm.once('exit', () => resolve()));
      await waitFor(`http://127.0.0.1:${port}/products`, Date.now() + 60_000).catch((err) => {
        throw new Error(`${(err as Error).message}\n${output}`);
      });
      const below = descendants(npm.pid!);
      expect(below.length).toBeGreaterThan(0); // the node process serving the app
      npm.kill(signal);
      await exited;
      // Wait for the tree to go (the app closes its caches first), never longer than 30 s.
      const deadline = Date.now() + 30_000;
      while (below.some(alive) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
      expect(below.filter(alive)).toEqual([]);
      await expect(fetch(`http://127.0.0.1:${port}/products`)).rejects.toThrow();
    },
    120_000,
  );
});
