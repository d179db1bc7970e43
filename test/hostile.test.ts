/**
 * A hostile server: every frame below is sent by a server on 127.0.0.1 to a connected client.
 * Each gives a typed error (one per frame, not one per member), the link stays open, and the
 * cost stays bounded (generous bounds measured here: the precise figures are in CHAOS.md).
 */
import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { describe, expect, it, vi } from 'vitest';
import { gunzipCapped } from '../src/codec/gzip.js';
import { defaultInflate as zlibInflate } from '../src/codec/inflate-zlib.js';
import { jsonCodec } from '../src/codec/json.js';
import { eventwire } from '../src/dialects/index.js';
import {
  type Client,
  createClient,
  DecodeError,
  isDecodeError,
  isHandlerError,
  isValidationError,
} from '../src/index.js';
import { track } from './cleanup.js';
import { type ReferenceServer, startServer } from './fixtures/server.js';
import { next, nextEvent, reach } from './helpers.js';

async function connected(options: Partial<Parameters<typeof createClient>[0]> = {}) {
  const server = track(await startServer());
  const client = track(createClient({ url: server.url, signals: false, ...options }));
  await reach(client, 'open');
  return { server, client };
}

/** The longest the event loop was blocked while `fn` ran, measured by a 5 ms ticker. */
async function blocking(fn: () => Promise<unknown>): Promise<number> {
  let last = performance.now();
  let worst = 0;
  const ticker = setInterval(() => {
    const now = performance.now();
    worst = Math.max(worst, now - last);
    last = now;
  }, 5);
  try {
    await fn();
  } finally {
    clearInterval(ticker);
  }
  return worst;
}

/** Sends `frame`; resolves with the errors it caused once a good event after it has arrived (the link still works). */
async function errorsFor(server: ReferenceServer, client: Client, frame: string | Buffer, text?: boolean) {
  const errors: DecodeError[] = [];
  const off = client.on('error', (e) => void (isDecodeError(e) && errors.push(e)));
  const after = nextEvent(client, 'After');
  server.sendRaw(frame, text === undefined ? {} : { binary: !text });
  server.sendRaw(JSON.stringify({ event_type: 'After', timestamp: new Date().toISOString(), data: {} }));
  await after;
  off();
  expect(client.state).toBe('open');
  expect(server.history).toHaveLength(1);
  return errors;
}

const member = '{"event_type":"X","timestamp":"t","data":{}}';

