/**
 * The dashboard in a real browser: Debian's Chromium driven by playwright-core, against the
 * sample app (built first, as CI and `npm run sample` do), with a memory, a Redis and a two-tier
 * store. Also writes the screenshots in docs/.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { Module, type INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { CacheModule, createCacheManager, type CacheManager } from '../../src';
import { CacheAdminModule } from '../../src/admin';
import { freePort } from '../support/redis-server';

/**
 * Where the screenshots go: docs/ (the pictures the docs show) only with UPDATE_SCREENSHOTS=1, a
 * temporary directory otherwise, so that running the suite leaves the checkout clean.
 */
const shotsDir = process.env.UPDATE_SCREENSHOTS === '1' ? 'docs' : mkdtempSync(join(tmpdir(), 'cachekit-shots-'));
const screenshot = (name: string): string => join(shotsDir, name);

const CHROMIUM = '/usr/bin/chromium';
const TOKEN = 'browser-test-token';
const REDIS_URL = 'redis://127.0.0.1:6379';

interface Sample {
  child: ChildProcess;
  base: string;
  output: () => string;
}

async function startSample(env: Record<string, string> = {}): Promise<Sample> {
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  let output = '';
  const child = spawn(process.execPath, ['-r', '@swc-node/register', 'sample/src/main.ts'], {
    env: { ...process.env, PORT: String(port), REDIS_URL, CACHE_ADMIN_TOKEN: TOKEN, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout!.on('data', (d) => (output += d));
  child.stderr!.on('data', (d) => (output += d));
  const deadline = Date.now() + 60_000;
  for (;;) {
    try {
      await fetch(`${base}/products`);
      break;
    } catch {
      if (Date.now() > deadline || child.exitCode !== null) throw new Error(`sample did not start:\n${output}`);
      await new Promise((r) => setTimeout(r, 200));
    }
  }
  return { child, base, output: () => output };
}

async function stopSample(sample: Sample | undefined): Promise<void> {
  if (!sample || sample.child.exitCode !== null) return;
  const exited = new Promise((r) => sample.child.once('exit', r));
  sample.child.kill('SIGTERM');
  await exited;
}

async function launch(): Promise<{ context: BrowserContext; dir: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'cachekit-chromium-'));
  const context = await chromium.launchPersistentContext(dir, {
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
    viewport: { width: 1280, height: 900 },
  });
  return { context, dir };
}

/** Collects console errors and uncaught page errors. */
function watchErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  page.on('pageerror', (e) => errors.push(e.message));
  return errors;
}

/** Requests products in a loop (hits and misses on the two-tier store) until stopped. */
function traffic(base: string): () => Promise<void> {
  let running = true;
  const loop = (async () => {
    let i = 0;
    while (running) {
      await Promise.all(
        Array.from({ length: 8 }, (_, j) =>
          fetch(`${base}/products/${((i + j) % 12) + 1}`).then((r) => r.arrayBuffer()),
        ),
      );
      i++;
    }
  })();
  return async () => {
    running = false;
    await loop;
  };
}

/** The page's document, as far as the tests read it (they compile without the DOM library). */
type PageGlobal = {
  document: {
    querySelector(s: string): { textContent: string | null; getAttribute(name: string): string | null } | null;
  };
};

const number = async (page: Page, store: string, metric: string): Promise<number> =>
  Number.parseFloat(
    (await page.locator(`.store[data-store="${store}"] [data-metric="${metric}"] .value`).textContent()) ?? '',
  );

