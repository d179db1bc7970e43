/** Acks, server to client: an acked event was handled, once; what was not handled comes back. */
import { once } from 'node:events';
import { describe, expect, it } from 'vitest';
import { type Dialect, type DialectSink, eventwire, querri } from '../src/dialects/index.js';
import { type AckableEvent, createClient, DecodeError, type EventwireEvent, type Subscription } from '../src/index.js';
import { track } from './cleanup.js';
import { collect } from './dialects/collect.js';
import { startServer } from './fixtures/server.js';
import { eventually, reach } from './helpers.js';

const active = (sub: Subscription) =>
  new Promise<void>((r) => (sub.state === 'active' ? r() : sub.on('state', ({ to }) => to === 'active' && r())));

describe('acks mean handled', () => {
  it("mode 'auto' acks once every handler returned, awaiting async ones", async () => {
    const server = track(await startServer());
    const client = track(createClient({ url: server.url, signals: false }));
    const sub = client.subscribe('Critical');
    await active(sub);
    let release = () => {};
    let syncRan = false;
    client.on('Critical', () => {
      syncRan = true;
    });
    sub.on(() => new Promise<void>((r) => (release = r)));
    server.publish({ event_type: 'Critical', message_id: 'm-1', requires_ack: true });
    await eventually(() => syncRan);
    await new Promise((r) => setTimeout(r, 30));
    expect(server.acks).toEqual([]); // the async handler has not finished
    const acked = once(server, 'message');
    release();
    expect((await acked)[1]).toEqual({ type: 'ack', message_id: 'm-1' });
  });

  it("mode 'manual' hands the handler event.ack()", async () => {
    const server = track(await startServer({ ackTimeout: 5_000 }));
    const client = track(createClient({ url: server.url, acks: 'manual', signals: false }));
    const sub = client.subscribe('Critical');
    await active(sub);
    const got = new Promise<AckableEvent>((r) => sub.on((ev) => r(ev as AckableEvent)));
    server.publish({ event_type: 'Critical', message_id: 'm-7', requires_ack: true });
    const ev = await got;
    await new Promise((r) => setTimeout(r, 30));
    expect(server.acks).toEqual([]);
    const acked = once(server, 'message');
    ev.ack?.();
    ev.ack?.(); // idempotent
    expect((await acked)[1]).toEqual({ type: 'ack', message_id: 'm-7' });
    await new Promise((r) => setTimeout(r, 30));
    expect(server.acks).toEqual(['m-7']);
  });

  it('re-deliveries after a lost ack reach no handler twice and are acked again', async () => {
    const server = track(await startServer({ ackTimeout: 50 }));
    const client = track(createClient({ url: server.url, signals: false }));
    const sub = client.subscribe('Critical');
    await active(sub);
    let calls = 0;
    sub.on(() => void calls++);
    server.ignoreNextAck(); // the first ack is lost: the server re-sends the event 50 ms later
    server.publish({ event_type: 'Critical', message_id: 'm-9', requires_ack: true });
    // acked again: two acks at least (a loaded machine that holds the second past the next 50 ms
    // gets a third re-delivery, handled by no one and acked too)
    await eventually(() => server.acks.length >= 2);
    expect(server.acks.every((id) => id === 'm-9')).toBe(true);
    expect(server.unacked).toEqual([]);
    expect(calls).toBe(1);
  });

  it('the message-id dedupe window stays bounded', async () => {
    const server = track(await startServer());
    const client = track(createClient({ url: server.url, dedupeWindow: 100, signals: false }));
    const sub = client.subscribe('Critical');
    await active(sub);
    const all = collect((h) => sub.on(h));
    for (let i = 1; i <= 2_000; i++)
      server.publish({ event_type: 'Critical', message_id: `m-${i}`, requires_ack: true });
    await all.until(2_000);
    const { acks } = client.stats();
    expect(acks.messageIds).toBeLessThanOrEqual(100);
    expect(acks.inFlight).toBeLessThanOrEqual(100);
    await eventually(() => server.unacked.length === 0);
  });

  it('auto: an async handler that rejects leaves the event unacked; the re-delivery reaches it again', async () => {
    // re-delivered after 0.5 s: the one ack counted below must reach the server before a third copy
    // is sent, even on a loaded machine
    const server = track(await startServer({ ackTimeout: 500 }));
    const client = track(createClient({ url: server.url, signals: false }));
    client.on('error', () => {});
    let calls = 0;
    const handled = new Promise<void>((resolve) =>
      client.on('Payment', async () => {
        if (++calls === 1) throw new Error('db down');
        resolve();
      }),
    );
    await reach(client, 'open');
    server.publish({ event_type: 'Payment', message_id: 'p-1', requires_ack: true });
    await handled;
    await eventually(() => server.acks.includes('p-1'));
    expect(calls).toBe(2);
    expect(server.acks.filter((id) => id === 'p-1')).toHaveLength(1);
  });

  it('manual: nack() brings the event back; ack() ends it; a re-delivery while a handler runs is neither given nor acked', async () => {
    const server = track(await startServer({ ackTimeout: 60 }));
    const client = track(createClient({ url: server.url, acks: 'manual', signals: false, dedupeWindow: 1 }));
    const copies: AckableEvent[] = [];
    let wake = () => {};
    client.on('Job', (ev) => {
      copies.push(ev as AckableEvent);
      wake();
    });
    await reach(client, 'open');
    server.publish({ event_type: 'Job', message_id: 'j-1', requires_ack: true });
    server.publish({ event_type: 'Other', message_id: 'o-1', requires_ack: true }); // evicts j-1 from a window of 1
    while (copies.length < 1) await new Promise<void>((r) => (wake = r));
    await eventually(() => server.acks.includes('o-1')); // nobody listens to Other: acked
    copies[0]?.nack?.();
    while (copies.length < 2) await new Promise<void>((r) => (wake = r));
    // re-deliveries keep coming while the second copy is unanswered (and j-1 left the window of
    // settled ids long ago); none is handed over, none is acked
    const sent = server.connections[0]?.sent.text ?? 0;
    await eventually(() => (server.connections[0]?.sent.text ?? 0) >= sent + 3);
    expect(copies.length).toBe(2);
    expect(server.acks).not.toContain('j-1');
    copies[1]?.ack?.();
    await eventually(() => server.acks.includes('j-1'));
  });

  it('drop-oldest: an event the iterator drops is not acked', async () => {
    const server = track(await startServer({ ackTimeout: 10_000 }));
    const client = track(createClient({ url: server.url, signals: false }));
    client.on('error', () => {});
    const sub = client.subscribe('Job', { bufferSize: 1, overflow: 'drop-oldest' });
    const iterator = sub[Symbol.asyncIterator]();
    await new Promise<void>((r) => sub.on('state', ({ to }) => to === 'active' && r()));
    const second = new Promise<void>((r) => sub.on((ev) => ev.message_id === 'b' && r()));
    server.publish({ event_type: 'Job', message_id: 'a', requires_ack: true });
    server.publish({ event_type: 'Job', message_id: 'b', requires_ack: true });
    await second;
    expect((await iterator.next()).value?.message_id).toBe('b');
    await eventually(() => server.acks.includes('b'));
    expect(server.acks).not.toContain('a');
  });
});

