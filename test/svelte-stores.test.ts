import { describe, expect, expectTypeOf, it } from 'vitest';
import * as z from 'zod/mini';
import { connectionState, eventList, latestEvent } from '../src/adapters/svelte.js';
import { createClient, type EventwireEvent } from '../src/index.js';
import { track } from './cleanup.js';
import { type ReferenceServer, startServer } from './fixtures/server.js';
import { eventually, thrown } from './helpers.js';

const subscribesOf = (server: ReferenceServer) =>
  server.history.flatMap((c) => c.received).filter((m) => 'type' in m && m.type === 'subscribe').length;
const unsubscribesOf = (server: ReferenceServer) =>
  server.history.flatMap((c) => c.received).filter((m) => 'type' in m && m.type === 'unsubscribe').length;

describe('Svelte store contract', () => {
  it("stores take their names and data types from the client's schemas (compile-time)", () => {
    const events = { LogEntry: z.object({ level: z.string(), message: z.string() }) };
    const client = track(createClient({ url: 'ws://127.0.0.1:1', events, lazy: true, signals: false }));
    const logs = eventList(client, 'LogEntry');
    const last = latestEvent(client, 'LogEntry');
    expectTypeOf(logs.get()[0]?.data.message).toEqualTypeOf<string | undefined>();
    expectTypeOf(last.get()?.event_type).toEqualTypeOf<'LogEntry' | undefined>();
    // @ts-expect-error: not an event of this client
    latestEvent(client, 'NoSuchEvent');
    expect(logs.get()).toEqual([]);
  });

  it('subscribe() calls run at once with the current value and returns the unsubscriber', () => {
    const client = track(
      createClient({ url: 'ws://127.0.0.1:1', lazy: true, signals: false, backoff: { minDelay: 1000 } }),
    );
    const store = eventList(client, 'X');
    const values: unknown[] = [];
    const unsubscribe = store.subscribe((v) => values.push(v));
    expect(values).toEqual([[]]); // synchronously, before returning
    expect(typeof unsubscribe).toBe('function');
    unsubscribe();
    unsubscribe(); // idempotent
  });

  it('connectionState connects a lazy client on the first subscriber and follows its state', async () => {
    const server = track(await startServer());
    const client = track(createClient({ url: server.url, lazy: true, signals: false }));
    const store = connectionState(client);
    expect(server.history).toHaveLength(0);
    const seen: string[] = [];
    const stop = store.subscribe((s) => seen.push(s));
    await eventually(() => seen.at(-1) === 'open');
    expect(seen).toEqual(['connecting', 'open']); // subscribing connected it, synchronously
    expect(store.get()).toBe('open');
    stop();
  });

  it('event stores share one subscription among subscribers and release it after the last, debounced', async () => {
    const server = track(await startServer());
    const client = track(createClient({ url: server.url, lazy: true, signals: false }));
    const latest = latestEvent(client, 'Task', { filters: { status: 'Failed' }, releaseDelay: 50 });
    const a: Array<EventwireEvent | undefined> = [];
    const b: Array<EventwireEvent | undefined> = [];
    const stopA = latest.subscribe((v) => a.push(v));
    const stopB = latest.subscribe((v) => b.push(v));
    await eventually(() => client.stats().subscriptions === 1 && subscribesOf(server) === 1);
    await eventually(() => server.connections[0]?.subscriptions.size === 1);
    server.publish({ event_type: 'Task', data: { status: 'Running' } });
    server.publish({ event_type: 'Task', data: { status: 'Failed', n: 1 } });
    await eventually(() => a.length === 2);
    expect(a[1]?.data).toEqual({ status: 'Failed', n: 1 });
    expect(b.map((v) => v?.seq)).toEqual(a.map((v) => v?.seq));

    stopA();
    stopB();
    const again = latest.subscribe(() => {}); // back within the debounce: the same subscription
    await new Promise((r) => setTimeout(r, 80));
    expect(subscribesOf(server)).toBe(1);
    expect(client.stats().subscriptions).toBe(1);
    again();
    await eventually(() => client.stats().subscriptions === 0);
    await eventually(() => unsubscribesOf(server) === 1);
  });

  it('eventList keeps a bounded rolling list, newest last, a new array on each change', async () => {
    const server = track(await startServer());
    const client = track(createClient({ url: server.url, lazy: true, signals: false }));
    const list = eventList(client, 'Log', { limit: 3 });
    const snapshots: Array<readonly EventwireEvent[]> = [];
    const stop = list.subscribe((v) => snapshots.push(v));
    await eventually(() => server.connections[0]?.subscriptions.size === 1);
    for (let i = 1; i <= 5; i++) server.publish({ event_type: 'Log', data: { i } });
    const lastI = () => (snapshots.at(-1)?.[2]?.data as { i: number } | undefined)?.i;
    await eventually(() => lastI() === 5);
    expect(snapshots.at(-1)?.map((e) => (e.data as { i: number }).i)).toEqual([3, 4, 5]);
    expect(new Set(snapshots).size).toBe(snapshots.length); // every change is a new array
    stop();
  });

  it("'message' is every event, as for client.on; bad filters are refused when the store is made", async () => {
    const server = track(await startServer());
    const client = track(createClient({ url: server.url, lazy: true, signals: false }));
    const latest = latestEvent(client, 'message');
    const seen: unknown[] = [];
    const stop = latest.subscribe((ev) => void seen.push(ev?.event_type));
    await eventually(() => server.connections[0]?.subscriptions.size === 1);
    server.publish({ event_type: 'A', data: {} });
    server.publish({ event_type: 'B', data: {} });
    await eventually(() => seen.at(-1) === 'B'); // was: a server event named 'message', which never came
    expect(seen).toEqual([undefined, 'A', 'B']);
    stop();
    // was: a store made, and the FilterError at its first subscriber (in a component, at mount)
    expect(thrown(() => latestEvent(client, 'Log', { filters: { level: [] } }))).toMatchObject({ code: 'ERR_FILTER' });
    eventList(client, 'error'); // a server event so named (mdb's app errors): a store like any other
  });
});