describe('the dashboard in Chromium (sample app)', () => {
  let sample: Sample | undefined;
  let browser: { context: BrowserContext; dir: string } | undefined;
  let redis: CacheManager;

  beforeAll(async () => {
    sample = await startSample();
    browser = await launch();
    // The sample's Redis store, seen from another process of the same app.
    redis = createCacheManager({ prefix: 'sample', stores: { redis: { driver: 'redis', url: REDIS_URL } } });
  }, 120_000);

  afterAll(async () => {
    await browser?.context.close();
    if (browser) rmSync(browser.dir, { recursive: true, force: true });
    await stopSample(sample);
    await redis?.close();
  });

  it('refuses the page without the token', async () => {
    expect((await fetch(`${sample!.base}/_cache`)).status).toBe(403);
    expect((await fetch(`${sample!.base}/_cache?token=wrong`)).status).toBe(403);
    const ok = await fetch(`${sample!.base}/_cache/api/stores`, { headers: { Authorization: `Bearer ${TOKEN}` } });
    expect(ok.status).toBe(200);
  });

  it('loads without console errors, and its numbers move when traffic runs', async () => {
    const page = await browser!.context.newPage();
    const errors = watchErrors(page);
    await page.goto(`${sample!.base}/_cache?token=${TOKEN}`);
    await page.locator('.store[data-store="near"]').waitFor();
    expect(await page.locator('.store').count()).toBe(3);
    await page.waitForFunction(
      (sel) =>
        ((globalThis as unknown as PageGlobal).document.querySelector(sel)?.textContent ?? '').startsWith('live'),
      '#conn',
    );
    const before =
      Number.parseFloat(
        (await page.locator('.store[data-store="near"] [data-metric="hitRatio"] .value').textContent()) ?? '0',
      ) || 0;
    const stop = traffic(sample!.base);
    try {
      const cell = (metric: string) => `.store[data-store="near"] [data-metric="${metric}"] .value`;
      // Functions, not strings: the page's CSP forbids eval (which string predicates need).
      const positive = (sel: string) =>
        Number.parseFloat((globalThis as unknown as PageGlobal).document.querySelector(sel)?.textContent ?? '') > 0;
      await page.waitForFunction(positive, cell('ops'), { timeout: 20_000 });
      await page.waitForFunction(positive, cell('p99'), { timeout: 20_000 });
      // The first request of each product misses (the loader takes 200 ms); the repeats hit.
      await page.waitForFunction(positive, cell('hitRatio'), { timeout: 20_000 });
      expect(await number(page, 'near', 'hitRatio')).toBeGreaterThan(before);
      // Charts with a few points (the stream sends once a second), then the screenshot.
      const charted = (sel: string) =>
        ((globalThis as unknown as PageGlobal).document.querySelector(sel)?.getAttribute('points') ?? '').split(' ')
          .length > 4;
      await page.waitForFunction(charted, '.store[data-store="near"] [data-metric="ops"] polyline', {
        timeout: 30_000,
      });
      await page.screenshot({ path: screenshot('dashboard.png'), fullPage: true });
    } finally {
      await stop();
    }
    const points = await page.locator('.store[data-store="near"] [data-metric="ops"] polyline').getAttribute('points');
    expect(points?.split(' ').length).toBeGreaterThan(2);
    expect(errors).toEqual([]);
    await page.close();
  });

  it('looks a key up (ttl and tags), evicts it after confirming, and the API agrees', async () => {
    const page = await browser!.context.newPage();
    const errors = watchErrors(page);
    await fetch(`${sample!.base}/products/40`);
    await page.goto(`${sample!.base}/_cache?token=${TOKEN}`);
    await page.locator('#store option[value="near"]').waitFor({ state: 'attached' });
    await page.selectOption('#store', 'near');
    await page.fill('#key', 'product:40');
    await page.click('#lookup-form button[type=submit]');
    const lookup = page.locator('#lookup');
    await lookup.waitFor();
    const text = (await lookup.textContent()) ?? '';
    expect(text).toContain('existstrue');
    expect(text).toMatch(/ttl(2\d|30)(\.\d)? s/);
    expect(text).toContain('products, product:40');
    expect(text).not.toContain('value');
    await page.click('button[data-role=evict]');
    await page.click('#result button[data-role=confirm]');
    await page.locator('#message', { hasText: 'Evicted' }).waitFor();
    const api = await fetch(`${sample!.base}/_cache/api/stores/near/keys/product%3A40`, {
      headers: { Authorization: `Bearer ${TOKEN}` },
    });
    expect(await api.json()).toEqual({ exists: false });
    expect(errors).toEqual([]);
    await page.close();
  });

  it('shows a key and a tag containing markup as text', async () => {
    const key = '<script>window.__xss = 1</script><img src=x onerror="window.__xss = 2">';
    const tag = '<b onmouseover="window.__xss = 3">tag</b>';
    await redis.store('redis').tags([tag]).set(key, 'v', 300);
    const page = await browser!.context.newPage();
    const errors = watchErrors(page);
    await page.goto(`${sample!.base}/_cache?token=${TOKEN}`);
    await page.locator('#store option[value="redis"]').waitFor({ state: 'attached' });
    await page.selectOption('#store', 'redis');
    await page.fill('#key', key);
    await page.click('#lookup-form button[type=submit]');
    await page.locator('#lookup').waitFor();
    const dds = await page.locator('#lookup dd').allTextContents();
    expect(dds[0]).toBe(key);
    expect(dds[1]).toBe('true');
    expect(dds[3]).toBe(tag);
    expect(await page.locator('#result img, #result script, #result b').count()).toBe(0);
    await page.locator('#lookup').hover();
    expect(await page.evaluate(() => (globalThis as { __xss?: number }).__xss)).toBeUndefined();
    await page.screenshot({ path: screenshot('dashboard-lookup.png') });
    expect(errors).toEqual([]);
    await page.close();
    await redis.store('redis').delete(key);
  });
});

