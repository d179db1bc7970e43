/** The API users of the anchors look for: ready() (centrifuge-js), off(type, fn) (socket.io). */
import { describe, expect, it } from 'vitest';
import {
  createClient,
  FilterError,
  isAuthError,
  isClosedError,
  isHandlerError,
  isSubscriptionEndedError,
} from '../src/index.js';
import { track } from './cleanup.js';
import { collect } from './dialects/collect.js';
import { startServer } from './fixtures/server.js';
import { nextEvent } from './helpers.js';

/** The server's view of subscriptions to Tick: the ids it holds (subscribed, not yet unsubscribed); `holds(n)` waits for n. */
function tickSubscriptions(server: Awaited<ReturnType<typeof startServer>>) {
  const live = new Set<unknown>();
  let changed = () => {};
  server.on('message', (_conn: unknown, m: Record<string, unknown>) => {
    if (m.type === 'subscribe' && (m.events as unknown[] | undefined)?.includes('Tick')) live.add(m.id);
    if (m.type === 'unsubscribe') live.delete(m.id);
    changed();
  });
  const holds = (n: number) =>
    new Promise<void>((resolve) => {
      changed = () => live.size === n && resolve();
      changed();
    });
  return { live, holds };
}

describe('ready() and off()', () => {
  it('client.ready() resolves on open (connecting a lazy client) and rejects with the fatal error', async () => {
    const server = track(await startServer({ tokens: ['t'] }));
    const client = track(createClient({ url: server.url, token: 't', lazy: true, signals: false }));
    client.on('error', () => {});
    await client.ready();
    expect(client.state).toBe('open');
    const refused = track(createClient({ url: server.url, token: 'wrong', signals: false }));
    refused.on('error', () => {});
    await expect(refused.ready()).rejects.toSatisfy(isAuthError);
    await expect(refused.ready()).rejects.toSatisfy(isAuthError); // once closed, at once
    client.close();
    await expect(client.ready()).rejects.toSatisfy(isClosedError);
  });

  it('sub.ready() resolves when active, and rejects when it ends first', async () => {
    const server = track(await startServer());
    const client = track(createClient({ url: server.url, signals: false }));
    const sub = client.subscribe('Tick');
    await sub.ready();
    expect(sub.state).toBe('active');
    const other = client.subscribe('Other');
    const early = other.ready();
    other.unsubscribe();
    const ended = await early.catch((e: unknown) => e);
    expect(isSubscriptionEndedError(ended) && ended.subscriptionId).toBe(other.id);
  });

  it('client.off(type, fn) removes that listener (and its interest), like socket.io', async () => {
    const server = track(await startServer());
    const client = track(createClient({ url: server.url, signals: false }));
    const removed = collect((h) => client.on('Tick', h));
    const kept = collect((h) => client.on('Tick', h));
    const handler = (removed as unknown as { seen: unknown[] }).seen;
    await client.ready();
    const fn = () => void handler.push('x');
    client.on('Tick', fn);
    client.off('Tick', fn);
    client.off('Tick', fn); // a second off is harmless
    const tick = nextEvent(client, 'Tick');
    server.publish({ event_type: 'Tick' });
    await tick;
    await kept.until(1);
    expect(handler).toHaveLength(1); // only the collector's own push, not fn's
  });

  it('off(type, fn) and the function on() returned each undo one registration: off the first of fn for type', () => {
    const client = track(createClient({ url: 'ws://127.0.0.1:9', lazy: true, signals: false }));
    const fn = () => {};
    const base = client.stats().listeners;
    const first = client.on('open', fn);
    client.on('open', fn);
    client.on('close', fn);
    expect(client.stats().listeners).toBe(base + 3);
    client.off('open', fn); // the first registration
    expect(client.stats().listeners).toBe(base + 2);
    first(); // that one, already undone: nothing more
    expect(client.stats().listeners).toBe(base + 2);
    client.off('open', fn);
    client.off('open', fn); // none left for open
    expect(client.stats().listeners).toBe(base + 1);
    client.off('close', fn);
    expect(client.stats().listeners).toBe(base);
    // a once registration, and one of fn for a server event: off finds them by the function given
    const once = client.once('close', fn);
    client.on('Tick', fn);
    client.once('Tick', fn);
    expect(client.stats().listeners).toBe(base + 3);
    client.off('close', fn);
    once(); // already undone
    client.off('Tick', fn);
    expect(client.stats().listeners).toBe(base + 1);
    client.off('Tick', fn); // the once one too
    expect(client.stats().listeners).toBe(base);
  });

  it('a removal function on() returned never removes a later registration of the same function (after off)', async () => {
    const server = track(await startServer());
    const client = track(createClient({ url: server.url, signals: false }));
    const got: unknown[] = [];
    const f = (ev: { data: unknown }) => void got.push(ev.data);
    const first = client.on('Tick', f);
    client.off('Tick', f);
    client.on('Tick', f);
    first(); // its registration is gone already: nothing more
    expect(client.stats().listeners).toBe(1);
    await client.ready();
    const tick = nextEvent(client, 'Tick');
    server.publish({ event_type: 'Tick', data: 1 });
    await tick;
    expect(got).toEqual([1]);
    expect(() => client.on('', f)).toThrow(FilterError); // not a second name for every event
  });

  it("a server event's interest (its subscription) ends with its last listener, however it goes", async () => {
    const server = track(await startServer());
    const client = track(createClient({ url: server.url, signals: false }));
    const fn = () => {};
    const { live, holds } = tickSubscriptions(server);
    const off = client.on('Tick', fn);
    client.once('Tick', fn);
    await holds(1);
    off();
    client.on('Other', fn); // a later frame: the server has read any unsubscribe sent before it
    await new Promise<void>((resolve) =>
      server.on('message', (_c: unknown, m: Record<string, unknown>) => m.type === 'subscribe' && resolve()),
    );
    expect(live.size).toBe(1); // the once listener remains
    client.off('Tick', fn);
    await holds(0);
    client.once('Tick', fn);
    await holds(1);
    const tick = nextEvent(client, 'Tick');
    server.publish({ event_type: 'Tick' });
    await tick; // the once listener ran and went, and with it the interest
    await holds(0);
  });

  it('a listener added for the same event while a lazy client starts to connect shares its one interest', async () => {
    const server = track(await startServer());
    const client = track(createClient({ url: server.url, lazy: true, signals: false }));
    const got: string[] = [];
    let offG = () => {};
    client.on('state', ({ to }) => {
      if (to === 'connecting') offG = client.on('Tick', () => void got.push('g')); // emitted inside the first on()
    });
    const offF = client.on('Tick', () => void got.push('f'));
    const { holds } = tickSubscriptions(server);
    await client.ready();
    await holds(1);
    const tick = nextEvent(client, 'Tick');
    server.publish({ event_type: 'Tick' });
    await tick;
    expect(got.sort()).toEqual(['f', 'g']); // once each, not twice through two interests
    offF();
    offG();
    await holds(0);
    expect(client.stats().subscriptions).toBe(0);
  });

  it('client.off(type, fn) removes a listener given in the on option of createClient too', async () => {
    const server = track(await startServer());
    const seen: string[] = [];
    const fn = () => void seen.push('open');
    const client = track(createClient({ url: server.url, signals: false, on: { open: fn } }));
    await client.ready();
    expect(seen).toHaveLength(1);
    client.off('open', fn);
    const again = new Promise<void>((resolve) => client.once('open', () => resolve()));
    client.reconnect();
    await again;
    expect(seen).toHaveLength(1);
  });
});