describe("a store's client and options, refused at its creation (OptionsError)", () => {
  it('an unknown key, a limit that is not an integer >= 1, a releaseDelay that is not a number >= 0, no client', async () => {
    const server = track(await startServer());
    const client = track(createClient({ url: server.url, signals: false }));
    for (const [make, message] of [
      // was: ignored, the store held every LogEntry
      [
        () => latestEvent(client, 'LogEntry', { filter: { level: 'ERROR' } } as never),
        /^unknown store option: filter \(did you mean filters\?\)$/,
      ],
      [() => eventList(client, 'LogEntry', { max: 10 } as never), /^unknown store option: max/],
      // was: a list that grew for ever (NaN), or kept one event (0)
      [() => eventList(client, 'LogEntry', { limit: Number.NaN }), /^limit must be an integer >= 1, got NaN$/],
      [() => eventList(client, 'LogEntry', { limit: 0 }), /^limit must be an integer >= 1, got 0$/],
      [() => connectionState(client, { releaseDelay: -1 }), /^releaseDelay must be a number >= 0, got -1$/],
      [() => connectionState(client, 5 as never), /^store options must be an object, got 5$/],
      // was: a store made, and a TypeError when it was first read (or at once, for null)
      [
        () => latestEvent(undefined as never, 'LogEntry'),
        /^client must be a Client \(createClient\(\)\), got undefined$/,
      ],
      [() => eventList({ url: server.url } as never, 'LogEntry'), /^client must be a Client .*, got an object$/],
      [() => connectionState(null as never), /^client must be a Client .*, got null$/],
      // was: a TypeError (run is not a function), the subscription made all the same
      [() => latestEvent(client, 'LogEntry').subscribe('x' as never), /^subscribe must be a function, got "x"$/],
    ] as const) {
      expect(make).toThrow(message);
    }
    const logs = eventList(client, 'LogEntry', { limit: 2, filters: { level: 'ERROR' }, releaseDelay: 0 });
    const stop = logs.subscribe(() => {});
    await eventually(() => subscribesOf(server) === 1);
    stop();
  });
});
