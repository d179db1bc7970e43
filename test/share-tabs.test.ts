/**
 * `share: 'tabs'` in real Chromium: three pages of one origin hold one connection, each gets
 * its own filtered events and its requests answered; the leader page is closed five times
 * while the server publishes, and every page ends with every event of its filter, once and in
 * order. In Node (no Web Locks) a sharing client has its own socket and says so.
 */
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClient, OptionsError } from '../src/index.js';
import { track } from './cleanup.js';
import { launchChromium, serveStatic, sourceBundle } from './fixtures/browser.js';
import { type ReferenceServer, startServer } from './fixtures/server.js';
import { reach } from './helpers.js';

const PAGE = `<!doctype html><meta charset="utf-8"><title>eventwire share test</title>
<script type="module">
  import { createClient } from '/eventwire.js';
  const params = new URLSearchParams(location.search);
  const k = Number(params.get('k'));
  const got = [];
  const errors = [];
  const client = createClient({ url: params.get('ws'), token: async () => params.get('token') ?? 'tab-token', share: 'tabs' });
  client.on('error', (e) => errors.push(e.code + ' ' + e.message));
  client.subscribe('Tick', { filters: { k }, since: 0 }).on((ev) => got.push(ev.seq));
  window.ew = {
    got, errors,
    state: () => client.state,
    role: () => client.stats().share?.role,
    ask: (n) => client.request('echo', { k, n }),
    slow: () => { window.pending = client.request('slow', { k }); },
  };
</script>`;

type Ew = {
  got: number[];
  errors: string[];
  state(): string;
  role(): string | undefined;
  ask(n: number): Promise<unknown>;
  slow(): void;
};
const ew = <T>(page: Page, fn: (ew: Ew, arg: number) => T, arg = 0) =>
  page.evaluate(([f, a]) => new Function('ew', 'a', `return (${f})(ew, a)`)((window as unknown as { ew: Ew }).ew, a), [
    fn.toString(),
    arg,
  ] as const) as Promise<Awaited<T>>;

