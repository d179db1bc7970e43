import { once } from 'node:events';
import { describe, expect, it } from 'vitest';
import * as z from 'zod';
import {
  createClient,
  type EventwireEvent,
  FilterError,
  isAuthError,
  isFilterError,
  isHandlerError,
  isSubscriptionEndedError,
} from '../src/index.js';
import { track } from './cleanup.js';
import { type ConnectionInfo, startServer } from './fixtures/server.js';
import { next, reach } from './helpers.js';

const quick = { minDelay: 5, maxDelay: 20 };

/** Resolves with the server-side message of `type` that satisfies `predicate`. */
function serverReceives(
  server: Awaited<ReturnType<typeof startServer>>,
  predicate: (m: Record<string, unknown>) => boolean,
) {
  return new Promise<Record<string, unknown>>((resolve) => {
    const on = (_c: unknown, m: Record<string, unknown>) => {
      if (!predicate(m)) return;
      server.off('message', on);
      resolve(m);
    };
    server.on('message', on);
  });
}

/** The subscription ids a connection asked for. */
function subscribeIds(conn: ConnectionInfo | undefined): string[] {
  return (conn?.received ?? []).flatMap((m) => ('type' in m && m.type === 'subscribe' ? [m.id] : []));
}

function collectUntil(
  sub: { on(h: (ev: EventwireEvent) => unknown): () => void },
  done: (ev: EventwireEvent) => boolean,
) {
  const seen: EventwireEvent[] = [];
  const finished = new Promise<EventwireEvent[]>((resolve) => {
    sub.on((ev) => {
      seen.push(ev);
      if (done(ev)) resolve(seen);
    });
  });
  return { seen, finished };
}

