import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { jsonCodec } from '../src/codec/json.js';
import { Inbox, type InboxSink } from '../src/core/link/inbox.js';
import { eventwire } from '../src/dialects/eventwire.js';
import { createClient, type EventwireEvent } from '../src/index.js';
import { CONTROL_TYPES } from '../src/protocol/event.js';
import { EventMessageSchema, ResponseMessageSchema, ServerMessageSchema } from '../src/protocol/schemas.js';
import { startServer } from './fixtures/server.js';
import { reach } from './helpers.js';

/**
 * A sink that checks everything the eventwire dialect's reader yields against the protocol's
 * zod schemas (each report is rebuilt into the message it stands for).
 */
function checkingSink() {
  const counts = { events: 0, controls: 0, responses: 0, errors: 0 };
  const control = (msg: Record<string, unknown>) => {
    counts.controls++;
    const clean = Object.fromEntries(Object.entries(msg).filter(([, v]) => v !== undefined));
    if (!ServerMessageSchema.safeParse(clean).success)
      throw new Error(`invalid control yielded: ${JSON.stringify(clean)}`);
  };
  const sink: InboxSink = {
    maxBatchSize: 10_000,
    event(ev) {
      counts.events++;
      const parsed = EventMessageSchema.safeParse(ev);
      if (!parsed.success) throw new Error(`invalid event yielded: ${JSON.stringify(ev)}: ${parsed.error.message}`);
    },
    greeting: (session_id, heartbeat_interval) => control({ type: 'welcome', session_id, heartbeat_interval }),
    authFailed: () => control({ type: 'auth_failed' }),
    ping: (reply) => control({ type: 'ping', ts: (reply as { ts?: unknown }).ts }),
    pong: () => control({ type: 'pong' }),
    subscribed: (id, seq, gap) => control({ type: 'subscribed', id, seq, gap }),
    serverError: (code, message, id) => control({ type: 'error', code, message, id }),
    response(id, _byMethod, success, result, error) {
      counts.responses++;
      const msg = Object.fromEntries(Object.entries({ id, success, result, error }).filter(([, v]) => v !== undefined));
      if (!ResponseMessageSchema.safeParse(msg).success)
        throw new Error(`invalid response yielded: ${JSON.stringify(msg)}`);
      return true;
    },
    error() {
      counts.errors++;
    },
    undecodable() {
      counts.errors++;
    },
  };
  return { sink, counts };
}

const maybe = <T>(arb: fc.Arbitrary<T>) => fc.option(arb, { nil: undefined });
const eventish = fc
  .record(
    {
      event_type: maybe(fc.oneof(fc.string(), fc.constantFrom('LogEntry', 'ping', ''), fc.integer())),
      type: maybe(
        fc.oneof(fc.string(), fc.constantFrom('batch', 'ping', 'pong', 'welcome', 'subscribed', 'error', 'X')),
      ),
      timestamp: maybe(fc.oneof(fc.string(), fc.integer())),
      data: maybe(fc.jsonValue()),
      metadata: maybe(fc.oneof(fc.dictionary(fc.string(), fc.jsonValue()), fc.jsonValue())),
      seq: maybe(fc.oneof(fc.integer(), fc.double(), fc.string())),
      message_id: maybe(fc.oneof(fc.string(), fc.integer())),
      requires_ack: maybe(fc.oneof(fc.boolean(), fc.string())),
      id: maybe(fc.oneof(fc.string(), fc.integer())),
      success: maybe(fc.oneof(fc.boolean(), fc.string())),
      session_id: maybe(fc.oneof(fc.string(), fc.integer())),
      code: maybe(fc.string()),
      message: maybe(fc.string()),
      ts: maybe(fc.oneof(fc.integer(), fc.string())),
      gap: maybe(fc.oneof(fc.record({ from: fc.integer(), to: fc.integer() }), fc.jsonValue())),
    },
    { requiredKeys: [] },
  )
  .map((o) => JSON.parse(JSON.stringify(o)) as Record<string, unknown>);

const eventName = fc.string({ minLength: 1, maxLength: 20 }).filter((n) => !CONTROL_TYPES.has(n));
const json = fc.jsonValue({ maxDepth: 4 }).filter((v) => !JSON.stringify(v).includes('__proto__'));
const validEvent = fc.record({
  event_type: eventName,
  data: json,
  metadata: fc.dictionary(
    fc.string().filter((k) => k !== '__proto__'),
    json,
    { maxKeys: 3 },
  ),
});

const wireEvent = fc.tuple(validEvent, fc.nat(), fc.boolean()).map(([e, seq, ack]) => ({
  ...e,
  timestamp: '2026-11-22T10:00:00Z',
  seq,
  ...(ack ? { message_id: `m-${seq}`, requires_ack: true } : {}),
}));

const frameArb: fc.Arbitrary<string | Uint8Array> = fc.oneof(
  wireEvent.map((e) => JSON.stringify(e)),
  fc
    .array(wireEvent, { maxLength: 4 })
    .map((events) => new Uint8Array(gzipSync(JSON.stringify({ type: 'batch', events })))),
  fc.uint8Array({ maxLength: 300 }),
  fc.string({ maxLength: 300 }),
  fc.json(),
  eventish.map((e) => JSON.stringify(e)),
  fc
    .array(fc.oneof(eventish, fc.jsonValue()), { maxLength: 5 })
    .map((events) => JSON.stringify({ type: 'batch', events })),
  eventish.map((e) => new Uint8Array(gzipSync(JSON.stringify(e)))),
  fc.tuple(eventish, fc.nat(), fc.nat({ max: 255 })).map(([e, at, byte]) => {
    const gz = new Uint8Array(gzipSync(JSON.stringify(e)));
    gz[at % gz.length] = byte; // corrupt one byte anywhere
    return gz;
  }),
  fc.tuple(eventish, fc.nat()).map(([e, cut]) => {
    const gz = new Uint8Array(gzipSync(JSON.stringify(e)));
    return gz.subarray(0, cut % gz.length); // truncated
  }),
);

describe('decoder properties', () => {
  it('random bytes and random JSON never throw, and never yield a message that fails its schema', () => {
    const { sink, counts } = checkingSink();
    const inbox = new Inbox(jsonCodec({ maxMessageBytes: 1 << 20 }), eventwire(), sink);
    fc.assert(
      fc.property(frameArb, (frame) => {
        inbox.receive(frame);
      }),
      { numRuns: 3_000 },
    );
    // the generators reach every outcome
    expect(counts.events).toBeGreaterThan(50);
    expect(counts.errors).toBeGreaterThan(500);
  });
});

describe('round trip through the reference server', () => {
  it('any list of valid events, any batch size, with or without gzip, comes out as the same events in order', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(validEvent, { minLength: 1, maxLength: 60 }),
        fc.integer({ min: 1, max: 25 }),
        fc.boolean(),
        async (events, batchSize, compression) => {
          const server = await startServer();
          const client = createClient({ url: server.url, batchSize, batchInterval: 2, compression, signals: false });
          try {
            await reach(client, 'open');
            const got: EventwireEvent[] = [];
            const all = new Promise<void>((r) =>
              client.on('message', (ev) => void (got.push(ev) === events.length && r())),
            );
            for (const e of events) server.publish(e);
            await all;
            expect(got.map((e) => ({ event_type: e.event_type, data: e.data, metadata: e.metadata }))).toEqual(
              JSON.parse(JSON.stringify(events)),
            );
            expect(got.map((e) => e.seq)).toEqual(events.map((_, i) => i + 1));
          } finally {
            client.close();
            await server.close();
          }
        },
      ),
      { numRuns: 30 },
    );
  });
});
