import { once } from 'node:events';
import { describe, expect, it, vi } from 'vitest';
import {
  createClient,
  type EventwireEvent,
  isAbortError,
  isQueueFullError,
  isRequestError,
  isTimeoutError,
  type Subscription,
} from '../src/index.js';
import { compileFilters, type Filters } from '../src/protocol/filters.js';
import { track } from './cleanup.js';
import { collect } from './dialects/collect.js';
import { seeded } from './fixtures/random.js';
import { type ReferenceServer, startServer } from './fixtures/server.js';
import { eventually, reach } from './helpers.js';

const quick = { minDelay: 5, maxDelay: 25 };
const active = (sub: Subscription) =>
  new Promise<void>((r) => (sub.state === 'active' ? r() : sub.on('state', ({ to }) => to === 'active' && r())));

/**
 * Publishes `total` events (every 7th requires an ack) while dropping every connection
 * `drops` times at random points; returns what was published.
 */
async function churn(server: ReferenceServer, total: number, drops: number, seed: number) {
  const random = seeded(seed);
  const dropAt = new Set<number>();
  while (dropAt.size < drops) dropAt.add(1 + Math.floor(random() * (total - 1)));
  const statuses = ['Pending', 'Running', 'Failed', 'Done'];
  const published: EventwireEvent[] = [];
  for (let i = 1; i <= total; i++) {
    const ack = i % 7 === 0;
    published.push(
      server.publish({
        event_type: i % 3 === 0 ? 'LogEntry' : 'TaskStatusChanged',
        data: { n: i, status: statuses[Math.floor(random() * 4)], level: random() < 0.5 ? 'ERROR' : 'INFO' },
        ...(ack ? { message_id: `m-${i}`, requires_ack: true } : {}),
      }),
    );
    if (dropAt.has(i)) {
      // drop a live link, not a client already reconnecting
      if (!server.connections.some((c) => c.authed)) await once(server, 'authed');
      server.dropAll();
    }
    if (i % 50 === 0) await new Promise((r) => setImmediate(r)); // let the client read and reconnect
  }
  return published;
}

/** Records what a subscription's handler sees; `until(n)` resolves once it saw n events. */
function record(sub: Subscription) {
  const seqs: number[] = [];
  const events: EventwireEvent[] = [];
  let wanted = Number.POSITIVE_INFINITY;
  let reached = () => {};
  sub.on((ev) => {
    seqs.push(ev.seq as number);
    events.push(ev);
    if (seqs.length >= wanted) reached();
  });
  return {
    seqs,
    events,
    until(n: number) {
      wanted = n;
      return seqs.length >= n ? Promise.resolve() : new Promise<void>((r) => (reached = r));
    },
  };
}

function expectedFor(published: EventwireEvent[], names: string[], filters: Filters) {
  const match = compileFilters(filters);
  return published.filter((e) => names.includes(e.event_type) && match(e)).map((e) => e.seq as number);
}

