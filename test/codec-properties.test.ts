import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { gunzipCapped } from '../src/codec/gzip-fflate.js';
import { defaultInflate as zlibInflate } from '../src/codec/inflate-zlib.js';
import { hasProtoKey, jsonCodec } from '../src/codec/json.js';
import { Inbox, type InboxSink } from '../src/core/link/inbox.js';
import { eventwire } from '../src/dialects/eventwire.js';
import { MAX_MESSAGE_ID_BYTES } from '../src/dialects/shared.js';
import { createClient, DecodeError, type EventwireEvent } from '../src/index.js';
import { CONTROL_TYPES } from '../src/protocol/event.js';
import {
  AckMessageSchema,
  EventMessageSchema,
  ResponseMessageSchema,
  ServerMessageSchema,
} from '../src/protocol/schemas.js';
import { change, changedFrame } from './fixtures/gzip-table.js';
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
    unsubscribed: (id) => control({ type: 'unsubscribed', id }),
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
      message_id: maybe(fc.oneof(fc.string(), fc.integer(), fc.string({ minLength: 80, maxLength: 300 }))),
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

/** How deep `v` nests objects and arrays (a scalar: 0). */
const depthOf = (v: unknown): number =>
  typeof v === 'object' && v !== null ? 1 + Math.max(0, ...Object.values(v).map(depthOf)) : 0;

describe('maxDepth: refused exactly past the limit, short frames and long, strings with brackets too', () => {
  it('a value nested d deep passes maxDepth d and is too_deep under maxDepth d - 1', () => {
    const nested = fc.jsonValue({ maxDepth: 8 }).filter((v) => depthOf(v) > 0);
    fc.assert(
      fc.property(nested, fc.boolean(), (value, spaced) => {
        const text = JSON.stringify(value, null, spaced ? 1 : undefined);
        const depth = depthOf(value);
        const flags = { text: false, suspect: false };
        expect(jsonCodec({ maxDepth: depth }).decode(text, flags)).not.toBeInstanceOf(DecodeError);
        const refused = jsonCodec({ maxDepth: depth - 1 }).decode(text, flags);
        expect(refused instanceof DecodeError && refused.reason).toBe('too_deep');
      }),
      { numRuns: 500 },
    );
  });

  it('a fractional maxDepth is the whole depths under it: [[]] (depth 2) is too_deep under 1.5', () => {
    const flags = { text: false, suspect: false };
    const refused = jsonCodec({ maxDepth: 1.5 }).decode('[[]]', flags);
    expect(refused instanceof DecodeError && refused.reason).toBe('too_deep');
    expect(jsonCodec({ maxDepth: 2.5 }).decode('[[]]', flags)).not.toBeInstanceOf(DecodeError);
  });
});

