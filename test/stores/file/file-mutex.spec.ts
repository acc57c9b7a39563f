import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, utimesSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { entryLocation, namespaceDir } from '../../../src/stores/file/file-paths';
import { useFileStores } from '../../support/file-store';

describe('file store per-key locks', () => {
  const fx = useFileStores();

  it('breaks stale lock files: a dead holder, a holder past its deadline, a half-written lock', async () => {
    const store = fx.make('app', { lockStaleMs: 60_000 });
    const ns = namespaceDir(fx.dir, 'app');
    const dead = spawnSync(process.execPath, ['-e', '']).pid!;
    const holders = [
      JSON.stringify({ token: 't', pid: dead, host: (await import('node:os')).hostname(), until: Date.now() + 60_000 }),
      JSON.stringify({ token: 't', pid: process.pid, host: 'elsewhere', until: Date.now() - 1 }),
      '',
    ];
    for (const [i, body] of holders.entries()) {
      const loc = entryLocation(ns, `c${i}`);
      mkdirSync(dirname(loc.lock), { recursive: true });
      writeFileSync(loc.lock, body);
      if (body === '') utimesSync(loc.lock, new Date(Date.now() - 120_000), new Date(Date.now() - 120_000));
      expect(await store.increment(`c${i}`, 5)).toBe(5);
      expect(existsSync(loc.lock)).toBe(false);
    }
  });
});