describe('exactly once, in order, across reconnects', () => {
  it('5,000 events (a share with requires_ack), 20 random drops: every matching event once, in seq order', async () => {
    const server = track(await startServer({ bufferSize: 10_000, ackTimeout: 200 }));
    const client = track(createClient({ url: server.url, backoff: quick, signals: false }));
    const filters = { status: ['Running', 'Failed'] };
    const sub = client.subscribe(['TaskStatusChanged'], { filters });
    const seen = record(sub);
    await active(sub);
    const published = await churn(server, 5_000, 20, 42);
    const expected = expectedFor(published, ['TaskStatusChanged'], filters);
    await seen.until(expected.length);
    expect(server.history.length).toBeGreaterThanOrEqual(21);
    expect(seen.seqs).toEqual(expected);
    expect(seen.events.every((e) => e.event_type === 'TaskStatusChanged' && compileFilters(filters)(e))).toBe(true);
    // every ack-requiring event it saw was acked in the end (the others were never sent to it)
    const mustAck = seen.events.filter((e) => e.requires_ack).map((e) => e.message_id as string);
    expect(mustAck.length).toBeGreaterThan(50);
    await eventually(() => mustAck.every((id) => !server.unacked.includes(id)));
  });

  it('two subscriptions whose filters overlap each get their own events exactly once', async () => {
    const server = track(await startServer({ bufferSize: 10_000, ackTimeout: 200 }));
    const client = track(createClient({ url: server.url, backoff: quick, signals: false }));
    const fa = { status: ['Running', 'Failed'] };
    const fb = { level: 'ERROR' };
    const a = client.subscribe(['TaskStatusChanged'], { filters: fa });
    const b = client.subscribe(['TaskStatusChanged', 'LogEntry'], { filters: fb });
    const ra = record(a);
    const rb = record(b);
    await Promise.all([active(a), active(b)]);
    const published = await churn(server, 3_000, 20, 7);
    const ea = expectedFor(published, ['TaskStatusChanged'], fa);
    const eb = expectedFor(published, ['TaskStatusChanged', 'LogEntry'], fb);
    const overlap = ea.filter((s) => eb.includes(s));
    expect(overlap.length).toBeGreaterThan(100); // the filters really overlap
    await Promise.all([ra.until(ea.length), rb.until(eb.length)]);
    expect(ra.seqs).toEqual(ea);
    expect(rb.seqs).toEqual(eb);
  });

  it('a gap larger than the server buffer yields exactly one gap event with its bounds', async () => {
    const server = track(await startServer({ bufferSize: 50 }));
    const client = track(createClient({ url: server.url, backoff: quick, signals: false }));
    const sub = client.subscribe('Tick');
    await active(sub);
    const seen = record(sub);
    for (let i = 0; i < 10; i++) server.publish({ event_type: 'Tick' });
    await seen.until(10);
    const gaps: Array<{ from?: number; to?: number }> = [];
    sub.on('gap', (g) => void gaps.push(g));
    await server.stop(true);
    for (let i = 0; i < 200; i++) server.publish({ event_type: 'Tick' }); // seqs 11..210; the buffer keeps 161..210
    await server.start();
    await seen.until(60);
    expect(gaps).toEqual([{ from: 11, to: 160 }]);
    expect(seen.seqs.slice(10)).toEqual(Array.from({ length: 50 }, (_, i) => 161 + i));
    expect(sub.cursor).toBe(210);
  });
});

describe('one delivery path: client.on(name) and subscribe() do not fight', () => {
  it('a subscription narrows nothing for client.on(name), and message keeps flowing after the last unsubscribe', async () => {
    const server = track(await startServer());
    const client = track(createClient({ url: server.url, signals: false }));
    const tasks = collect((h) => client.on('TaskStatusChanged', h));
    const all = collect((h) => client.on('message', h));
    const logs = client.subscribe('LogEntry');
    await new Promise<void>((r) => logs.on('state', ({ to }) => to === 'active' && r()));
    server.publish({ event_type: 'TaskStatusChanged' });
    server.publish({ event_type: 'LogEntry' });
    await tasks.until(1);
    logs.unsubscribe();
    await eventually(() => server.connections[0]?.subscriptions.size === 2);
    server.publish({ event_type: 'Other' });
    await all.until(3);
    expect(all.seen.map((e) => e.event_type)).toEqual(['TaskStatusChanged', 'LogEntry', 'Other']);
  });

  it('client.on(name) resumes across restarts: every seq once, in order', async () => {
    const server = track(await startServer({ bufferSize: 1_000 }));
    const client = track(createClient({ url: server.url, backoff: quick, signals: false }));
    const got = collect((h) => client.on('Tick', h));
    await reach(client, 'open');
    server.publish({ event_type: 'Tick' });
    await got.until(1);
    for (let restart = 0; restart < 3; restart++) {
      await server.stop(true);
      for (let i = 0; i < 5; i++) server.publish({ event_type: 'Tick' }); // while nobody is connected
      await server.start();
      server.publish({ event_type: 'Tick' });
      await got.until(1 + (restart + 1) * 6);
    }
    expect(got.seen.map((e) => e.seq)).toEqual([...Array(19).keys()].map((i) => i + 1));
  });
});