async function until(check: () => boolean | Promise<boolean>, what: string, timeoutMs = 10_000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out: ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe("share: 'tabs' in Chromium", () => {
  let browser: Browser;
  let context: BrowserContext;
  let server: ReferenceServer;
  let site: Awaited<ReturnType<typeof serveStatic>>;

  beforeAll(async () => {
    server = await startServer({
      tokens: ['tab-token'],
      bufferSize: 20_000,
      slowMethods: { slow: 4_000 }, // long enough to close a page in, on a loaded machine too
      methods: { slow: (params) => params },
    });
    const bundle = await sourceBundle();
    site = await serveStatic({
      '/': { type: 'text/html', body: PAGE },
      '/eventwire.js': { type: 'text/javascript', body: bundle },
    });
    browser = await launchChromium();
    context = await browser.newContext();
  }, 30_000);

  afterAll(async () => {
    await browser?.close();
    await site?.close();
    await server?.close();
  });

  const open = async (k: number, within = context) => {
    const page = await within.newPage();
    await page.goto(`${site.url}/?k=${k}&ws=${encodeURIComponent(server.url)}`);
    await until(async () => (await ew(page, (e) => e.state())) === 'open', `page k=${k} open`);
    return { k, page };
  };

  it('three pages, one connection; five leader changes under load: no event lost or doubled for any page', async () => {
    const tabs = [await open(0), await open(1), await open(2)];
    expect(server.connections).toHaveLength(1);
    const roles = await Promise.all(tabs.map((t) => ew(t.page, (e) => e.role())));
    expect(roles.sort()).toEqual(['follower', 'follower', 'leader']);

    let published = 0;
    const publisher = setInterval(() => {
      for (let i = 0; i < 4; i++) server.publish({ event_type: 'Tick', data: { k: published++ % 3 } });
    }, 5);
    const snapshots: Array<{ k: number; got: number[] }> = [];
    const failovers: number[] = [];
    try {
      for (let change = 0; change < 5; change++) {
        await until(() => published >= (change + 1) * 400, 'events published');
        // every page's request is answered through the current leader
        const answers = await Promise.all(tabs.map((t) => ew(t.page, (e, n) => e.ask(n), change)));
        expect(answers).toEqual(tabs.map((t) => ({ k: t.k, n: change })));
        const leaderAt = (await Promise.all(tabs.map((t) => ew(t.page, (e) => e.role())))).indexOf('leader');
        expect(leaderAt).toBeGreaterThanOrEqual(0);
        const [leader] = tabs.splice(leaderAt, 1);
        if (!leader) throw new Error('no leader');
        const old = server.connections[0]?.id;
        snapshots.push({ k: leader.k, got: await ew(leader.page, (e) => e.got) });
        await leader.page.close();
        const closedAt = Date.now(); // timed from the page gone, not from the test's call to Chromium to close it
        await until(
          () => server.connections.length === 1 && server.connections[0]?.id !== old,
          'a new leader connected',
          5_000,
        );
        failovers.push(Date.now() - closedAt);
        tabs.push(await open(leader.k)); // three pages again; the new one replays from seq 0
        expect(server.connections).toHaveLength(1);
      }
      await until(() => published >= 2_400, 'events published');
    } finally {
      clearInterval(publisher);
    }
    const last = published; // seqs 1..published, data.k = (seq - 1) % 3
    const expected = (k: number, upTo = last) =>
      Array.from({ length: upTo }, (_, i) => i + 1).filter((seq) => (seq - 1) % 3 === k);
    for (const t of tabs) {
      await until(
        async () => (await ew(t.page, (e) => e.got.length)) >= expected(t.k).length,
        `page k=${t.k} caught up`,
      );
      expect(await ew(t.page, (e) => e.got)).toEqual(expected(t.k)); // none lost, none twice, in order
      expect(await ew(t.page, (e) => e.errors)).toEqual([]);
    }
    for (const s of snapshots) expect(s.got).toEqual(expected(s.k).slice(0, s.got.length)); // closed pages: a clean prefix
    expect(failovers).toHaveLength(5);
    for (const ms of failovers) expect(ms).toBeLessThan(2_000);
    expect(server.connections).toHaveLength(1);
  }, 120_000);

  it('a token the server refuses stops every tab with an AuthError, as it stops the leader', async () => {
    const group = await browser.newContext();
    const page = await group.newPage();
    await page.goto(`${site.url}/?k=0&token=refused&ws=${encodeURIComponent(server.url)}`);
    // measured 0.6 s alone; once 10.4 s in a full run beside other Chromium files (an election, a hub, two refusals)
    await until(async () => (await ew(page, (e) => e.state())) === 'closed', 'the tab stopped', 25_000);
    expect((await ew(page, (e) => e.errors)).some((line) => line.startsWith('ERR_AUTH'))).toBe(true);
    await group.close();
  }, 45_000);

  it('a request in flight when the leader closes is re-sent with its id: the server runs it once, the tab gets the answer', async () => {
    const group = await browser.newContext(); // a share group of its own
    const tabs = [await open(0, group), await open(1, group)];
    const roles = await Promise.all(tabs.map((t) => ew(t.page, (e) => e.role())));
    const leader = tabs[roles.indexOf('leader')];
    const follower = tabs[roles.indexOf('follower')];
    if (!leader || !follower) throw new Error(`roles: ${roles}`);
    const ran = server.calls.get('slow') ?? 0;
    await ew(follower.page, (e) => e.slow());
    await until(() => server.calls.get('slow') === ran + 1, 'the server ran the method'); // its answer waits 4 s
    await leader.page.close();
    const answer = await follower.page.evaluate(() => (window as unknown as { pending: Promise<unknown> }).pending);
    expect(answer).toEqual({ k: follower.k });
    expect(server.calls.get('slow')).toBe(ran + 1); // answered from the server's cache: it ran once
    const ids = server.history.flatMap((c) =>
      c.received.filter((m) => 'method' in m && m.method === 'slow').map((m) => (m as { id: string }).id),
    );
    expect(ids).toHaveLength(2); // sent through the old leader, then through the new one
    expect(new Set(ids).size).toBe(1); // with the same id
    await group.close();
  }, 30_000);
});

describe("share: 'tabs' where it cannot share", () => {
  it('in Node (no Web Locks) the client has its own socket and says why in stats()', async () => {
    const server = track(await startServer());
    const client = track(createClient({ url: server.url, share: 'tabs', signals: false }));
    expect(client.stats().share).toEqual({ role: 'own socket', reason: 'no Web Locks (navigator.locks)' });
    const got = new Promise((r) => client.on('Tick', r));
    await reach(client, 'open');
    server.publish({ event_type: 'Tick' });
    await got;
    expect(() => createClient({ url: server.url, share: 'windows' as 'tabs' })).toThrow(/share must be 'tabs'/);
    expect(() => createClient({ url: server.url, share: 'tabs', shareKey: '' })).toThrow(OptionsError);
    const unknown = { url: server.url, share: 'tabs', reconect: true } as never;
    expect(() => createClient(unknown)).toThrow(/reconect/); // the tab's own options are checked too
  });
});