describe('the dashboard in read-only mode (Chromium)', () => {
  let sample: Sample | undefined;
  let browser: { context: BrowserContext; dir: string } | undefined;

  beforeAll(async () => {
    sample = await startSample({ CACHE_ADMIN_READONLY: 'true' });
    browser = await launch();
  }, 120_000);

  afterAll(async () => {
    await browser?.context.close();
    if (browser) rmSync(browser.dir, { recursive: true, force: true });
    await stopSample(sample);
  });

  it('hides evict, flush and clear, and the API refuses them', async () => {
    const page = await browser!.context.newPage();
    const errors = watchErrors(page);
    await fetch(`${sample!.base}/products/3`);
    await page.goto(`${sample!.base}/_cache?token=${TOKEN}`);
    await page.locator('.store[data-store="near"]').waitFor();
    expect(await page.locator('#mode').textContent()).toBe('read-only');
    expect(await page.locator('button[data-role=clear]').first().isVisible()).toBe(false);
    expect(await page.locator('#tags').isVisible()).toBe(false);
    await page.selectOption('#store', 'near');
    await page.fill('#key', 'product:3');
    await page.click('#lookup-form button[type=submit]');
    await page.locator('#lookup').waitFor();
    expect(await page.locator('button[data-role=evict]').isVisible()).toBe(false);
    const refused = await fetch(`${sample!.base}/_cache/api/stores/near/keys/product%3A3`, {
      method: 'DELETE',
      headers: { Authorization: `Bearer ${TOKEN}` },
    });
    expect(refused.status).toBe(403);
    expect(errors).toEqual([]);
    await page.close();
  });
});

describe('the dashboard in Chromium, stores named like Object.prototype members', () => {
  let app: INestApplication | undefined;
  let browser: { context: BrowserContext; dir: string } | undefined;
  const NAMES = ['__proto__', 'toString', 'constructor'];

  afterAll(async () => {
    await browser?.context.close();
    if (browser) rmSync(browser.dir, { recursive: true, force: true });
    await app?.close();
  });

  it('shows one card and one lookup choice per store, without page errors', async () => {
    const stores: Record<string, { driver: 'memory' }> = {};
    for (const name of NAMES) Object.defineProperty(stores, name, { value: { driver: 'memory' }, enumerable: true });
    @Module({
      imports: [
        CacheModule.forRoot({ isGlobal: true, stores }),
        CacheAdminModule.forRoot({ guards: [], allowUnguarded: true }),
      ],
    })
    class ProtoNamesModule {}
    const ref = await Test.createTestingModule({ imports: [ProtoNamesModule] }).compile();
    app = ref.createNestApplication({ logger: false });
    await app.listen(0, '127.0.0.1');
    const { port } = app.getHttpServer().address() as { port: number };
    browser = await launch();
    const page = await browser.context.newPage();
    const errors = watchErrors(page);
    await page.goto(`http://127.0.0.1:${port}/_cache`);
    try {
      for (const name of NAMES) await page.locator(`.store[data-store="${name}"]`).waitFor({ timeout: 60_000 });
    } catch (err) {
      throw new Error(`${(err as Error).message}\npage errors: ${errors.join('; ')}`, { cause: err });
    }
    // A second update of the stream finds the cards it made (a lookup by store name).
    await page.waitForFunction(
      (sel) =>
        ((globalThis as unknown as PageGlobal).document.querySelector(sel)?.textContent ?? '').startsWith('live'),
      '#conn',
    );
    expect(await page.locator('.store').count()).toBe(3);
    expect(
      await page.locator('#store option').evaluateAll((os) => os.map((o) => (o as unknown as { value: string }).value)),
    ).toEqual(NAMES);
    expect(errors).toEqual([]);
    await page.close();
  }, 180_000);
});
