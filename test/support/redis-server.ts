/**
 * Real `redis-server` processes for tests: each on a free loopback port, in its own temp
 * directory, stopped by PID. Never uses 127.0.0.1:6379. Also a 3-master Cluster and a Sentinel
 * setup (one master, one replica, one sentinel).
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createConnection, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const HOST = '127.0.0.1';
const live = new Set<ChildProcess>();
/** Directories of servers not stopped yet; removed at exit even when a test forgot `stop()`. */
const dirs = new Set<string>();
process.once('exit', () => {
  for (const child of live) child.kill('SIGKILL');
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const srv = createServer();
    srv.once('error', () => resolve(false));
    srv.listen(port, HOST, () => srv.close(() => resolve(true)));
  });
}

/** A free loopback port (never 6379). With `bus`, port + 10000 is free too (Cluster bus). */
export async function freePort(bus = false): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const port = await new Promise<number>((resolve, reject) => {
      const srv = createServer();
      srv.once('error', reject);
      srv.listen(0, HOST, () => {
        const p = (srv.address() as { port: number }).port;
        srv.close(() => resolve(p));
      });
    });
    if (port === 6379 || (bus && (port > 55535 || !(await portIsFree(port + 10000))))) continue;
    return port;
  }
  throw new Error('no free port found');
}

/** Sends one inline command over RESP and resolves with the raw reply text. */
export function rawCommand(port: number, command: string, timeoutMs = 1000): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = createConnection({ host: HOST, port });
    let data = '';
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no reply from ${port}`));
    }, timeoutMs);
    socket.once('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    socket.on('data', (chunk) => {
      data += chunk.toString();
      if (data.endsWith('\r\n')) {
        clearTimeout(timer);
        socket.end();
        resolve(data);
      }
    });
    socket.write(`${command}\r\n`);
  });
}

async function waitFor(what: string, check: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check().catch(() => false)) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out waiting for ${what}`);
}

function cli(...args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile('redis-cli', args, { timeout: 20_000 }, (err, stdout, stderr) =>
      err ? reject(new Error(`redis-cli ${args.join(' ')}: ${stderr || err.message}`)) : resolve(stdout),
    );
  });
}

export interface RedisServerOptions {
  port?: number;
  /** Extra `redis-server` arguments, such as `['--cluster-enabled', 'yes']`. */
  args?: string[];
  /** A config file body (written to the server's directory) instead of plain arguments. */
  config?: string;
  /** Run as a Sentinel. */
  sentinel?: boolean;
}

/** One `redis-server` process. */
export class RedisServer {
  private child?: ChildProcess;
  private readonly dir = mkdtempSync(join(tmpdir(), 'cachekit-redis-'));

  private constructor(
    readonly port: number,
    private readonly options: RedisServerOptions,
  ) {
    dirs.add(this.dir);
  }

  /** Starts a server (on a free port unless given) and waits until it answers PING. */
  static async start(options: RedisServerOptions = {}): Promise<RedisServer> {
    const port = options.port ?? (await freePort(options.args?.includes('--cluster-enabled')));
    if (port === 6379) throw new Error('tests never use port 6379');
    const server = new RedisServer(port, options);
    await server.restart();
    return server;
  }

