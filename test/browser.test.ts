/**
 * The built browser ES module in real (headless) Chromium: served from 127.0.0.1, it
 * connects to the reference server, subscribes with filters, receives gzip batches,
 * survives a server restart, and reports back to the test.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { browserBundle, launchChromium, serveStatic } from './fixtures/browser.js';
import { type ReferenceServer, startServer } from './fixtures/server.js';

const PAGE = `<!doctype html><meta charset="utf-8"><title>eventwire browser test</title>
<script type="module">
  import { createClient } from '/eventwire.js';
  const params = new URLSearchParams(location.search);
  const report = (window.report = { states: [], events: [], gaps: [], errors: [] });
  const client = createClient({
    url: params.get('ws'),
    token: async () => 'browser-token',
    compression: true,
    batchSize: 10,
    batchInterval: 5,
    backoff: { minDelay: 20, maxDelay: 200 },
    on: { state: ({ to }) => report.states.push(to), error: (e) => report.errors.push(e.code + ' ' + e.message) },
  });
  const sub = client.subscribe(['TaskStatusChanged'], { filters: { status: ['Running', 'Failed'] } });
  sub.on((ev) => report.events.push({ seq: ev.seq, status: ev.data.status }));
  sub.on('gap', (g) => report.gaps.push(g));
  sub.on('state', ({ to }) => (report.subscription = to));
  report.webSocketIsNative = typeof WebSocket === 'function';
</script>`;

describe('in a real browser (Chromium)', () => {
  let browser: Browser;
  let server: ReferenceServer;
  let site: Awaited<ReturnType<typeof serveStatic>>;
  let page: Page;

  beforeAll(async () => {
    server = await startServer({ tokens: ['browser-token'], bufferSize: 1000 });
    site = await serveStatic({
      '/': { type: 'text/html', body: PAGE },
      '/eventwire.js': { type: 'text/javascript', body: browserBundle },
    });
    browser = await launchChromium();
    page = await browser.newPage();
  }, 30_000);

  afterAll(async () => {
    await browser?.close();
    await site?.close();
    await server?.close();
  });

  const report = () =>
    page.evaluate(() => (window as unknown as { report: Record<string, unknown> }).report) as Promise<{
      states: string[];
      events: Array<{ seq: number; status: string }>;
      gaps: unknown[];
      errors: string[];
      subscription?: string;
    }>;
  const until = async (condition: (r: Awaited<ReturnType<typeof report>>) => boolean) => {
    const deadline = Date.now() + 15_000;
    for (;;) {
      const r = await report();
      if (condition(r)) return r;
      if (Date.now() > deadline) throw new Error(`browser never reached the condition: ${JSON.stringify(r)}`);
      await new Promise((res) => setTimeout(res, 25));
    }
  };

  it('connects, receives filtered gzip batches, and resumes after a server restart', async () => {
    await page.goto(`${site.url}/?ws=${encodeURIComponent(server.url)}`);
    await until((r) => r.subscription === 'active');
    const statuses = ['Pending', 'Running', 'Failed', 'Done'];
    const publish = (n: number) => {
      const sent = [];
      for (let i = 0; i < n; i++)
        sent.push(server.publish({ event_type: 'TaskStatusChanged', data: { status: statuses[i % 4] } }));
      return sent;
    };
    const first = publish(40);
    const wanted = (sent: typeof first) =>
      sent.filter((e) => ['Running', 'Failed'].includes((e.data as { status: string }).status)).map((e) => e.seq);
    await until((r) => r.events.length === wanted(first).length);

    await server.restart({ downtime: 300 });
    await until((r) => r.states.filter((s) => s === 'open').length === 2 && r.subscription === 'active');
    const second = publish(40);
    const all = [...wanted(first), ...wanted(second)];
    const r = await until((x) => x.events.length === all.length);

    expect(r.events.map((e) => e.seq)).toEqual(all);
    expect(r.events.every((e) => e.status === 'Running' || e.status === 'Failed')).toBe(true);
    expect(r.states).toContain('reconnecting');
    expect(r.errors).toEqual([]);
    const conn = server.history.at(-1);
    expect(conn?.url).toContain('compression=true');
    expect(conn?.url).toContain('token=browser-token');
    expect(conn?.sent.binary).toBeGreaterThan(0); // gzip frames, read as ArrayBuffer by the browser
    expect(
      await page.evaluate(
        () => (window as unknown as { report: { webSocketIsNative: boolean } }).report.webSocketIsNative,
      ),
    ).toBe(true);
  });

  it('resumes without loss when events are published while the server is down', async () => {
    const before = (await report()).events.length;
    await server.stop(true);
    for (let i = 0; i < 20; i++) server.publish({ event_type: 'TaskStatusChanged', data: { status: 'Failed', i } });
    await server.start();
    const r = await until((x) => x.events.length === before + 20);
    const seqs = r.events.map((e) => e.seq);
    expect(new Set(seqs).size).toBe(seqs.length); // no duplicate
    expect([...seqs].sort((a, b) => a - b)).toEqual(seqs); // in order
    expect(r.gaps).toEqual([]);
  });
});