describe('subscriptions', () => {
  it('sends {type:"subscribe", id, events, filters}, becomes active on confirmation, and filters client-side', async () => {
    const server = track(await startServer());
    const client = track(createClient({ url: server.url, signals: false }));
    const sub = client.subscribe(['LogEntry'], { filters: { level: ['WARN', 'ERROR'], 'metadata.region': 'eu' } });
    expect(sub.state).toBe('pending');
    const msg = await serverReceives(server, (m) => m.type === 'subscribe');
    expect(msg).toEqual({
      type: 'subscribe',
      id: sub.id,
      events: ['LogEntry'],
      filters: { level: ['WARN', 'ERROR'], 'metadata.region': 'eu' },
    });
    await new Promise<void>((r) => sub.on('state', ({ to }) => to === 'active' && r()));
    const { seen, finished } = collectUntil(
      sub,
      (ev) => ev.data !== null && (ev.data as { last?: boolean }).last === true,
    );
    server.publish({ event_type: 'LogEntry', data: { level: 'INFO' }, metadata: { region: 'eu' } });
    server.publish({ event_type: 'LogEntry', data: { level: 'ERROR' }, metadata: { region: 'us' } });
    server.publish({ event_type: 'MetricUpdate', data: { level: 'ERROR' }, metadata: { region: 'eu' } });
    server.publish({ event_type: 'LogEntry', data: { level: 'WARN', last: true }, metadata: { region: 'eu' } });
    await finished;
    expect(seen.map((e) => e.data)).toEqual([{ level: 'WARN', last: true }]);
  });

  it('rejects a bad filter at once, naming the key', () => {
    const client = createClient({ url: 'ws://127.0.0.1:1', lazy: true, signals: false });
    const cases: Array<[unknown, RegExp]> = [
      [JSON.parse('{"__proto__": {"polluted": 1}}'), /"__proto__": __proto__ is not allowed/],
      [{ 'constructor.prototype': 1 }, /"constructor.prototype"/],
      [{ 'a..b': 1 }, /"a..b": empty path segment/],
      [{ status: { $ne: 1 } }, /"status": must be a string/],
      [{ since: 'yesterday' }, /"since": not an ISO 8601 time/],
      [{ n: Number.NaN }, /"n"/],
    ];
    for (const [filters, message] of cases) {
      let error: unknown;
      try {
        client.subscribe('X', { filters: filters as never });
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(FilterError);
      expect(isFilterError(error) && error.code).toBe('ERR_FILTER');
      expect((error as Error).message).toMatch(message);
    }
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(client.stats().subscriptions).toBe(0); // nothing half-registered
    client.close();
  });

  it('with a schema, a key that is not in the data is a FilterError at subscribe() and never reaches the server', async () => {
    const server = track(await startServer());
    const events = { LogEntry: z.object({ level: z.string(), message: z.string() }) };
    const client = track(createClient({ url: server.url, events, signals: false }));
    for (const key of ['levle', 'data.level']) {
      let error: unknown;
      try {
        client.subscribe('LogEntry', { filters: { [key]: 'ERROR' } as never });
      } catch (e) {
        error = e;
      }
      expect(isFilterError(error) && error.message).toBe(
        `filter key "${key}" is not in the data of LogEntry (did you mean "level"?): a key is a path into data, metadata.… or since`,
      );
    }
    const sub = client.subscribe('LogEntry', { filters: { level: 'ERROR' } });
    await sub.ready();
    const { seen, finished } = collectUntil(sub, (ev) => (ev.data as { message: string }).message === 'last');
    server.publish({ event_type: 'LogEntry', data: { level: 'INFO', message: 'skipped' } });
    server.publish({ event_type: 'LogEntry', data: { level: 'ERROR', message: 'last' } });
    await finished;
    expect(seen.map((e) => e.data)).toEqual([{ level: 'ERROR', message: 'last' }]);
    const asked = subscribeIds(server.connections.at(-1));
    expect(asked).toEqual([sub.id]); // the refused ones were never sent
  });

  it('unsubscribe() is final: not restored after a reconnect', async () => {
    const server = track(await startServer());
    const client = track(createClient({ url: server.url, backoff: quick, signals: false }));
    const gone = client.subscribe('A');
    const kept = client.subscribe('B');
    await serverReceives(server, (m) => m.type === 'subscribe' && m.id === kept.id);
    gone.unsubscribe();
    await serverReceives(server, (m) => m.type === 'unsubscribe' && m.id === gone.id);
    expect(gone.state).toBe('unsubscribed');
    server.dropAll();
    await once(server, 'authed');
    const resubscribed = await serverReceives(server, (m) => m.type === 'subscribe');
    expect(resubscribed.id).toBe(kept.id);
    await reach(client, 'open');
    const second = server.history[1];
    await new Promise<void>((r) => kept.on('state', ({ to }) => to === 'active' && r()));
    expect(subscribeIds(second)).toEqual([kept.id]);
  });

  it('subscribe, unsubscribe, subscribe in the same tick works', async () => {
    const server = track(await startServer());
    const client = track(createClient({ url: server.url, signals: false }));
    await reach(client, 'open');
    const first = client.subscribe('Tick');
    first.unsubscribe();
    const second = client.subscribe('Tick');
    await new Promise<void>((r) => second.on('state', ({ to }) => to === 'active' && r()));
    const got = new Promise<EventwireEvent>((r) => second.on(r));
    let firstGot = 0;
    first.on(() => void firstGot++);
    server.publish({ event_type: 'Tick' });
    expect((await got).event_type).toBe('Tick');
    expect(firstGot).toBe(0);
    expect(second.state).toBe('active');
  });

  it('an explicit reconnect() rejoins every live subscription', async () => {
    const server = track(await startServer());
    const client = track(createClient({ url: server.url, signals: false }));
    const a = client.subscribe('A');
    const b = client.subscribe('B', { filters: { x: 1 } });
    await reach(client, 'open');
    await serverReceives(server, (m) => m.type === 'subscribe' && m.id === b.id);
    client.reconnect();
    await once(server, 'authed');
    await new Promise<void>((r) => b.on('state', ({ to }) => to === 'active' && r()));
    expect(subscribeIds(server.history[1]).sort()).toEqual([a.id, b.id].sort());
  });

  it('is an async iterable; leaving the loop unsubscribes', async () => {
    const server = track(await startServer());
    const client = track(createClient({ url: server.url, signals: false }));
    const sub = client.subscribe('Tick');
    await new Promise<void>((r) => sub.on('state', ({ to }) => to === 'active' && r()));
    for (let i = 0; i < 5; i++) server.publish({ event_type: 'Tick', data: { i } });
    const got: number[] = [];
    for await (const ev of sub) {
      got.push((ev.data as { i: number }).i);
      if (got.length === 5) break;
    }
    expect(got).toEqual([0, 1, 2, 3, 4]);
    expect(sub.state).toBe('unsubscribed');
  });

  it('overflow (default policy): the loop throws QueueFullError after the buffered events, nothing silently lost', async () => {
    const server = track(await startServer());
    const client = track(createClient({ url: server.url, signals: false }));
    const errors: unknown[] = [];
    client.on('error', (e) => void errors.push(e));
    const sub = client.subscribe('Tick', { bufferSize: 3 });
    const iterator = sub[Symbol.asyncIterator]();
    await new Promise<void>((r) => sub.on('state', ({ to }) => to === 'active' && r()));
    const last = new Promise<void>((r) => client.on('Tick', (ev) => ev.seq === 5 && r()));
    for (let i = 0; i < 5; i++) server.publish({ event_type: 'Tick', data: { i } });
    await last;
    const read: number[] = [];
    await expect(
      (async () => {
        for (;;) {
          const r = await iterator.next();
          if (r.done) return;
          read.push((r.value.data as { i: number }).i);
        }
      })(),
    ).rejects.toMatchObject({ code: 'ERR_QUEUE_FULL', limit: 3 });
    expect(read).toEqual([0, 1, 2]);
    expect(errors).toHaveLength(1);
    expect(sub.state).toBe('unsubscribed');
  });
});

describe('iterators end', () => {
  it('stream() buffers from the call, and the loop returns on close()', async () => {
    const server = track(await startServer());
    const client = track(createClient({ url: server.url, signals: false }));
    const stream = client.stream('Tick');
    await new Promise<void>((r) => stream.on('state', ({ to }) => to === 'active' && r()));
    for (let i = 0; i < 3; i++) server.publish({ event_type: 'Tick' });
    const third = new Promise<void>((r) => client.on('Tick', (ev) => ev.seq === 3 && r()));
    await third; // all three arrived before the loop starts
    const seen: number[] = [];
    for await (const ev of stream) {
      seen.push(ev.seq as number);
      if (seen.length === 3) client.close();
    }
    expect(seen).toEqual([1, 2, 3]);
    expect(stream.state).toBe('unsubscribed');
  });

  it('the loop throws the fatal error (AuthError) on a fatal close', async () => {
    const server = track(await startServer({ tokens: ['t'] }));
    const client = track(createClient({ url: server.url, token: 't', signals: false }));
    client.on('error', () => {});
    const loop = (async () => {
      for await (const _ of client.stream('Tick')) {
      }
    })();
    await reach(client, 'open');
    server.dropAll(4003, 'revoked');
    await expect(loop).rejects.toSatisfy(isAuthError);
  });
});

describe('errors and states of subscriptions', () => {
  it('a throwing subscription handler reaches error as a HandlerError; close() ends subscriptions, and ready() says so', async () => {
    const server = track(await startServer());
    const client = track(createClient({ url: server.url, signals: false }));
    const sub = client.subscribe('Tick');
    sub.on(() => {
      throw new Error('handler bug');
    });
    await new Promise<void>((r) => sub.on('state', ({ to }) => to === 'active' && r()));
    const error = next(client, 'error');
    server.publish({ event_type: 'Tick' });
    const e = await error;
    expect(isHandlerError(e) && e.code).toBe('ERR_HANDLER');
    client.close();
    expect(sub.state).toBe('unsubscribed');
    const ended = await sub.ready().catch((e: unknown) => e);
    expect(isSubscriptionEndedError(ended) && ended.subscriptionId).toBe(sub.id); // the subscription ended, not the link
  });
});
