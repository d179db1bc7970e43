/**
 * `share: 'tabs'` across versions, in real Chromium: tabs whose channel protocols differ share
 * nothing. Two sharing pages and a page built with an older protocol (the share's test global)
 * all end on their own sockets, each saying why, and each still gets every event; so do two
 * pages that hear a message of eventwire 0.1 (protocol 1, no version in its messages).
 */
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { inPage, roles, shareRig, until } from './fixtures/share-page.js';

describe("share: 'tabs' between versions", () => {
  const rig = shareRig({ tokens: ['tab-token'], bufferSize: 10_000 });
  const { group, publish } = rig;
  const ownSocket = (pages: Page[]) => Promise.all(pages.map((page) => inPage(page, (ew) => ew.client.stats().share)));
  const allOwn = async (pages: Page[]) => (await roles(pages)).every((role) => role === 'own socket');
  const everyEvent = async (pages: Page[]) => {
    const last = publish(20);
    for (const page of pages) {
      await until(async () => (await inPage(page, (ew) => ew.got.at(-1) ?? 0)) >= last, 'every event');
      // none lost, none twice, in order: each resubscribed from its cursor on its own socket
      expect(await inPage(page, (ew) => ew.got)).toEqual(Array.from({ length: last }, (_, i) => i + 1));
    }
  };

  it('a page of an older channel protocol: it and the two sharing pages each fall back to their own socket and say why', async () => {
    const ctx = await group();
    const key = 'versions';
    const a = await rig.site.open(ctx, { ws: rig.server.url, key });
    const b = await rig.site.open(ctx, { ws: rig.server.url, key });
    expect((await roles([a, b])).sort()).toEqual(['follower', 'leader']);
    const before = rig.server.history.length;
    const old = await rig.site.open(ctx, { ws: rig.server.url, key, protocol: 1 });
    await until(() => allOwn([a, b, old]), 'every page on its own socket');
    const [sa, sb, sold] = await ownSocket([a, b, old]);
    for (const s of [sa, sb]) expect(s?.reason).toMatch(/speaks share protocol 1 and this one 2: they share nothing/);
    expect(sold?.reason).toMatch(/speaks share protocol 2 and this one 1: they share nothing/);
    await until(() => rig.server.connections.length === 3, 'three sockets');
    for (const page of [a, b, old])
      await until(async () => (await inPage(page, (ew) => ew.client.state)) === 'open', 'open');
    await everyEvent([a, b, old]);
    expect(rig.server.history.length - before).toBeGreaterThanOrEqual(2); // the old page's own, and at least one more
    for (const page of [a, b, old]) expect(await inPage(page, (ew) => ew.errors)).toEqual([]);
  }, 60_000);

  it('a message of eventwire 0.1 on the channel name it used: both sharing pages fall back to their own socket', async () => {
    const ctx = await group();
    const key = 'legacy';
    const a = await rig.site.open(ctx, { ws: rig.server.url, key });
    const b = await rig.site.open(ctx, { ws: rig.server.url, key });
    expect(rig.server.connections).toHaveLength(1);
    const legacy = await rig.site.blank(ctx);
    await legacy.evaluate((key) => {
      const port = new BroadcastChannel(`eventwire:share:${key}`);
      port.postMessage({ t: 'open', from: 'k3j5h2l1' }); // what eventwire 0.1's tab sends first
      port.close();
    }, key);
    await until(() => allOwn([a, b]), 'both pages on their own socket');
    for (const s of await ownSocket([a, b])) expect(s?.reason).toMatch(/speaks share protocol 1 and this one 2/);
    await until(() => rig.server.connections.length === 2, 'two sockets');
    for (const page of [a, b])
      await until(async () => (await inPage(page, (ew) => ew.client.state)) === 'open', 'open');
    await everyEvent([a, b]);
  }, 60_000);

  it('pages of one protocol keep sharing: hellos of their own version and junk on the rendezvous channel change nothing', async () => {
    const ctx = await group();
    const key = 'same';
    const a = await rig.site.open(ctx, { ws: rig.server.url, key });
    const b = await rig.site.open(ctx, { ws: rig.server.url, key });
    const other = await rig.site.blank(ctx);
    await other.evaluate((key) => {
      const port = new BroadcastChannel(`eventwire:share:${key}`);
      for (const m of [{ eventwire: 'share', v: 2 }, { eventwire: 'share', v: -1 }, { t: 1 }, 'hello', null])
        port.postMessage(m);
      port.close();
    }, key);
    await until(
      async () => (await ownSocket([a, b])).every((s) => s?.rejected === 4),
      'the four messages no eventwire sends refused',
    );
    expect((await roles([a, b])).sort()).toEqual(['follower', 'leader']);
    expect(rig.server.connections).toHaveLength(1);
  }, 60_000);

  it('a page of an older protocol first, then two pages: all three on their own sockets', async () => {
    const ctx = await group();
    const key = 'old-first';
    const before = rig.server.connections.length;
    const old = await rig.site.open(ctx, { ws: rig.server.url, key, protocol: 1 });
    expect(await roles([old])).toEqual(['leader']); // alone, it leads its own protocol's share
    const a = await rig.site.open(ctx, { ws: rig.server.url, key });
    const b = await rig.site.open(ctx, { ws: rig.server.url, key });
    await until(() => allOwn([a, b, old]), 'every page on its own socket');
    await until(() => rig.server.connections.length === before + 3, 'three sockets');
    for (const page of [a, b, old])
      await until(async () => (await inPage(page, (ew) => ew.client.state)) === 'open', 'open');
    await everyEvent([a, b, old]);
  }, 60_000);
});
