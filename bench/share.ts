/**
 * `share: 'tabs'` in real Chromium (the built browser module): the heap a follower tab's client
 * holds while idle, against a client with its own socket in the same browser, and the latency
 * a follower adds to an event against the leader's own tab, measured in the same run.
 */
import type { Page } from 'playwright-core';
import { browserRoutes, launchChromium, serveStatic } from '../test/fixtures/browser.js';
import { startServer } from '../test/fixtures/server.js';

const PAGE = `<!doctype html><meta charset="utf-8"><script type="module">
  import { createClient } from '/eventwire.js';
  window.createClient = createClient;
  window.clients = [];
  window.lat = [];
</script>`;

const CLIENTS = 50;

/** The page's JS heap after a full GC, in bytes (Chromium's own count, through CDP). */
async function heap(page: Page): Promise<number> {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('HeapProfiler.collectGarbage');
  await cdp.send('HeapProfiler.collectGarbage');
  const { usedSize } = (await cdp.send('Runtime.getHeapUsage')) as { usedSize: number };
  await cdp.detach();
  return usedSize;
}

const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] ?? 0;

export async function runShareBench() {
  const server = await startServer({ bufferSize: 100 });
  const site = await serveStatic({
    '/': { type: 'text/html', body: PAGE },
    ...browserRoutes(),
  });
  const browser = await launchChromium();
  try {
    const context = await browser.newContext();
    const newPage = async () => {
      const page = await context.newPage();
      await page.goto(site.url);
      await page.waitForFunction(() => 'createClient' in window);
      return page;
    };
    // Heap: CLIENTS idle clients in one page, sharing (followers of a leader in another page) or not.
    const perClient = async (share: boolean) => {
      const page = await newPage();
      const before = await heap(page);
      await page.evaluate(
        async ([url, n, shared]) => {
          const w = window as unknown as {
            createClient: (o: object) => { ready(): Promise<void> };
            clients: unknown[];
          };
          for (let i = 0; i < n; i++)
            w.clients.push(w.createClient({ url, ...(shared ? { share: 'tabs', shareKey: 'bench' } : {}) }));
          await Promise.all((w.clients as Array<{ ready(): Promise<void> }>).map((c) => c.ready()));
        },
        [server.url, CLIENTS, share] as const,
      );
      const after = await heap(page);
      return { page, kb: (after - before) / CLIENTS / 1024 };
    };
    const leaderPage = await newPage();
    await leaderPage.evaluate(async (url) => {
      const w = window as unknown as { createClient: (o: object) => { ready(): Promise<void> }; leader: unknown };
      const client = w.createClient({ url, share: 'tabs', shareKey: 'bench' }) as { ready(): Promise<void> };
      w.leader = client;
      await client.ready();
    }, server.url);
    const followers = await perClient(true);
    const direct = await perClient(false);
    await direct.page.close();
    await followers.page.close();

    // Latency: one subscriber in the leader's tab, one in a follower tab; 1,000 events at 200/s.
    const follower = await newPage();
    const subscribe = (page: Page) =>
      page.evaluate(async (url) => {
        const w = window as unknown as {
          createClient: (o: object) => {
            ready(): Promise<void>;
            subscribe(n: string): { on(f: (e: { data: { t: number } }) => void): void; ready(): Promise<void> };
          };
          lat: number[];
        };
        const client = w.createClient({ url, share: 'tabs', shareKey: 'bench' });
        const sub = client.subscribe('Lat');
        sub.on((ev) => w.lat.push(performance.timeOrigin + performance.now() - ev.data.t));
        await sub.ready();
      }, server.url);
    await subscribe(leaderPage);
    await subscribe(follower);
    for (let i = 0; i < 1000; i++) {
      server.publish({ event_type: 'Lat', data: { t: performance.timeOrigin + performance.now() } });
      await new Promise((r) => setTimeout(r, 5));
    }
    const arrived = (page: Page) => page.evaluate(() => (window as unknown as { lat: number[] }).lat.length);
    for (const page of [leaderPage, follower]) while ((await arrived(page)) < 1000) await page.waitForTimeout(20);
    const stats = async (page: Page) => {
      const lat = ((await page.evaluate(() => (window as unknown as { lat: number[] }).lat)) as number[]).sort(
        (a, b) => a - b,
      );
      return { count: lat.length, p50: percentile(lat, 0.5), p99: percentile(lat, 0.99) };
    };
    return {
      clients: CLIENTS,
      followerKB: followers.kb,
      directKB: direct.kb,
      leader: await stats(leaderPage),
      follower: await stats(follower),
      connections: server.history.length,
    };
  } finally {
    await browser.close();
    await site.close();
    await server.close();
  }
}

if (process.argv[1]?.endsWith('share.ts')) console.log(await runShareBench());
