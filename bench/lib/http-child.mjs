// The two halves every http benchmark needs: a Nest app of bench/groups/ (http-app.ts,
// http-module-app.ts) forked into a child process, which sends what it listens on once it does,
// answers 'cpu' with its own process.cpuUsage() and exits on 'close'; and autocannon runs that
// fail on any non-2xx answer or error, so a broken route never reports a figure.
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';

const root = fileURLToPath(new URL('../..', import.meta.url));

/**
 * Forks `bench/groups/<app>` with `args` (through @swc-node/register, plus `execArgv`) and resolves
 * once it listens: `ports` is what it reported (`{ port, rawPort? }`); `label` names it in errors.
 */
export async function startHttpChild(app, args, { label = app, execArgv = [] } = {}) {
  const child = fork(fileURLToPath(new URL(`../groups/${app}`, import.meta.url)), args, {
    cwd: root,
    execArgv: ['-r', '@swc-node/register', ...execArgv],
    env: { ...process.env, SWC_NODE_PROJECT: `${root}/tsconfig.json` },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const ports = await new Promise((resolve, reject) => {
    child.once('message', resolve);
    child.once('exit', (code) => reject(new Error(`${label} exited with ${code} before listening`)));
  });
  /** The child's CPU time so far (user + system, µs). */
  const cpu = () =>
    new Promise((resolve) => {
      child.once('message', (m) => resolve(m.cpu.user + m.cpu.system));
      child.send('cpu');
    });
  return {
    ports,
    /** `http://127.0.0.1:<port><path>`, on the app's port unless another is given. */
    url: (path, port = ports.port) => `http://127.0.0.1:${port}${path}`,
    /** The child's CPU µs per request over `amount` requests to `url` (time descheduled does not count). */
    async cpuPerRequest(url, amount, connections = 10) {
      const before = await cpu();
      await cannon(url, { connections, amount });
      return ((await cpu()) - before) / amount;
    },
    close: () =>
      new Promise((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        child.once('exit', resolve);
        child.send('close');
      }),
  };
}

/**
 * One autocannon run against `url` (`options`: `connections` and `amount` or `duration`),
 * resolving autocannon's result; rejects on an error or any non-2xx answer.
 */
export const cannon = (url, options) =>
  new Promise((resolve, reject) => {
    autocannon({ url, ...options }, (err, result) => {
      if (err) return reject(err);
      if (result.non2xx || result.errors)
        reject(new Error(`${url}: ${result.non2xx} non-2xx, ${result.errors} errors`));
      else resolve(result);
    });
  });