describe('hostile frames', () => {
  it('5. a 16 KB gzip frame inflating to millions of members: one DecodeError, before parsing', async () => {
    const { server, client } = await connected();
    const bomb = gzipSync(`{"type":"batch","events":[${'{},'.repeat(5_000_000)}{}]}`);
    expect(bomb.length).toBeLessThan(64 * 1024);
    const rss = process.memoryUsage().rss;
    let errors: DecodeError[] = [];
    const worst = await blocking(async () => {
      errors = await errorsFor(server, client, bomb);
    });
    expect(errors.map((e) => e.reason)).toEqual(['too_many_objects']);
    expect(worst).toBeLessThan(2_000); // it was 29.6 s
    expect(process.memoryUsage().rss - rss).toBeLessThan(200 * 2 ** 20);
  });

  it('5. a batch over maxBatchSize is refused whole; bad members are one DecodeError with their count', async () => {
    const { server, client } = await connected({ maxBatchSize: 1_000 });
    const tooBig = await errorsFor(server, client, `{"type":"batch","events":[${'1,'.repeat(999_999)}1]}`);
    expect(tooBig.map((e) => [e.reason, e.count])).toEqual([['batch_too_large', 1_000_000]]);
    const good: string[] = [];
    client.on('X', () => void good.push('X'));
    const bad = await errorsFor(server, client, `{"type":"batch","events":[${member},${'2,'.repeat(998)}${member}]}`);
    expect(bad.map((e) => [e.reason, e.count])).toEqual([['invalid_batch_members', 998]]);
    expect(good).toEqual(['X', 'X']);
  });

  it('5. without an error listener, a bad batch prints one line, not one per member', async () => {
    const { server, client } = await connected();
    const printed = vi.spyOn(console, 'error').mockImplementation(() => {});
    try {
      const after = nextEvent(client, 'After');
      server.sendRaw(`{"type":"batch","events":[${'3,'.repeat(9_999)}3]}`);
      server.sendRaw(JSON.stringify({ event_type: 'After', timestamp: 't', data: {} }));
      await after;
      expect(printed).toHaveBeenCalledTimes(1);
    } finally {
      printed.mockRestore();
    }
  });

  it('6. maxMessageBytes counts bytes: multibyte text over the cap is refused, as a string too', async () => {
    const { server, client } = await connected({ maxMessageBytes: 1_000 });
    const euros = JSON.stringify({ event_type: 'X', timestamp: 't', data: '€'.repeat(400) }); // ~450 chars, ~1,250 bytes
    expect(euros.length).toBeLessThan(1_000);
    expect((await errorsFor(server, client, euros)).map((e) => e.reason)).toEqual(['too_large']);
    const codec = jsonCodec({ maxMessageBytes: 1_000 });
    expect((codec.decode(euros, { text: false, suspect: false }) as DecodeError).reason).toBe('too_large');
  });

  it('7. invalid UTF-8 in a text frame is a DecodeError, and the link stays (ws is told not to close it)', async () => {
    const { server, client } = await connected();
    const invalid = Buffer.concat([
      Buffer.from('{"event_type":"X","timestamp":"t","data":"'),
      Buffer.from([0xc3, 0x28]),
      Buffer.from('"}'),
    ]);
    expect((await errorsFor(server, client, invalid, true)).map((e) => e.reason)).toEqual(['invalid_utf8']);
  });

  it('7. gzip with trailing bytes: Node and browser inflaters give the same verdict', async () => {
    const padded = Buffer.concat([gzipSync(member), Buffer.from([0, 0, 0, 0])]);
    const bytes = new Uint8Array(padded);
    expect(
      [zlibInflate(bytes, 1 << 20, true), gunzipCapped(bytes, 1 << 20, true)].map((r) => r instanceof DecodeError),
    ).toEqual([true, true]);
    const { server, client } = await connected();
    expect((await errorsFor(server, client, padded)).map((e) => e.reason)).toEqual(['bad_gzip']);
  });

  it('8. batch members typed ping, welcome or error are refused, not delivered as events', async () => {
    const { server, client } = await connected();
    const seen: string[] = [];
    client.on('message', (ev) => void seen.push(ev.event_type));
    const controls = [
      '{"type":"ping"}',
      '{"type":"welcome","session_id":"x"}',
      '{"type":"error","code":"c","message":"m"}',
    ];
    const errors = await errorsFor(server, client, `{"type":"batch","events":[${controls.join(',')}]}`);
    expect(errors.map((e) => [e.reason, e.count])).toEqual([['invalid_batch_members', 3]]);
    expect(seen).toEqual(['After']);
  });

  it('9. a validator, shouldRetry, a codec and a dialect hook that throw are reported; the client goes on', async () => {
    const boom = () => {
      throw new Error('user bug');
    };
    const { server, client } = await connected({
      events: { Bad: { '~standard': { version: 1, vendor: 'test', validate: boom } } },
      shouldRetry: boom,
      backoff: { minDelay: 5, maxDelay: 20 },
    });
    const errors: unknown[] = [];
    client.on('error', (e) => void errors.push(e));
    const after = nextEvent(client, 'After');
    server.sendRaw(JSON.stringify({ event_type: 'Bad', timestamp: 't', data: {} }));
    server.sendRaw(JSON.stringify({ event_type: 'After', timestamp: 't', data: {} }));
    await after;
    expect(errors.some(isValidationError)).toBe(true);
    server.dropAll(); // shouldRetry throws: the table decides (retry), and it is reported
    await next(client, 'open');
    expect(errors.some((e) => isHandlerError(e) && /shouldRetry/.test(e.message))).toBe(true);

    const codec = { decode: boom, encode: (m: object) => JSON.stringify(m) };
    const withCodec = track(createClient({ url: server.url, signals: false, codec }));
    const codecError = next(withCodec, 'error', isDecodeError);
    await reach(withCodec, 'open');
    server.sendRaw('{}');
    expect(((await codecError) as DecodeError).reason).toBe('codec_failed');
    expect(withCodec.state).toBe('open');

    const dialect = { ...eventwire(), name: 'buggy', subscribe: boom };
    const withDialect = track(createClient({ url: server.url, signals: false, dialect }));
    const hookError = next(withDialect, 'error', isHandlerError);
    const sub = withDialect.subscribe('Tick');
    expect((await hookError).message).toMatch(/buggy dialect's subscribe\(\)/);
    await reach(withDialect, 'open');
    expect(sub.state).toBe('active'); // with no subscribe message, it is local
  });

  it('any malformed frame or batch: DecodeErrors only, the link stays, nothing malformed is delivered', async () => {
    const { server, client } = await connected();
    const delivered: unknown[] = [];
    const errors: unknown[] = [];
    client.on('message', (ev) => void delivered.push(ev));
    client.on('error', (e) => void errors.push(e));
    const junk = fc.oneof(
      fc.string(),
      fc.jsonValue().map((v) => JSON.stringify(v)),
      fc
        .array(fc.oneof(fc.jsonValue(), fc.constantFrom({ type: 'ping' }, { event_type: 1 })), { maxLength: 20 })
        .map((events) => JSON.stringify({ type: 'batch', events })),
      fc.uint8Array({ maxLength: 64 }).map((b) => Buffer.from(b)),
    );
    const frames = fc.sample(junk, { numRuns: 200, seed: 7 });
    for (const frame of frames) server.sendRaw(frame);
    const after = nextEvent(client, 'After');
    server.sendRaw(JSON.stringify({ event_type: 'After', timestamp: 't', data: {} }));
    await after;
    expect(client.state).toBe('open');
    expect(server.history).toHaveLength(1);
    expect(errors.length).toBeGreaterThan(100);
    expect(errors.every(isDecodeError)).toBe(true);
    for (const ev of delivered) expect(typeof (ev as { event_type: unknown }).event_type).toBe('string');
  });
});
