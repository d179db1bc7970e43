/**
 * The built browser ES module in real (headless) Chromium: served from 127.0.0.1, it
 * connects to the reference server, subscribes with filters, receives gzip batches,
 * survives a server restart, and reports back to the test. Then the gzip inflater alone:
 * DecompressionStream's verdicts against zlib's, bombs, and fflate where it is missing.
 */
import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultInflate as zlibInflate } from '../src/codec/inflate-zlib.js';
import { browserRoutes, inflaterRoutes, launchChromium, serveStatic } from './fixtures/browser.js';
import { gzipBomb } from './fixtures/gzip-bomb.js';
import {
  CAP,
  change,
  changedFrame,
  cutFrames,
  fflateDiffers,
  large,
  type Row,
  small,
  table,
} from './fixtures/gzip-table.js';
import { type ReferenceServer, startServer } from './fixtures/server.js';

const PAGE = `<!doctype html><meta charset="utf-8"><title>eventwire browser test</title>
<script type="module">
  import { createClient } from '/eventwire.js';
  const params = new URLSearchParams(location.search);
  const report = (window.report = { states: [], events: [], gaps: [], errors: [], inflaters: 0 });
  const Platform = DecompressionStream; // counted: gzip frames are inflated by the browser, not fflate
  globalThis.DecompressionStream = class extends Platform { constructor(f) { super(f); report.inflaters++; } };
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
      ...browserRoutes(),
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
    // The attempts made while the server was down are reported, each naming the host; nothing else.
    for (const e of r.errors) expect(e).toMatch(/^ERR_CONNECTION cannot connect to ws:\/\/127\.0\.0\.1:\d+\/: /);
    const conn = server.history.at(-1);
    expect(conn?.url).toContain('compression=true');
    expect(conn?.url).toContain('token=browser-token');
    expect(conn?.sent.binary).toBeGreaterThan(0); // gzip frames, read as ArrayBuffer by the browser
    const inflaters = await page.evaluate(
      () => (window as unknown as { report: { inflaters: number } }).report.inflaters,
    );
    // one DecompressionStream a gzip frame, after the three of the first frame's check (formats, members)
    expect(inflaters).toBe(3 + server.history.reduce((n, c) => n + c.sent.binary, 0));
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

  it('delivers gzip batches and the text frames between them in the order of their frames', async () => {
    const before = (await report()).events.length;
    const from = server.head + 1;
    server.forget(8); // seqs from..from+7 pass unsent: this test sends them itself
    const ev = (seq: number) => ({
      event_type: 'TaskStatusChanged',
      timestamp: new Date().toISOString(),
      data: { status: 'Running' },
      metadata: {},
      seq,
    });
    const batch = (first: number, n: number) =>
      gzipSync(JSON.stringify({ type: 'batch', events: Array.from({ length: n }, (_, i) => ev(first + i)) }));
    server.sendRaw(batch(from, 5));
    server.sendRaw(JSON.stringify(ev(from + 5)));
    server.sendRaw(batch(from + 6, 1));
    server.sendRaw(JSON.stringify(ev(from + 7)));
    const r = await until((x) => x.events.length >= before + 8);
    expect(r.events.slice(before).map((e) => e.seq)).toEqual(Array.from({ length: 8 }, (_, i) => from + i));
  });
});

const INFLATER_PAGE = `<!doctype html><meta charset="utf-8"><title>eventwire gzip test</title>
<script type="module">
  if (location.search.includes('no-streams')) delete globalThis.DecompressionStream;
  const m = await import('/inflate.js');
  const bytesOf = (b64) => Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
  const verdict = (r) => (r instanceof Uint8Array ? 'ok:' + r.length : r.reason); // the inflater's verdict: the bytes, or a DecodeError's fields
  window.gzip = {
    support: () => m.streamSupport(),
    verdicts: async (rows) => {
      const out = [];
      for (const [b64, cap, checkCrc] of rows) out.push(verdict(await m.defaultInflate(bytesOf(b64), cap, checkCrc)));
      return out;
    },
    fetched: async (path, cap) => {
      const bytes = new Uint8Array(await (await fetch(path)).arrayBuffer());
      const started = performance.now();
      const r = await m.defaultInflate(bytes, cap, true);
      return { verdict: verdict(r).replace(/:.*/, ''), held: r.held, ms: performance.now() - started };
    },
  };
  window.connect = (url) => {
    const seen = (window.seen = []);
    const client = m.createClient({ url, compression: true });
    client.subscribe(['TaskStatusChanged']).on((ev) => seen.push(ev.seq));
    return new Promise((resolve) => client.on('open', () => resolve(true)));
  };
  window.ready = true;