describe('__proto__ keys: a frame is searched for them when its text could spell one', () => {
  /** `__proto__` with each character written as itself or as a \\u escape (hex in either case). */
  const spelled = fc.array(fc.tuple(fc.boolean(), fc.boolean()), { minLength: 9, maxLength: 9 }).map((choices) =>
    [...'__proto__']
      .map((ch, i) => {
        const [escaped, upper] = choices[i] as [boolean, boolean];
        const hex = ch.charCodeAt(0).toString(16).padStart(4, '0');
        return escaped ? `\\u${upper ? hex.toUpperCase() : hex}` : ch;
      })
      .join(''),
  );
  it('every spelling of the key, escaped or not, makes the frame suspect, and the key is found', () => {
    fc.assert(
      fc.property(spelled, fc.jsonValue({ maxDepth: 3 }), (key, inner) => {
        const text = `{"event_type":"X","timestamp":"t","data":{"a":[{"${key}":${JSON.stringify(inner)}}]}}`;
        const flags = { text: true, suspect: false };
        const value = jsonCodec().decode(text, flags);
        expect(flags.suspect).toBe(true);
        expect(hasProtoKey(value)).toBe(true);
      }),
      { numRuns: 500 },
    );
  });
  it('text escaped as json.dumps escapes it (every non-ASCII character) is not suspect', () => {
    const ascii = (text: string) =>
      text.replace(/[\u0080-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
    fc.assert(
      fc.property(fc.string({ unit: fc.constantFrom('a', 'é', 'ü', '€', '中', ' ', 'P', '_') }), (note) => {
        const text = ascii(JSON.stringify({ event_type: 'X', timestamp: 't', data: { note } }));
        const flags = { text: true, suspect: false };
        expect(jsonCodec().decode(text, flags)).toMatchObject({ data: { note } });
        expect(flags.suspect).toBe(false);
      }),
      { numRuns: 300 },
    );
  });
});

describe('maxMessageBytes: a text frame is measured in the UTF-8 bytes it encodes to', () => {
  it("too_large exactly when its UTF-8 length (TextEncoder's: a lone surrogate is 3 bytes) is over the cap", () => {
    const unit = fc.oneof(
      fc.constantFrom('\ud800', '\udc00', 'a', '\u00e9', '\u20ac'),
      fc.string({ unit: 'grapheme' }),
    );
    const encoded = new TextEncoder();
    fc.assert(
      fc.property(fc.array(unit, { maxLength: 40 }), fc.integer({ min: 1, max: 120 }), (units, cap) => {
        const text = units.join('');
        const verdict = jsonCodec({ maxMessageBytes: cap }).decode(text, { text: true, suspect: false });
        const tooLarge = verdict instanceof DecodeError && verdict.reason === 'too_large';
        expect(tooLarge).toBe(encoded.encode(text).length > cap);
      }),
      { numRuns: 3000 },
    );
  });
});

describe('message_id: the schemas bound it as the reader does', () => {
  const ids: Array<[string, string]> = [
    ['256 ASCII bytes', 'm'.repeat(MAX_MESSAGE_ID_BYTES)],
    ['257 ASCII bytes', 'm'.repeat(MAX_MESSAGE_ID_BYTES + 1)],
    ['256 bytes of 2-byte characters', 'é'.repeat(MAX_MESSAGE_ID_BYTES / 2)],
    ['257 bytes, the last character 1 byte', `${'é'.repeat(MAX_MESSAGE_ID_BYTES / 2)}a`],
    ['255 bytes of 3-byte characters', '€'.repeat(85)],
    ['258 bytes of 3-byte characters', '€'.repeat(86)],
    ['255 bytes of lone surrogates (3 each, as encoded)', '\ud800'.repeat(85)],
    ['258 bytes of lone surrogates', '\ud800'.repeat(86)],
    ['256 bytes of 4-byte characters', '😀'.repeat(64)],
    ['260 bytes of 4-byte characters', '😀'.repeat(65)],
    ['empty', ''],
  ];
  it.each(ids)('%s: accepted by the event and ack schemas exactly when the reader delivers it', (_name, id) => {
    const fits = new TextEncoder().encode(id).length <= MAX_MESSAGE_ID_BYTES && id.length > 0;
    const { sink, counts } = checkingSink();
    const inbox = new Inbox(jsonCodec(), eventwire(), sink);
    const event = { event_type: 'X', timestamp: '2026-11-22T10:00:00Z', data: {}, message_id: id, requires_ack: true };
    inbox.receive(JSON.stringify(event));
    expect([counts.events, counts.errors]).toEqual(fits ? [1, 0] : [0, 1]);
    expect(EventMessageSchema.safeParse(event).success).toBe(fits);
    expect(AckMessageSchema.safeParse({ type: 'ack', message_id: id }).success).toBe(fits);
  });
  it('an event asking for an ack needs a message_id (schema and reader)', () => {
    const event = { event_type: 'X', timestamp: '2026-11-22T10:00:00Z', data: {}, requires_ack: true };
    const { sink, counts } = checkingSink();
    new Inbox(jsonCodec(), eventwire(), sink).receive(JSON.stringify(event));
    expect([counts.events, counts.errors]).toEqual([0, 1]);
    expect(EventMessageSchema.safeParse(event).success).toBe(false);
    expect(EventMessageSchema.safeParse({ ...event, requires_ack: false }).success).toBe(true);
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

describe('gzip: Node (zlib) and fflate give one verdict (Chromium: test/browser.test.ts)', () => {
  it('on any frame made of valid deflate data: any level, any trailer, cut anywhere, bytes or a member after it', () => {
    const seen = new Set<string>();
    fc.assert(
      fc.property(changedFrame, ([data, level, c, checkCrc, cap]) => {
        const frame = new Uint8Array(change(gzipSync(data, { level }), c));
        const [fflate, zlib] = [gunzipCapped(frame, cap, checkCrc), zlibInflate(frame, cap, checkCrc)];
        const verdicts = [fflate, zlib].map((r) => (r instanceof Uint8Array ? 'ok' : r.reason));
        // The one documented difference (PROTOCOL.md §10, test/gzip.test.ts): deflate data cut
        // inside a stored block, where zlib counts the stored bytes it has and fflate none.
        const storedCut =
          c.kind === 'cut' &&
          !(fflate instanceof Uint8Array) &&
          fflate.message === 'gzip frame is truncated' &&
          verdicts[1] === 'bad_trailer';
        if (!storedCut) expect(verdicts[0]).toBe(verdicts[1]);
        seen.add(verdicts[1] as string);
        if (verdicts[1] === 'ok')
          expect(Buffer.from(fflate as Uint8Array).equals(Buffer.from(zlib as Uint8Array))).toBe(true);
      }),
      { numRuns: Number(process.env.GZIP_RUNS ?? 3_000) },
    );
    expect([...seen].sort()).toEqual(['bad_crc', 'bad_gzip', 'bad_trailer', 'ok', 'too_large']);
  });
});

describe('maxDepth: the length bound (an object level takes 5 characters, an array level 2) skips no deep frame', () => {
  /** The tightest nestings: `{"":…{}}` and `[…[]]`, levels chosen by `kinds` from the outside in. */
  const tightest = (kinds: string): string => {
    let text = kinds.at(-1) === 'o' ? '{}' : '[]';
    for (let i = kinds.length - 2; i >= 0; i--) text = kinds[i] === 'o' ? `{"":${text}}` : `[${text}]`;
    return text;
  };
  it('a tightest nesting of d levels, objects and arrays mixed, is too_deep under d - 1 and d - 0.5, whole under d', () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom('o', 'a'), { minLength: 1, maxLength: 90 }), (levels) => {
        const kinds = levels.join('');
        const text = tightest(kinds);
        const flags = { text: true, suspect: false };
        const d = kinds.length;
        expect(jsonCodec({ maxDepth: d }).decode(text, flags)).not.toBeInstanceOf(DecodeError);
        for (const limit of [d - 1, d - 0.5]) {
          const refused = jsonCodec({ maxDepth: limit }).decode(text, flags);
          expect(refused instanceof DecodeError && refused.reason).toBe('too_deep');
        }
      }),
      { numRuns: 1_000 },
    );
  });
  it('at the default (64): 65 object levels in 327 characters are refused, 64 pass', () => {
    const flags = { text: true, suspect: false };
    const deep = tightest('o'.repeat(65));
    expect(deep.length).toBe(5 * 64 + 2);
    const refused = jsonCodec().decode(deep, flags);
    expect(refused instanceof DecodeError && refused.reason).toBe('too_deep');
    expect(jsonCodec().decode(tightest('o'.repeat(64)), flags)).not.toBeInstanceOf(DecodeError);
  });
});
