/**
 * `share: 'tabs'` keeps the single-client contract of `send()` and `request()` in every tab,
 * in real Chromium, with the leader's client rate limited so that its outbox fills: a tab's
 * `send()` says `'queued'` for what its share of the leading tab's outbox holds and
 * `'refused'` for the rest, never `'sent'`, and every queued send reaches the server; a full
 * share rejects requests with a `QueueFullError`; one tab's flood neither fails nor delays
 * another tab's requests behind it; sends queued when the leader leaves go through the next.
 */
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { inPage, roles, shareRig, until } from './fixtures/share-page.js';

describe("share: 'tabs' and the leading tab's outbox", () => {
  const rig = shareRig({ tokens: ['tab-token'] });
  const { group } = rig;
  /** The sends the server got from `tag`: the message ids of the acks it was sent, in order. */
  const received = (tag: string) => rig.server.acks.filter((id) => id.startsWith(`${tag}-`));
  /**
   * `count` sends from a page in one synchronous burst (acks sent as plain messages, ids
   * `tag-i`): the results, and the tab's count of queued sends right after.
   */
  const burst = (page: Page, tag: string, count: number, from = 0) =>
    inPage(
      page,
      (ew, [t, n, first]) => {
        const results: string[] = [];
        for (let i = first; i < first + n; i++) results.push(ew.client.send({ type: 'ack', message_id: `${t}-${i}` }));
        return { results, queued: ew.client.stats().share?.queued };
      },
      [tag, count, from] as const,
    );
  const share = (page: Page) => inPage(page, (ew) => ew.client.stats().share);

  it("a tab's burst of 300 sends: its share is queued and the rest refused, none 'sent', and the server gets every queued one", async () => {
    const ctx = await group();
    const options = { ws: rig.server.url, key: 'burst', outbox: 50, rate: 20 };
    const a = await rig.site.open(ctx, options);
    const b = await rig.site.open(ctx, options);
    expect(await roles([a, b])).toEqual(['leader', 'follower']);
    expect((await share(b))?.share).toBe(25); // 50 / 2 tabs

    const { results, queued } = await burst(b, 'B', 300);
    expect(results.filter((r) => r === 'sent')).toEqual([]);
    expect(results.slice(0, 25)).toEqual(Array(25).fill('queued'));
    expect(results.slice(25)).toEqual(Array(275).fill('refused'));
    expect(queued).toBe(25);

    await until(() => received('B').length >= 25, 'the queued sends at the server');
    expect(received('B')).toEqual(Array.from({ length: 25 }, (_, i) => `B-${i}`));
    await until(async () => (await share(b))?.queued === 0, 'the acks back at the tab');
    // with its share free again, the tab queues once more
    expect((await burst(b, 'B', 1, 300)).results).toEqual(['queued']);
    await until(() => received('B').length === 26, 'the last send');
  }, 60_000);

  it("sends made as the client is created, before the share's code loaded: queued within outboxSize, refused beyond, each at the server once", async () => {
    const ctx = await group();
    const a = await rig.site.open(ctx, { ws: rig.server.url, key: 'early', outbox: 10 });
    const b = await rig.site.open(ctx, { ws: rig.server.url, key: 'early', outbox: 10, early: 30 });
    expect(await roles([a, b])).toEqual(['leader', 'follower']);
    const early = await inPage(b, (ew) => ({ results: ew.early, stats: ew.earlyStats }));
    expect(early.stats).toEqual({ role: 'follower', rejected: 0, queued: 10, share: 10 });
    expect(early.results).toEqual([...Array(10).fill('queued'), ...Array(20).fill('refused')]);
    await until(() => received('E').length >= 10, 'the early sends at the server');
    expect(received('E')).toEqual(Array.from({ length: 10 }, (_, i) => `E-${i}`));
    await until(async () => (await share(b))?.queued === 0, 'the acks back at the tab');
  }, 60_000);

  it('requests beyond a full share reject with a QueueFullError, the others are answered', async () => {
    const ctx = await group();
    const options = { ws: rig.server.url, key: 'requests', outbox: 50, rate: 20 };
    const a = await rig.site.open(ctx, options);
    const b = await rig.site.open(ctx, options);
    expect(await roles([a, b])).toEqual(['leader', 'follower']);
    const ran = rig.server.calls.get('echo') ?? 0;
    const outcomes = await inPage(b, async (ew) => {
      const asked = Array.from({ length: 80 }, (_, n) => ew.client.request('echo', { n }));
      return Promise.all(
        asked.map((p) =>
          p.then(
            () => 'answered',
            (e: { code: string; name: string; limit: number }) =>
              ew.isQueueFullError(e) ? `${e.name} ${e.code} ${e.limit}` : `other ${e.code}`,
          ),
        ),
      );
    });
    const full = outcomes.filter((o) => o !== 'answered');
    expect(full.length).toBeGreaterThan(0);
    expect(new Set(full)).toEqual(new Set(['QueueFullError ERR_QUEUE_FULL 25']));
    expect(outcomes.length - full.length).toBeGreaterThanOrEqual(25); // its share, and what went out at once
    expect(rig.server.calls.get('echo')).toBe(ran + outcomes.length - full.length); // the refused never reached it
    expect(await inPage(b, (ew) => ew.errors)).toEqual([]);
  }, 60_000);

  it("a tab flooding 1000 sends: another tab's requests are answered, ahead of the flood's queue", async () => {
    const ctx = await group();
    const options = { ws: rig.server.url, key: 'flood', outbox: 60, rate: 5 };
    const a = await rig.site.open(ctx, options);
    const flooder = await rig.site.open(ctx, options);
    const asker = await rig.site.open(ctx, options);
    expect((await share(asker))?.share).toBe(20);
    // 1000 sends, 2 every 10 ms (5 s): the flooder's share stays full
    await inPage(flooder, (ew) => {
      const w = window as unknown as { flood: Promise<string[]> };
      w.flood = new Promise((resolve) => {
        const results: string[] = [];
        const timer = setInterval(() => {
          for (let i = 0; i < 2; i++) results.push(ew.client.send({ type: 'ack', message_id: `F-${results.length}` }));
          if (results.length < 1000) return;
          clearInterval(timer);
          resolve(results);
        }, 10);
      });
    });
    const waits: number[] = [];
    for (let n = 0; n < 3; n++) {
      await until(async () => (await share(flooder))?.queued === 20, "the flooder's share full");
      // timed in the page: the round trips of the test's own calls into Chromium are not the wait
      const { answer, ms } = await inPage(
        asker,
        async (ew, k) => {
          const started = performance.now();
          const answer = await ew.client.request('echo', { k });
          return { answer, ms: performance.now() - started };
        },
        n,
      );
      expect(answer).toEqual({ k: n });
      waits.push(ms);
    }
    // behind the flood's 20 waiting sends at 5 a second, a request would wait 4 s; in turns, a send or two
    for (const ms of waits) expect(ms).toBeLessThan(2_500);
    const results = await flooder.evaluate(() => (window as unknown as { flood: Promise<string[]> }).flood);
    expect(results).toHaveLength(1000);
    expect(results.includes('sent')).toBe(false);
    const queued = results.flatMap((r, i) => (r === 'queued' ? [`F-${i}`] : []));
    await until(() => received('F').length >= queued.length, 'every queued send at the server', 30_000);
    expect(received('F')).toEqual(queued);
    expect(await inPage(a, (ew) => ew.errors)).toEqual([]);
  }, 90_000);

  it('sends queued in a tab when the leader leaves go out through the next leader, each once', async () => {
    const ctx = await group();
    const options = { ws: rig.server.url, key: 'handover', outbox: 50, rate: 5 };
    const a = await rig.site.open(ctx, options);
    const b = await rig.site.open(ctx, options);
    expect(await roles([a, b])).toEqual(['leader', 'follower']);
    const first = rig.server.connections[0]?.id;
    expect((await burst(b, 'H', 25)).results).toEqual(Array(25).fill('queued'));
    await until(() => received('H').length >= 1, 'the first at the server');
    await a.close();
    await until(() => rig.server.connections.length === 1 && rig.server.connections[0]?.id !== first, 'a new leader');
    expect(await roles([b])).toEqual(['leader']);
    await until(() => received('H').length >= 25, 'every send at the server', 30_000);
    expect(received('H')).toEqual(Array.from({ length: 25 }, (_, i) => `H-${i}`));
    await until(async () => (await share(b))?.queued === 0, 'all acked');
  }, 60_000);
});