  get url(): string {
    return `redis://${HOST}:${this.port}`;
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  /** (Re)starts the process on the same port and directory. */
  async restart(): Promise<void> {
    if (this.child) throw new Error(`redis-server on ${this.port} is already running`);
    const base = ['--port', String(this.port), '--bind', HOST, '--save', '', '--appendonly', 'no', '--dir', this.dir];
    let args: string[];
    if (this.options.config !== undefined) {
      const file = join(this.dir, 'redis.conf');
      // Sentinel rewrites its file with what it learned; a restart keeps that.
      if (!existsSync(file))
        writeFileSync(file, `port ${this.port}\nbind ${HOST}\ndir ${this.dir}\n${this.options.config}\n`);
      args = [file, ...(this.options.sentinel ? ['--sentinel'] : [])];
    } else {
      args = [...base, ...(this.options.args ?? [])];
    }
    const child = spawn('redis-server', args, { stdio: 'ignore', cwd: this.dir });
    live.add(child);
    child.once('exit', () => live.delete(child));
    this.child = child;
    await waitFor(
      `redis-server on port ${this.port}`,
      async () => (await rawCommand(this.port, 'PING')) === '+PONG\r\n',
    );
  }

  /** SIGKILLs the process (a crash) and waits until it is gone. */
  async kill(): Promise<void> {
    await this.stopWith('SIGKILL');
  }

  /** Stops the process and removes its directory. */
  async stop(): Promise<void> {
    await this.stopWith('SIGTERM');
    rmSync(this.dir, { recursive: true, force: true, maxRetries: 3 });
    dirs.delete(this.dir);
  }

  /** Freezes (SIGSTOP) or resumes (SIGCONT) the process: a server that stops answering. */
  pause(paused: boolean): void {
    this.child?.kill(paused ? 'SIGSTOP' : 'SIGCONT');
  }

  /** Runs a command through `redis-cli` against this server. */
  cli(...args: string[]): Promise<string> {
    return cli('-h', HOST, '-p', String(this.port), ...args);
  }

  private async stopWith(signal: NodeJS.Signals): Promise<void> {
    const child = this.child;
    if (!child) return;
    this.child = undefined;
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGCONT');
    child.kill(signal);
    await exited;
  }
}

/** A Redis Cluster of three masters (no replicas) on loopback. */
export class RedisClusterHarness {
  private constructor(readonly servers: RedisServer[]) {}

  static async start(): Promise<RedisClusterHarness> {
    const args = ['--cluster-enabled', 'yes', '--cluster-config-file', 'nodes.conf', '--cluster-node-timeout', '2000'];
    const servers: RedisServer[] = [];
    for (let i = 0; i < 3; i++) servers.push(await RedisServer.start({ args }));
    const harness = new RedisClusterHarness(servers);
    await cli(
      '--cluster',
      'create',
      ...servers.map((s) => `${HOST}:${s.port}`),
      '--cluster-replicas',
      '0',
      '--cluster-yes',
    );
    for (const s of servers) {
      await waitFor('cluster_state:ok', async () => (await s.cli('cluster', 'info')).includes('cluster_state:ok'));
    }
    return harness;
  }

  get nodes(): { host: string; port: number }[] {
    return this.servers.map((s) => ({ host: HOST, port: s.port }));
  }

  async stop(): Promise<void> {
    await Promise.all(this.servers.map((s) => s.stop()));
  }
}

/** One master, one replica and one sentinel (quorum 1, fast failover) on loopback. */
export class RedisSentinelHarness {
  static readonly masterName = 'cachekit-master';

  private constructor(
    readonly master: RedisServer,
    readonly replica: RedisServer,
    readonly sentinel: RedisServer,
  ) {}

  static async start(): Promise<RedisSentinelHarness> {
    const master = await RedisServer.start();
    const replica = await RedisServer.start({ args: ['--replicaof', HOST, String(master.port)] });
    await waitFor('replica in sync', async () =>
      (await replica.cli('info', 'replication')).includes('master_link_status:up'),
    );
    const name = RedisSentinelHarness.masterName;
    const sentinel = await RedisServer.start({
      sentinel: true,
      config: [
        `sentinel monitor ${name} ${HOST} ${master.port} 1`,
        `sentinel down-after-milliseconds ${name} 1000`,
        `sentinel failover-timeout ${name} 3000`,
        `sentinel parallel-syncs ${name} 1`,
      ].join('\n'),
    });
    const harness = new RedisSentinelHarness(master, replica, sentinel);
    await waitFor('sentinel sees the replica', async () =>
      (await sentinel.cli('sentinel', 'replicas', name)).includes(String(replica.port)),
    );
    return harness;
  }

  get sentinels(): { host: string; port: number }[] {
    return [{ host: HOST, port: this.sentinel.port }];
  }

  /** The port Sentinel currently reports as master. */
  async masterPort(): Promise<number> {
    const out = await this.sentinel.cli('sentinel', 'get-master-addr-by-name', RedisSentinelHarness.masterName);
    return Number(out.trim().split('\n')[1]);
  }

  async stop(): Promise<void> {
    await Promise.all([this.sentinel.stop(), this.replica.stop(), this.master.stop()]);
  }
}