describe('ack ids are bounded in bytes (issue 20)', () => {
  const sink = () => {
    const events: EventwireEvent[] = [];
    const errors: DecodeError[] = [];
    const s = new Proxy({ maxBatchSize: 1000 } as Record<string, unknown>, {
      get: (t, k) =>
        k in t
          ? t[k as string]
          : k === 'event'
            ? (e: EventwireEvent) => events.push(e)
            : k === 'error'
              ? (e: DecodeError) => errors.push(e)
              : () => false,
    }) as unknown as DialectSink;
    return { s, events, errors };
  };
  const v1 = (id: unknown) => ({ event_type: 'Critical', timestamp: 't', data: 1, requires_ack: true, message_id: id });
  const q = (id: unknown) => ({ type: 'step_completed', requires_ack: true, message_id: id });
  const cases: Array<[string, Dialect, (id: unknown) => object]> = [
    ['protocol v1', eventwire(), v1],
    ['querri', querri(), q],
  ];
  for (const [name, dialect, frame] of cases) {
    it(`${name}: 256 bytes pass; 257 bytes, a multi-byte overflow or a non-string id are invalid_event and not delivered`, () => {
      const { s, events, errors } = sink();
      dialect.read(frame('a'.repeat(256)), s);
      dialect.read(frame('é'.repeat(128)), s); // 256 bytes in 128 characters
      expect(events.map((e) => e.message_id?.length)).toEqual([256, 128]);
      for (const id of [
        'a'.repeat(257),
        'é'.repeat(129),
        '😀'.repeat(65),
        'x'.repeat(512 * 1024),
        42,
        { id: 1 },
        null,
        '',
      ]) {
        dialect.read(frame(id), s);
      }
      expect(events).toHaveLength(2);
      expect(errors).toHaveLength(8);
      for (const e of errors) {
        expect(e).toBeInstanceOf(DecodeError);
        expect(e.reason).toBe('invalid_event');
      }
    });
  }
});

describe('stats().acks counts the bytes of the ack window (issue 20)', () => {
  it('messageIdBytes is the UTF-8 size of the ids held, bounded by messageIds × 256', async () => {
    const server = track(await startServer());
    const client = track(createClient({ url: server.url, signals: false, dedupeWindow: 3 }));
    client.on('error', () => {});
    const sub = client.subscribe('Critical');
    await active(sub);
    const ids = ['a'.repeat(256), 'é'.repeat(100), 'b', 'cc', '😀'.repeat(10)];
    for (const id of ids) server.publish({ event_type: 'Critical', message_id: id, requires_ack: true });
    await eventually(() => server.acks.length === ids.length);
    const { acks } = client.stats();
    expect(acks.messageIds).toBe(3);
    expect(acks.messageIdBytes).toBe(1 + 2 + 40); // the window of 3 keeps the last three
    expect(acks.messageIdBytes).toBeLessThanOrEqual(acks.messageIds * 256);
  });
});
