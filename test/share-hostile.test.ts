/**
 * `share: 'tabs'` when another page of the origin posts on the share's channels, in real
 * Chromium: messages between tabs are untrusted input. A page posting forged events, closes
 * and hub messages, malformed and oversized messages, cannot move a tab's cursor, stop a tab's
 * client or take the lead; every message refused is counted. A page of another channel
 * protocol makes the tabs stop sharing, each on its own socket, saying why.
 */
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { inPage, roles, shareRig, until } from './fixtures/share-page.js';

describe("share: 'tabs' against other pages of the origin", () => {
  const rig = shareRig({ tokens: ['tab-token'], bufferSize: 10_000 });
  const { group, publish } = rig;
  const gotUpTo = async (pages: Page[], last: number) => {
    for (const page of pages)
      await until(async () => (await inPage(page, (ew) => ew.got.at(-1) ?? 0)) >= last, `events up to ${last}`);
  };

  it('forged events, closes and hub messages, malformed and oversized messages: both tabs go on, nothing moves their cursors, every refusal is counted', async () => {
    const ctx = await group();
    const key = 'forged';
    const a = await rig.site.open(ctx, { ws: rig.server.url, key });
    const b = await rig.site.open(ctx, { ws: rig.server.url, key });
    expect((await roles([a, b])).sort()).toEqual(['follower', 'leader']);
    expect(rig.server.connections).toHaveLength(1);
    await gotUpTo([a, b], publish(5));

    const forger = await rig.site.blank(ctx);
    const posted = await forger.evaluate(async (key) => {
      const channel = `eventwire:share:v2:${key}`;
      const port = new BroadcastChannel(channel);
      const hex = () =>
        Array.from(crypto.getRandomValues(new Uint8Array(16)), (b) => b.toString(16).padStart(2, '0')).join('');
      // the hub's id is public (the Web Locks name it); the links' ids are not
      const held = (await navigator.locks.query()).held ?? [];
      const hub =
        held.find((l) => l.name?.startsWith(`${channel}:hub:`))?.name?.slice(`${channel}:hub:`.length) ?? hex();
      const event = JSON.stringify({
        type: 'event',
        event_type: 'Tick',
        seq: 1e9,
        data: {},
        timestamp: new Date().toISOString(),
      });
      const forged = [
        { v: 2, t: 'down', hub, link: hex(), data: event },
        { v: 2, t: 'closed', hub, link: hex(), code: 4003, reason: 'forged' },
        { v: 2, t: 'opened', hub, link: hex(), share: 1000 },
        { v: 2, t: 'ack', hub, link: hex(), n: 1e6, share: 1 },
        { v: 2, t: 'full', hub, link: hex(), id: 'x', n: 0, share: 1 },
        { v: 2, t: 'down', hub: hex(), link: hex(), data: event },
        { v: 2, t: 'up', hub, link: hex(), data: '{"type":"subscribe","id":"x"}' },
        { v: 2, t: 'send', hub, link: hex(), n: 1, data: '{}' },
        { v: 2, t: 'bye', hub, link: hex() },
        { v: 2, t: 'open', hub, link: hex() }, // without holding the link's lock
      ];
      const announcements = [
        { v: 2, t: 'hub', hub: hex() },
        { v: 2, t: 'hub', hub: hex() },
      ];
      const wide: Record<string, number> = {};
      for (let i = 0; i < 10_000; i++) wide[`k${i}`] = i;
      let deep: unknown = {};
      for (let i = 0; i < 500; i++) deep = { deep };
      const malformed = [
        null,
        42,
        'closed',
        [],
        {},
        wide,
        deep,
        { v: 2 },
        { v: 2, t: 'down', hub: 'not-an-id', link: hex(), data: event },
        { v: 2, t: 'down', hub, link: hex(), data: 42 },
        { v: 2, t: 'down', hub, link: hex(), data: 'x'.repeat(250_000) },
        { v: 2, t: 'closed', hub, link: hex(), code: 99_999, reason: 'x' },
        { v: 2, t: 'closed', hub, link: hex(), code: 4003, reason: 'x'.repeat(1000) },
        { v: 2, t: 'ack', hub, link: hex(), n: -1, share: 1 },
        { v: 2, t: 'nope', hub, link: hex() },
        { v: 3, t: 'down', hub, link: hex(), data: event },
        { v: '2', t: 'hub', hub },
      ];
      for (const m of [...forged, ...announcements, ...malformed]) port.postMessage(m);
      port.close();
      return { forged: forged.length, announcements: announcements.length, malformed: malformed.length };
    }, key);

    // every tab refuses each malformed message and each false announcement; the hub, the forged hub messages
    const leader = (await roles([a, b]))[0] === 'leader' ? a : b;
    const follower = leader === a ? b : a;
    const rejected = (page: Page) => inPage(page, (ew) => ew.client.stats().share?.rejected ?? 0);
    const tabs = posted.malformed + posted.announcements;
    await until(async () => (await rejected(follower)) >= tabs, 'the follower counted');
    // and its hub: 6 messages only a hub posts, an open without its lock
    await until(async () => (await rejected(leader)) >= tabs + 7, 'the leader counted');
    const last = publish(20);
    await gotUpTo([a, b], last);
    for (const page of [a, b]) {
      expect(await inPage(page, (ew) => ew.got)).toEqual(Array.from({ length: last }, (_, i) => i + 1));
      expect(await inPage(page, (ew) => ew.sub.cursor)).toBe(last);
      expect(await inPage(page, (ew) => ew.client.state)).toBe('open');
      // the 1st, 2nd, 4th, 8th… refusal reported, and nothing else
      const errors = await inPage(page, (ew) => ew.errors);
      expect(errors.every((line) => line.startsWith('ERR_DECODE invalid_message share: refused'))).toBe(true);
      expect(errors).toHaveLength(Math.floor(Math.log2(await rejected(page))) + 1);
    }
    expect(await rejected(follower)).toBe(tabs);
    expect(await rejected(leader)).toBe(tabs + 7);
    expect(await inPage(leader, (ew) => ew.client.stats().share?.tabs)).toBe(2); // the forged open linked nothing
    expect(rig.server.connections).toHaveLength(1); // nobody took the lead, nobody left the share
    await forger.close();
  }, 60_000);

  it('a page announcing a hub it does not run gets no tab: a new tab, and the tabs after the leader leaves, link to the hub the Web Locks name', async () => {
    const ctx = await group();
    const key = 'usurper';
    const forger = await rig.site.blank(ctx);
    await forger.evaluate((key) => {
      const port = new BroadcastChannel(`eventwire:share:v2:${key}`);
      const fake = 'f'.repeat(32);
      const w = window as unknown as { opens: number; stop: () => void };
      w.opens = 0;
      port.onmessage = ({ data }) => {
        if (data?.t === 'open' && data.hub === fake) w.opens++;
      };
      const timer = setInterval(() => port.postMessage({ v: 2, t: 'hub', hub: fake }), 10);
      w.stop = () => clearInterval(timer);
    }, key);
    const a = await rig.site.open(ctx, { ws: rig.server.url, key });
    const b = await rig.site.open(ctx, { ws: rig.server.url, key });
    expect((await roles([a, b])).sort()).toEqual(['follower', 'leader']);
    const first = rig.server.connections[0]?.id;
    const leader = (await roles([a, b]))[0] === 'leader' ? a : b;
    const follower = leader === a ? b : a;
    await leader.close();
    await until(() => rig.server.connections.length === 1 && rig.server.connections[0]?.id !== first, 'a new leader');
    await until(async () => (await inPage(follower, (ew) => ew.client.state)) === 'open', 'the follower relinked');
    expect(await roles([follower])).toEqual(['leader']);
    const c = await rig.site.open(ctx, { ws: rig.server.url, key });
    expect(await roles([c])).toEqual(['follower']);
    await gotUpTo([follower, c], publish(3));
    expect(await forger.evaluate(() => (window as unknown as { opens: number }).opens)).toBe(0);
    expect(await inPage(c, (ew) => ew.client.stats().share?.rejected ?? 0)).toBeGreaterThan(0);
    expect(rig.server.connections).toHaveLength(1);
    await forger.evaluate(() => (window as unknown as { stop: () => void }).stop());
  }, 60_000);

  it('a tab closed without a word, or crashed, is dropped by the hub (its link lock goes): the shares of the others grow back', async () => {
    const ctx = await group();
    const options = { ws: rig.server.url, key: 'gone', outbox: 90 };
    const pages = [
      await rig.site.open(ctx, options),
      await rig.site.open(ctx, options),
      await rig.site.open(ctx, options),
    ];
    const [leader, ...followers] = pages;
    if (!leader) throw new Error('no pages');
    expect(await roles(pages)).toEqual(['leader', 'follower', 'follower']);
    const stats = (page: Page) => inPage(page, (ew) => ew.client.stats().share);
    expect((await stats(leader))?.tabs).toBe(3);
    await until(async () => (await stats(leader))?.share === 30, 'shares of 90 / 3');
    await followers[0]?.close();
    await until(async () => (await stats(leader))?.tabs === 2, 'the hub dropped the closed tab');
    for (const page of [leader, followers[1] as Page])
      await until(async () => (await stats(page))?.share === 45, 'shares of 90 / 2');
    const crashed = followers[1] as Page;
    const cdp = await ctx.newCDPSession(crashed);
    void cdp.send('Page.crash').catch(() => {}); // the page dies before it answers
    await until(async () => (await stats(leader))?.tabs === 1, 'the hub dropped the crashed tab');
    await until(async () => (await stats(leader))?.share === 90, 'the whole outbox for the last tab');
  }, 60_000);

  it('a page holding the leader lock without running a hub: a tab waits, and leads once the lock goes', async () => {
    const ctx = await group();
    const key = 'squatter';
    const squatter = await rig.site.blank(ctx);
    await squatter.evaluate(
      (key) =>
        new Promise<void>((held) => {
          navigator.locks.request(`eventwire:share:v2:${key}`, () => {
            held();
            return new Promise<void>((release) => {
              (window as unknown as { release: () => void }).release = release;
            });
          });
        }),
      key,
    );
    const before = rig.server.history.length;
    const page = await rig.site.visit(ctx, { ws: rig.server.url, key });
    await until(async () => (await inPage(page, (ew) => ew.client.stats().share?.role)) === 'follower', 'joined');
    expect(await inPage(page, (ew) => ew.client.state)).not.toBe('open');
    expect(rig.server.history.length).toBe(before);
    await squatter.evaluate(() => (window as unknown as { release: () => void }).release());
    await until(async () => (await inPage(page, (ew) => ew.client.state)) === 'open', 'open once the lock went');
    expect(await roles([page])).toEqual(['leader']);
  }, 60_000);

  it("a server frame the leader's client refuses is reported by the leader tab, not dropped in silence", async () => {
    const ctx = await group();
    const key = 'server-junk';
    const a = await rig.site.open(ctx, { ws: rig.server.url, key });
    const b = await rig.site.open(ctx, { ws: rig.server.url, key });
    expect(await roles([a, b])).toEqual(['leader', 'follower']);
    rig.server.sendRaw('{"type":"event"'); // not JSON
    await until(async () => (await inPage(a, (ew) => ew.errors)).length > 0, 'the leader tab reported it');
    expect(await inPage(a, (ew) => ew.errors)).toEqual([expect.stringMatching(/^ERR_DECODE invalid_json /)]);
    await gotUpTo([a, b], publish(3));
    expect(await inPage(b, (ew) => ew.errors)).toEqual([]);
  }, 60_000);

  it('a buggy tab that holds its link: junk frames and a send out of order are refused and counted by the hub, the others go on', async () => {
    const ctx = await group();
    const key = 'buggy';
    const a = await rig.site.open(ctx, { ws: rig.server.url, key });
    const b = await rig.site.open(ctx, { ws: rig.server.url, key });
    const leader = (await roles([a, b]))[0] === 'leader' ? a : b;
    const before = await inPage(leader, (ew) => ew.client.stats().share?.rejected ?? 0);
    const buggy = await rig.site.blank(ctx);
    const replies = await buggy.evaluate(async (key) => {
      const channel = `eventwire:share:v2:${key}`;
      const hex = () =>
        Array.from(crypto.getRandomValues(new Uint8Array(16)), (b) => b.toString(16).padStart(2, '0')).join('');
      const held = (await navigator.locks.query()).held ?? [];
      const hub = held.find((l) => l.name?.startsWith(`${channel}:hub:`))?.name?.slice(`${channel}:hub:`.length);
      const link = hex();
      await new Promise<void>((got) => {
        navigator.locks.request(`${channel}:link:${link}`, () => {
          got();
          return new Promise(() => {}); // held while the page lives
        });
      });
      const port = new BroadcastChannel(channel);
      const replies: Array<Record<string, unknown>> = [];
      const opened = new Promise<void>((ok) => {
        port.onmessage = ({ data }) => {
          if (data?.link !== link) return;
          replies.push(data);
          if (data.t === 'opened') ok();
        };
      });
      port.postMessage({ v: 2, t: 'open', hub, link });
      await opened;
      const up = (data: string) => port.postMessage({ v: 2, t: 'up', hub, link, data });
      for (const junk of [
        'not json',
        '[1,2]',
        '{"type":"subscribe","id":5}',
        '{"type":"subscribe","id":"s","events":[1]}',
        '{"type":"ping","__proto__":{"polluted":true}}',
        '{"type":"weird"}',
      ])
        up(junk);
      port.postMessage({ v: 2, t: 'send', hub, link, n: 1, data: '{"type":"ack","message_id":"Z-1"}' });
      port.postMessage({ v: 2, t: 'send', hub, link, n: 1, data: '{"type":"ack","message_id":"Z-1"}' });
      up('{"type":"ping","ts":7}'); // a frame in order: answered after the others
      await new Promise<void>((done) => {
        const check = setInterval(() => {
          if (!replies.some((r) => r.t === 'down' && String(r.data).includes('"pong"'))) return;
          clearInterval(check);
          done();
        }, 10);
      });
      return replies.map((r) => (r.t === 'down' ? `down ${JSON.parse(String(r.data)).type}` : `${r.t} ${r.n ?? ''}`));
    }, key);
    expect(replies).toContain('full 1'); // the send out of order, said to the tab
    expect(replies.filter((r) => r.startsWith('ack'))).not.toHaveLength(0);
    const rejected = await inPage(leader, (ew) => ew.client.stats().share?.rejected ?? 0);
    expect(rejected - before).toBe(7); // 6 junk frames, 1 send out of order
    await until(() => rig.server.acks.includes('Z-1'), 'the send in order at the server');
    expect(rig.server.acks.filter((id) => id === 'Z-1')).toHaveLength(1);
    await gotUpTo([a, b], publish(3));
  }, 60_000);
});
