/**
 * `share: 'tabs'`: a tab's link to the hub, when the hub does not hear its first `open`. The
 * Web Locks name a new hub a moment before its channel hears anything, and under load a tab
 * asked in that moment (issue #20: a request after a leader change never answered, its tab
 * never linked). In real Chromium, a page of the origin plays a hub that holds the locks and
 * ignores the opens it gets until it says it listens: the tab asks again until answered, links,
 * and its request is answered.
 */
import type { BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inPage, shareSite, until } from './fixtures/share-page.js';

describe("share: 'tabs' when the hub misses a tab's open", () => {
  let site: Awaited<ReturnType<typeof shareSite>>;
  let context: BrowserContext | undefined;

  beforeAll(async () => {
    site = await shareSite();
  }, 60_000);

  afterAll(async () => {
    await context?.close();
    await site?.close();
  });

  it('a tab asks for its link again until the hub answers: it links and its request is answered', async () => {
    context = await site.browser.newContext();
    const key = 'deaf-hub';
    const hub = await site.blank(context);
    // a hub that holds the leader's and its own lock, ignores opens until told to listen, then serves v1
    await hub.evaluate(async (key) => {
      const channel = `eventwire:share:v2:${key}`;
      const id = Array.from(crypto.getRandomValues(new Uint8Array(16)), (b) => b.toString(16).padStart(2, '0')).join(
        '',
      );
      const hold = (name: string) =>
        new Promise<void>((held) => {
          void navigator.locks.request(name, () => {
            held();
            return new Promise<void>(() => {});
          });
        });
      await hold(channel);
      await hold(`${channel}:hub:${id}`);
      const port = new BroadcastChannel(channel);
      const state = { ignored: 0, opens: 0, listening: false, requests: 0 };
      const down = (link: string, frame: object) =>
        port.postMessage({ v: 2, t: 'down', hub: id, link, data: JSON.stringify(frame) });
      port.onmessage = ({ data: m }: MessageEvent) => {
        if (m?.v !== 2 || m.hub !== id) return;
        if (m.t === 'open') {
          if (!state.listening) return void state.ignored++;
          state.opens++;
          port.postMessage({ v: 2, t: 'opened', hub: id, link: m.link, share: 10 });
          down(m.link, { type: 'welcome', session_id: 'deaf-hub' });
        } else if (m.t === 'up') {
          const frame = JSON.parse(m.data);
          if (frame.type === 'ping') down(m.link, { type: 'pong' });
          else if (frame.type === 'subscribe') down(m.link, { type: 'subscribed', id: frame.id, events: [], seq: 0 });
          else if (frame.method === 'echo') {
            state.requests++;
            down(m.link, { id: frame.id, success: true, result: frame.params });
          }
        }
      };
      Object.assign(window, {
        deaf: state,
        listen: () => {
          state.listening = true;
          port.postMessage({ v: 2, t: 'hub', hub: id });
        },
      });
    }, key);

    const tab = await site.visit(context, { ws: 'ws://127.0.0.1:9', key });
    type Deaf = { ignored: number; opens: number; requests: number };
    const deaf = () => hub.evaluate(() => (window as never as { deaf: Deaf }).deaf);
    await until(async () => (await deaf()).ignored >= 2, 'the tab asked twice, unheard');
    expect(await inPage(tab, (ew) => ew.client.state)).toBe('connecting');
    await hub.evaluate(() => (window as never as { listen(): void }).listen());
    await until(async () => (await inPage(tab, (ew) => ew.client.state)) === 'open', 'the tab linked');
    expect(await inPage(tab, (ew) => ew.client.request('echo', { n: 1 }))).toEqual({ n: 1 });
    const seen = await deaf();
    expect(seen.opens).toBeGreaterThanOrEqual(1);
    expect(seen.requests).toBe(1);
    expect(await inPage(tab, (ew) => ew.client.stats().share?.role)).toBe('follower');
    expect(await inPage(tab, (ew) => ew.errors)).toEqual([]);
  }, 30_000);
});
