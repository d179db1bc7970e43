/**
 * No event lost to resume by time (Provisioning): producers whose clocks disagree and
 * identical events in one millisecond are all delivered live, and a reconnect that replays
 * from the last delivered time delivers nothing twice. The server here keeps every event and
 * replays `filters.since` as the seed's document describes it.
 */
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { type WebSocket, WebSocketServer } from 'ws';
import { provisioning } from '../src/dialects/index.js';
import { createClient, type EventwireEvent } from '../src/index.js';
import { track } from './cleanup.js';
import { collect, quick } from './dialects/collect.js';
import { eventually, next, reach } from './helpers.js';

interface Stored {
  event_type: string;
  timestamp: string;
  data: unknown;
  metadata: Record<string, string>;
}

/** A Provisioning-shaped server that keeps what it published and replays `since` on subscribe. */
async function startReplaying() {
  const log: Stored[] = [];
  const sockets = new Set<WebSocket>();
  let replays = 0;
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await new Promise<void>((resolve) => wss.once('listening', resolve));
  wss.on('connection', (ws) => {
    sockets.add(ws);
    ws.on('close', () => sockets.delete(ws));
    ws.on('message', (raw) => {
      const message = JSON.parse(String(raw)) as { type: string; filters?: { since?: string } };
      const since = message.type === 'subscribe' ? message.filters?.since : undefined;
      if (since === undefined) return;
      replays++;
      const from = Date.parse(since);
      for (const event of log) if (Date.parse(event.timestamp) >= from) ws.send(JSON.stringify(event));
    });
  });
  return {
    url: `ws://127.0.0.1:${(wss.address() as AddressInfo).port}/ws`,
    /** Publishes (and keeps) one event stamped `at` ms. */
    publish(event_type: string, at: number, data: unknown) {
      const event = { event_type, timestamp: new Date(at).toISOString(), data, metadata: {} };
      log.push(event);
      for (const ws of sockets) ws.send(JSON.stringify(event));
    },
    dropAll() {
      for (const ws of sockets) ws.terminate();
    },
    get connected() {
      return sockets.size;
    },
    /** How many subscribes with `since` it answered with a replay. */
    get replays() {
      return replays;
    },
    close() {
      for (const ws of sockets) ws.terminate();
      return new Promise<void>((resolve) => wss.close(() => resolve()));
    },
  };
}

let server: Awaited<ReturnType<typeof startReplaying>>;
afterEach(() => server?.close());

const client = (url: string) =>
  track(createClient({ url, token: 'jwt', dialect: provisioning(), signals: false, backoff: quick, heartbeat: false }));

describe('resume by time loses nothing', () => {
  it('events from two producers whose clocks differ by 40 ms all reach client.on and subscribe, in arrival order', async () => {
    server = await startReplaying();
    const c = client(server.url);
    const on = collect((h) => c.on('LogEntry', h));
    const sub = collect((h) => c.subscribe('LogEntry').on(h));
    await reach(c, 'open');
    await eventually(() => server.connected === 1);
    const t = Date.now();
    for (let i = 0; i < 10; i++) server.publish('LogEntry', i % 2 === 0 ? t + i : t + i - 40, { i });
    await on.until(10);
    await sub.until(10);
    const order = (seen: EventwireEvent[]) => seen.map((e) => (e.data as { i: number }).i);
    expect(order(on.seen)).toEqual([...Array(10).keys()]);
    expect(order(sub.seen)).toEqual([...Array(10).keys()]);
  });

  it('ten identical events stamped in one millisecond are ten events', async () => {
    server = await startReplaying();
    const c = client(server.url);
    const got = collect((h) => c.on('MetricUpdate', h));
    await reach(c, 'open');
    await eventually(() => server.connected === 1);
    const t = Date.now();
    for (let i = 0; i < 10; i++) server.publish('MetricUpdate', t, { cpu: 42 });
    await got.until(10);
    expect(got.seen).toHaveLength(10);
  });

  it('a reconnect replays from the last delivered time: nothing twice, identical events counted, skewed ones kept', async () => {
    server = await startReplaying();
    const c = client(server.url);
    const got = collect((h) => c.subscribe('Tick').on(h));
    await reach(c, 'open');
    await eventually(() => server.connected === 1);
    const t = Date.now();
    // two identical events, then a skewed producer: the last delivered time (t - 30) is older than t
    server.publish('Tick', t, { same: true });
    server.publish('Tick', t, { same: true });
    server.publish('Tick', t + 5, { i: 1 });
    server.publish('Tick', t - 30, { i: 2 });
    await got.until(4);
    server.dropAll();
    await next(c, 'reconnecting');
    // published while nobody is connected: the replay from t - 30 carries them
    server.publish('Tick', t - 20, { i: 3 });
    server.publish('Tick', t, { same: true });
    await got.until(6);
    await reach(c, 'open');
    server.publish('Tick', t + 50, { i: 4 }); // live, after the replay
    await got.until(7);
    expect(got.seen.map((e) => e.data)).toEqual([
      { same: true },
      { same: true },
      { i: 1 },
      { i: 2 },
      { i: 3 },
      { same: true },
      { i: 4 },
    ]);
  });

  it('a gap {since} says a resumed link may miss events, until the server was seen to replay', async () => {
    server = await startReplaying();
    const c = client(server.url);
    const sub = c.subscribe('Tick');
    const got = collect((h) => sub.on(h));
    const gaps = collect<object>((h) => sub.on('gap', h));
    await reach(c, 'open');
    await eventually(() => server.connected === 1);
    server.publish('Tick', Date.now(), { i: 0 });
    await got.until(1);
    server.dropAll();
    await gaps.until(1); // nothing proves yet that this server replays
    expect(gaps.seen).toEqual([{ since: new Date(Date.parse(got.seen[0]?.timestamp ?? '') - 1_000).toISOString() }]);
    await eventually(() => server.replays === 1); // the replay (of #0) is on its way before anything new
    server.publish('Tick', Date.now() + 1, { i: 1 });
    await got.until(2); // the replay of #0 came first and was removed: this server replays
    server.dropAll();
    await eventually(() => server.replays === 2);
    server.publish('Tick', Date.now() + 2, { i: 2 });
    await got.until(3);
    expect(got.seen.map((e) => e.data)).toEqual([{ i: 0 }, { i: 1 }, { i: 2 }]);
    expect(gaps.seen).toHaveLength(1);
  });

  it('an event stamped at the first time a Date holds: the link lost resumes from it (RangeError took the process down)', async () => {
    server = await startReplaying();
    const c = client(server.url);
    const sub = c.subscribe('Tick');
    const got = collect((h) => sub.on(h));
    const gaps = collect<object>((h) => sub.on('gap', h));
    await reach(c, 'open');
    await eventually(() => server.connected === 1);
    for (const at of [-8.64e15, -8.64e15 + 500]) {
      server.publish('Tick', at, { at });
      await got.until(got.seen.length + 1);
      server.dropAll();
      await gaps.until(gaps.seen.length + 1); // it cannot reach back over the skew it allows: a gap {since}
      await reach(c, 'open');
    }
    expect(gaps.seen).toEqual([{ since: '-271821-04-20T00:00:00.000Z' }, { since: '-271821-04-20T00:00:00.000Z' }]);
    expect(c.state).toBe('open');
  });
});