describe('requests', () => {
  it('resolves with the result, correlated by id', async () => {
    const server = track(await startServer({ methods: { add: (p) => (p as number[]).reduce((a, b) => a + b, 0) } }));
    const client = track(createClient({ url: server.url, signals: false }));
    const [a, b] = await Promise.all([client.request<number>('add', [1, 2]), client.request('echo', { x: 1 })]);
    expect(a).toBe(3);
    expect(b).toEqual({ x: 1 });
  });

  it('{success:false} rejects with a RequestError', async () => {
    const server = track(await startServer());
    const client = track(createClient({ url: server.url, signals: false }));
    const error = await client.request('nope').catch((e) => e);
    expect(isRequestError(error)).toBe(true);
    expect(error).toMatchObject({ code: 'ERR_REQUEST', serverCode: 'unknown_method', method: 'nope' });
  });

  it('requests made during an outage wait in the outbox and resolve after the reconnect, after the subscriptions', async () => {
    const server = track(await startServer());
    const client = track(createClient({ url: server.url, backoff: quick, signals: false }));
    const sub = client.subscribe('Tick');
    await active(sub);
    await server.stop(true);
    await reach(client, 'reconnecting');
    const pending = client.request('echo', 'during outage');
    // the first request loads the request tracker (a chunk of its own): it is queued once that has loaded
    // (its first import compiles it, seconds on a loaded machine: not vi.waitFor's default 1 s)
    await vi.waitFor(() => expect(client.stats().queued).toBe(1), { timeout: 10_000 });
    await server.start();
    expect(await pending).toBe('during outage');
    const order = server.history.at(-1)?.received.map((m) => ('type' in m ? m.type : 'request'));
    expect(order?.indexOf('subscribe')).toBeLessThan(order?.indexOf('request') ?? -1);
    expect(client.stats()).toMatchObject({ pendingRequests: 0, queued: 0 });
  });

  it('a request whose response is lost is re-sent with the same id and runs once on the server', async () => {
    let ran = 0;
    const server = track(await startServer({ methods: { charge: () => ++ran } }));
    const client = track(createClient({ url: server.url, backoff: quick, signals: false }));
    await reach(client, 'open');
    server.loseNextResponse();
    const result = await client.request('charge', { amount: 10 });
    expect(result).toBe(1);
    expect(ran).toBe(1);
    expect(server.history).toHaveLength(2);
    const ids = server.history.map((c) => c.received.find((m) => 'method' in m));
    expect(ids[0]).toEqual(ids[1]);
  });

  it('a timeout rejects with TimeoutError and leaves nothing pending', async () => {
    const server = track(await startServer());
    const client = track(createClient({ url: server.url, signals: false }));
    await reach(client, 'open');
    server.freeze();
    const error = await client.request('echo', 1, { timeout: 50 }).catch((e) => e);
    expect(isTimeoutError(error)).toBe(true);
    expect(client.stats().pendingRequests).toBe(0);
  });

  it('an aborted signal rejects with AbortError and leaves nothing pending', async () => {
    const server = track(await startServer());
    const client = track(createClient({ url: server.url, signals: false }));
    await reach(client, 'open');
    server.freeze();
    const controller = new AbortController();
    const promise = client.request('echo', 1, { signal: controller.signal });
    controller.abort();
    expect(isAbortError(await promise.catch((e) => e))).toBe(true);
    const already = await client.request('echo', 1, { signal: AbortSignal.abort() }).catch((e) => e);
    expect(isAbortError(already)).toBe(true);
    expect(client.stats().pendingRequests).toBe(0);
  });

  it('a full outbox rejects with QueueFullError; send() reports sent, queued or refused', async () => {
    const server = track(await startServer());
    const url = server.url;
    await server.stop();
    const client = track(createClient({ url, outboxSize: 2, backoff: quick, signals: false }));
    const errors: string[] = [];
    client.on('error', (e) => errors.push(e.code));
    expect(client.send({ type: 'ping' })).toBe('queued');
    const queued = client.request('echo', 'queued');
    const error = await client.request('echo', 'overflow').catch((e) => e);
    expect(isQueueFullError(error)).toBe(true);
    expect(client.send({ type: 'ping' })).toBe('refused');
    await server.start();
    expect(await queued).toBe('queued');
    await reach(client, 'open');
    expect(client.send({ type: 'ping' })).toBe('sent');
    client.close();
    expect(client.send({ type: 'ping' })).toBe('refused');
    expect(errors.filter((code) => code !== 'ERR_CONNECTION')).toEqual([]); // only the attempts while it was down
  });

  it('close() rejects pending requests', async () => {
    const server = track(await startServer());
    const client = createClient({ url: server.url, signals: false });
    await reach(client, 'open');
    server.freeze();
    const pending = client.request('echo', 1);
    client.close();
    await expect(pending).rejects.toMatchObject({ code: 'ERR_CLOSED' });
    expect(client.stats().pendingRequests).toBe(0);
  });
});