</script>`;

describe('gzip in Chromium: DecompressionStream, fflate only where it is missing', () => {
  let browser: Browser;
  let site: Awaited<ReturnType<typeof serveStatic>>;
  const zlibVerdict = ([, frame, , cap = CAP, checkCrc = true]: Row) => {
    const r = zlibInflate(new Uint8Array(frame), cap, checkCrc);
    return r instanceof Uint8Array ? `ok:${r.length}` : r.reason;
  };
  const forged = (bomb: Buffer, size: number) => {
    const frame = Buffer.from(bomb);
    frame.writeUInt32LE(size, frame.length - 4);
    return frame;
  };

  let server: ReferenceServer;

  beforeAll(async () => {
    const [bomb1g, bomb16m] = [await gzipBomb(1024), await gzipBomb(16)];
    server = await startServer();
    const routes = await inflaterRoutes();
    // the inflater's chunk and fflate's come slowly: frames that arrive meanwhile must wait behind the gzip frame
    for (const [path, route] of Object.entries(routes))
      if (path.includes('fflate') || path.includes('inflate-stream')) routes[path] = { ...route, delay: 300 };
    site = await serveStatic({
      '/': { type: 'text/html', body: INFLATER_PAGE },
      ...routes,
      '/bomb-1g-honest.gz': { type: 'application/octet-stream', body: bomb1g },
      '/bomb-1g-1000.gz': { type: 'application/octet-stream', body: forged(bomb1g, 1_000) },
      '/bomb-1g-cap.gz': { type: 'application/octet-stream', body: forged(bomb1g, CAP) },
      '/bomb-16m.gz': { type: 'application/octet-stream', body: bomb16m },
      '/bomb-16m-10.gz': { type: 'application/octet-stream', body: forged(bomb16m, 10) },
    });
    browser = await launchChromium();
  }, 60_000);

  /** Errors the pages threw or rejections they left unhandled: there must be none. */
  const pageErrors: string[] = [];

  afterAll(async () => {
    await browser?.close();
    await site?.close();
    await server?.close();
    expect(pageErrors).toEqual([]);
  });

  const eventuallyIn = (page: Page, condition: string) =>
    page.waitForFunction(condition, undefined, { timeout: 15_000 });

  async function open(query = '') {
    const page = await browser.newPage();
    page.on('pageerror', (error) => pageErrors.push(error.message));
    await page.goto(`${site.url}/${query}`);
    await page.waitForFunction(() => (window as unknown as { ready?: boolean }).ready === true);
    return page;
  }
  const verdicts = (page: Page, rows: Row[]) =>
    page.evaluate(
      (input) => (window as unknown as { gzip: { verdicts(r: unknown): Promise<string[]> } }).gzip.verdicts(input),
      rows.map(([, frame, , cap = CAP, checkCrc = true]) => [frame.toString('base64'), cap, checkCrc]),
    );
  const support = (page: Page) =>
    page.evaluate(() => (window as unknown as { gzip: { support(): Promise<boolean> } }).gzip.support());
  const fetched = (page: Page, path: string, cap: number) =>
    page.evaluate(
      ([p, c]) =>
        (
          window as unknown as {
            gzip: { fetched(p: string, c: number): Promise<{ verdict: string; held?: number; ms: number }> };
          }
        ).gzip.fetched(p as string, c as number),
      [path, cap] as const,
    );

  it("gives zlib's verdict on every frame of the table, cut anywhere, and on 300 random changes of valid deflate data", async () => {
    const page = await open();
    try {
      expect(await support(page)).toBe(true);
      const random = fc
        .sample(changedFrame, { numRuns: 300, seed: 22 })
        .map(
          ([data, level, c, checkCrc, cap]): Row => [
            `${c.kind}, level ${level}`,
            change(gzipSync(data, { level }), c),
            '',
            cap,
            checkCrc,
          ],
        );
      const cuts = [...cutFrames(small), ...cutFrames(large)].map(([name, frame]): Row => [name, frame, '']);
      const zlibLike = fflateDiffers.map(([name, frame, reason]): Row => [name, frame, reason]); // fflate differs there
      const rows = [...table, ...zlibLike, ...cuts, ...random];
      const got = await verdicts(page, rows);
      const expected = rows.map(zlibVerdict);
      const differ = rows.flatMap(([name], i) =>
        got[i] === expected[i] ? [] : [`${name}: ${got[i]} vs ${expected[i]}`],
      );
      expect(differ).toEqual([]);
      for (const [name, , reason] of [...table, ...zlibLike])
        expect(got[rows.findIndex(([n]) => n === name)]?.replace(/:.*/, ''), name).toBe(reason);
      expect(site.requested.filter((path) => path.includes('fflate'))).toEqual([]); // fflate's chunk is not loaded
    } finally {
      await page.close();
    }
  }, 60_000);

  it('stops bombs: refused before inflating, or as soon as the output passes the declared size (fed in slices)', async () => {
    const page = await open();
    try {
      expect(await fetched(page, '/bomb-1g-honest.gz', CAP)).toMatchObject({ verdict: 'too_large', held: 0 });
      const small = await fetched(page, '/bomb-1g-1000.gz', CAP);
      expect(small).toMatchObject({ verdict: 'bad_trailer', held: 1_000 });
      expect(small.ms).toBeLessThan(1_000); // measured: about 16 ms
      expect(await fetched(page, '/bomb-1g-cap.gz', CAP)).toMatchObject({ verdict: 'bad_trailer', held: CAP });
      // A frame declaring 10 bytes is stopped in its first slice: a small part of the time its 16 MiB take.
      const times = { honest: Number.POSITIVE_INFINITY, lying: Number.POSITIVE_INFINITY };
      for (let i = 0; i < 5; i++) {
        const honest = await fetched(page, '/bomb-16m.gz', CAP + 1);
        expect(honest.verdict).toBe('ok');
        const lying = await fetched(page, '/bomb-16m-10.gz', CAP + 1);
        expect(lying).toMatchObject({ verdict: 'bad_trailer', held: 10 });
        times.honest = Math.min(times.honest, honest.ms);
        times.lying = Math.min(times.lying, lying.ms);
      }
      expect(times.lying).toBeLessThan(times.honest / 4);
    } finally {
      await page.close();
    }
  }, 60_000);

  it('without DecompressionStream, loads fflate on the first gzip frame and gives the same verdicts', async () => {
    const page = await open('?no-streams');
    try {
      expect(await support(page)).toBe(false);
      const before = site.requested.length;
      const got = await verdicts(page, table);
      expect(got.map((v) => v.replace(/:.*/, ''))).toEqual(table.map(([, , reason]) => reason));
      expect(got).toEqual(table.map(zlibVerdict));
      const loaded = site.requested.slice(before);
      // on the first gzip frame: the inflater's chunk, then the one that holds fflate; each once
      expect(loaded.map((path) => path.replace(/-\w+\.js$/, ''))).toEqual(['/inflate-stream', '/gzip-fflate']);
    } finally {
      await page.close();
    }
  }, 60_000);

  it('without DecompressionStream, text frames behind the first gzip frame wait while fflate loads: order kept', async () => {
    const page = await open('?no-streams');
    try {
      await page.evaluate(
        (url) => (window as unknown as { connect(u: string): Promise<boolean> }).connect(url),
        server.url,
      );
      await eventuallyIn(page, 'window.seen !== undefined');
      const from = server.head + 1;
      server.forget(4); // seqs from..from+3 pass unsent: the test sends them itself
      const ev = (seq: number) => ({
        event_type: 'TaskStatusChanged',
        timestamp: '2026-11-22T10:00:00Z',
        data: {},
        seq,
      });
      server.sendRaw(gzipSync(JSON.stringify({ type: 'batch', events: [ev(from), ev(from + 1)] })));
      server.sendRaw(JSON.stringify(ev(from + 2)));
      server.sendRaw(JSON.stringify(ev(from + 3)));
      await eventuallyIn(page, 'window.seen.length >= 4');
      expect(await page.evaluate('window.seen')).toEqual([from, from + 1, from + 2, from + 3]);
    } finally {
      await page.close();
    }
  }, 60_000);
});