describe('listeners added while an event is emitted', () => {
  it('a listener added during an emit by the only listener runs from the next emit', async () => {
    const server = track(await startServer());
    const client = track(createClient({ url: server.url, signals: false }));
    const late: number[] = [];
    let added = false;
    client.on('Tick', () => {
      if (added) return;
      added = true;
      client.on('Tick', (e) => void late.push(e.seq as number));
    });
    const all = collect((h) => client.on('message', h)); // another type: proves both arrived
    await client.ready();
    server.publish({ event_type: 'Tick' });
    server.publish({ event_type: 'Tick' });
    await all.until(2);
    expect(late).toEqual([2]);
  });

  it('a listener that registers itself again runs once per registration and emit, not in a loop', async () => {
    const server = track(await startServer());
    const client = track(createClient({ url: server.url, signals: false }));
    let runs = 0;
    const again = () => {
      if (++runs > 100) throw new Error('looping');
      client.on('Tick', again);
    };
    client.on('Tick', again);
    const all = collect((h) => client.on('message', h));
    await client.ready();
    server.publish({ event_type: 'Tick' });
    server.publish({ event_type: 'Tick' });
    await all.until(2);
    expect(runs).toBe(3); // 1 registration at the first event, 2 at the second
  });
});

describe('registrations of the same listener', () => {
  it('a function added twice runs twice; each removal takes its own registration, once; the others keep their order', async () => {
    const server = track(await startServer());
    const client = track(createClient({ url: server.url, signals: false }));
    const calls: string[] = [];
    const twice = () => void calls.push('twice');
    const offFirst = client.on('Tick', twice);
    client.on('Tick', () => void calls.push('other'));
    const offSecond = client.on('Tick', twice);
    const all = collect((h) => client.on('message', h));
    await client.ready();
    server.publish({ event_type: 'Tick' });
    await all.until(1);
    expect(calls).toEqual(['twice', 'other', 'twice']);
    offSecond();
    offSecond(); // a second call removes nothing more
    server.publish({ event_type: 'Tick' });
    await all.until(2);
    expect(calls.slice(3)).toEqual(['twice', 'other']); // the first registration stays, before 'other'
    offFirst();
    expect(client.stats().listeners).toBe(2); // 'other' and the collector
    server.publish({ event_type: 'Tick' });
    await all.until(3);
    expect(calls.slice(5)).toEqual(['other']);
  });

  it('a listener that throws or rejects is reported as a HandlerError; the ones after it still run', async () => {
    const server = track(await startServer());
    const client = track(createClient({ url: server.url, signals: false }));
    const errors = collect((h) => client.on('error', h));
    const after: number[] = [];
    client.on('Tick', () => {
      throw new Error('sync');
    });
    client.on('Tick', () => Promise.reject(new Error('async')));
    client.on('Tick', (e) => void after.push(e.seq as number));
    await client.ready();
    server.publish({ event_type: 'Tick' });
    await errors.until(2);
    expect(after).toEqual([1]);
    expect(errors.seen.map((e) => [isHandlerError(e), String((e as unknown as Error).cause)])).toEqual([
      [true, 'Error: sync'],
      [true, 'Error: async'],
    ]);
  });
});
