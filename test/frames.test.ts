/**
 * Frames from the network, good and hostile. Every hostile frame below is sent by a server on
 * 127.0.0.1 to a connected client: each gives one typed error (one per frame, not one per
 * member), the link stays open, and the cost stays bounded (generous bounds here: the precise
 * figures are in CHAOS.md).
 */
import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { gunzipCapped } from '../src/codec/gzip-fflate.js';
import { defaultInflate as zlibInflate } from '../src/codec/inflate-zlib.js';
import { jsonCodec } from '../src/codec/json.js';
import { type Client, createClient, DecodeError, type EventwireEvent, isDecodeError } from '../src/index.js';
import { track } from './cleanup.js';
import { gzipBomb } from './fixtures/gzip-bomb.js';
import { type ReferenceServer, startServer } from './fixtures/server.js';
import { eventually, nextEvent, reach } from './helpers.js';

const event = (name: string, data: unknown = {}) => ({ event_type: name, timestamp: '2026-11-22T10:00:00Z', data });

async function connected(options: Parameters<typeof createClient>[0] extends infer O ? Partial<O> : never = {}) {
  const server = track(await startServer());
  const client = track(createClient({ url: server.url, signals: false, ...options }));
  await reach(client, 'open');
  return { server, client };
}

/**
 * Sends `frame`; resolves with the errors it caused once a good event after it has arrived:
 * every one a DecodeError, the link still open and still the first one (no reconnect).
 */
async function decodeErrorsFor(server: ReferenceServer, client: Client, frame: string | Buffer, text?: boolean) {
  const errors: unknown[] = [];
  const off = client.on('error', (e) => void errors.push(e));
  const after = nextEvent(client, 'StillAlive');
  server.sendRaw(frame, text === undefined ? {} : { binary: !text });
  server.sendRaw(JSON.stringify(event('StillAlive')));
  expect((await after).event_type).toBe('StillAlive'); // the connection keeps working
  off();
  expect(client.state).toBe('open');
  expect(server.history).toHaveLength(1);
  expect(errors.every(isDecodeError)).toBe(true);
  return errors as DecodeError[];
}

/** Sends `frame`; resolves with the one DecodeError it causes (see {@link decodeErrorsFor}). */
async function decodeErrorFor(server: ReferenceServer, client: Client, frame: string | Buffer, text?: boolean) {
  const errors = await decodeErrorsFor(server, client, frame, text);
  expect(errors).toHaveLength(1);
  expect(errors[0]?.code).toBe('ERR_DECODE');
  return errors[0] as DecodeError;
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

const member = '{"event_type":"X","timestamp":"t","data":{}}';

describe('negotiation', () => {
  it('compression, batchSize and batchInterval go on the URL as the source servers name them', async () => {
    const { server } = await connected({ compression: true, batchSize: 50, batchInterval: 5 });
    const url = new URL(server.history[0]?.url ?? '', 'ws://x');
    expect(url.searchParams.get('compression')).toBe('true');
    expect(url.searchParams.get('batch_size')).toBe('50');
    expect(url.searchParams.get('batch_interval')).toBe('5');
  });

  it('gzip batches arrive as binary frames and deliver every event, in order, once', async () => {
    const { server, client } = await connected({ compression: true, batchSize: 50, batchInterval: 5 });
    const seen: number[] = [];
    const done = new Promise<void>((r) => client.on('Tick', (ev) => void (seen.push(ev.seq as number) === 500 && r())));
    for (let i = 0; i < 500; i++) server.publish({ event_type: 'Tick', data: { i } });
    await done;
    expect(seen).toEqual(Array.from({ length: 500 }, (_, i) => i + 1));
    const sent = server.history[0]?.sent;
    expect(sent?.binary).toBe(10); // 500 events in batches of 50
    expect(sent?.text).toBe(1); // the welcome
  });

  it('a batch delivers acks and filters per event, as if each was sent alone', async () => {
    const { server, client } = await connected({ batchSize: 10, batchInterval: 5 });
    const sub = client.subscribe('Job', { filters: { ok: true } });
    await new Promise<void>((r) => sub.on('state', ({ to }) => to === 'active' && r()));
    const got: number[] = [];
    const done = new Promise<void>((r) => sub.on((ev) => void (got.push((ev.data as { i: number }).i) === 5 && r())));
    for (let i = 0; i < 10; i++) {
      server.publish({ event_type: 'Job', data: { i, ok: i % 2 === 0 }, message_id: `j-${i}`, requires_ack: true });
    }
    await done;
    expect(got).toEqual([0, 2, 4, 6, 8]);
    await eventually(() => server.acks.length === 5);
    expect(server.acks.sort()).toEqual(['j-0', 'j-2', 'j-4', 'j-6', 'j-8']);
  });
});

describe('hostile frames: one DecodeError each, and the connection keeps working', () => {
  const gz = (value: unknown) => gzipSync(JSON.stringify(value));

  it('invalid UTF-8, in a binary frame and in a text frame (ws is told not to close the link)', async () => {
    const { server, client } = await connected();
    expect((await decodeErrorFor(server, client, Buffer.from([0x7b, 0xff, 0xfe, 0x7d]))).reason).toBe('invalid_utf8');
    const invalid = Buffer.concat([
      Buffer.from('{"event_type":"X","timestamp":"t","data":"'),
      Buffer.from([0xc3, 0x28]),
      Buffer.from('"}'),
    ]);
    expect((await decodeErrorFor(server, client, invalid, true)).reason).toBe('invalid_utf8');
  });
  it('invalid JSON', async () => {
    const { server, client } = await connected();
    expect((await decodeErrorFor(server, client, '{"event_type": "X",')).reason).toBe('invalid_json');
  });
  it('JSON that is not an object', async () => {
    const { server, client } = await connected();
    for (const frame of ['[1,2]', '42', 'null', '"x"']) {
      expect((await decodeErrorFor(server, client, frame)).reason).toBe('not_object');
    }
  });
  it('an unknown type', async () => {
    const { server, client } = await connected();
    expect((await decodeErrorFor(server, client, '{"type":"frobnicate"}')).reason).toBe('unknown_type');
  });
  it('an event without a name', async () => {
    const { server, client } = await connected();
    const frame = JSON.stringify({ timestamp: '2026-11-22T10:00:00Z', data: {} });
    expect((await decodeErrorFor(server, client, frame)).reason).toBe('no_event_name');
    const empty = JSON.stringify({ event_type: '', timestamp: '2026-11-22T10:00:00Z', data: {} });
    expect((await decodeErrorFor(server, client, empty)).reason).toBe('no_event_name');
  });
  it('truncated gzip', async () => {
    const { server, client } = await connected();
    const frame = gz(event('X', { pad: 'y'.repeat(500) }));
    for (const cut of [8, 30, 60, frame.length - 12]) {
      const reason = (await decodeErrorFor(server, client, frame.subarray(0, frame.length - cut))).reason;
      expect(['bad_gzip', 'bad_trailer']).toContain(reason); // the trailer read is whatever bytes end the cut
    }
  });
  it('corrupt gzip: bad deflate data, and a CRC that does not match', async () => {
    const { server, client } = await connected();
    const frame = gz(event('X', { pad: 'abc'.repeat(300) }));
    const corrupt = Buffer.from(frame);
    corrupt[12] = (corrupt[12] as number) ^ 0xff;
    expect(['bad_gzip', 'bad_crc', 'bad_trailer']).toContain((await decodeErrorFor(server, client, corrupt)).reason);
    const badCrc = Buffer.from(frame);
    badCrc.writeUInt32LE((badCrc.readUInt32LE(badCrc.length - 8) ^ 1) >>> 0, badCrc.length - 8);
    expect((await decodeErrorFor(server, client, badCrc)).reason).toBe('bad_crc');
  });
  it('a forged gzip trailer (declared size too small, too large, or huge)', async () => {
    const { server, client } = await connected();
    const frame = gz(event('X', { pad: 'z'.repeat(2_000) }));
    const real = frame.readUInt32LE(frame.length - 4);
    for (const size of [100, real + 100]) {
      const forged = Buffer.from(frame);
      forged.writeUInt32LE(size, forged.length - 4);
      expect((await decodeErrorFor(server, client, forged)).reason).toBe('bad_trailer');
    }
    const huge = Buffer.from(frame);
    huge.writeUInt32LE(0xffffffff, huge.length - 4); // 4 GB: refused before any allocation
    expect((await decodeErrorFor(server, client, huge)).reason).toBe('bad_trailer');
  });
  it('a frame over the cap, text or inflated, counted in bytes (multibyte text too, as a string too)', async () => {
    const { server, client } = await connected({ maxMessageBytes: 1_000 });
    const big = JSON.stringify(event('X', { pad: 'q'.repeat(2_000) }));
    expect((await decodeErrorFor(server, client, big)).reason).toBe('too_large');
    expect((await decodeErrorFor(server, client, gzipSync(big))).reason).toBe('too_large');
    const euros = JSON.stringify({ event_type: 'X', timestamp: 't', data: '€'.repeat(400) }); // ~450 chars, ~1,250 bytes
    expect(euros.length).toBeLessThan(1_000);
    expect((await decodeErrorFor(server, client, euros)).reason).toBe('too_large');
    const codec = jsonCodec({ maxMessageBytes: 1_000 });
    expect((codec.decode(euros, { text: false, suspect: false }) as DecodeError).reason).toBe('too_large');
  });
  it('deeply nested JSON', async () => {
    const { server, client } = await connected();
    const deep = `{"event_type":"X","timestamp":"t","data":${'['.repeat(100_000)}${']'.repeat(100_000)}}`;
    expect((await decodeErrorFor(server, client, deep)).reason).toBe('too_deep');
    // brackets inside strings do not count
    const stringy = nextEvent(client, 'Stringy');
    server.sendRaw(JSON.stringify(event('Stringy', { text: '['.repeat(1_000) })));
    expect(((await stringy).data as { text: string }).text).toHaveLength(1_000);
  });
  it('__proto__ keys: rejected, and nothing is polluted', async () => {
    const { server, client } = await connected();
    const seen: EventwireEvent[] = [];
    client.on('message', (ev) => void seen.push(ev));
    const frames = [
      '{"event_type":"X","timestamp":"t","data":{"__proto__":{"polluted":true}}}',
      '{"event_type":"X","timestamp":"t","data":{},"metadata":{"__proto__":{"polluted":true}}}',
      '{"__proto__":{"polluted":true},"event_type":"X","timestamp":"t","data":{}}',
      '{"event_type":"X","timestamp":"t","data":{"a":[{"\\u005f_proto__":{"polluted":true}}]}}',
      '{"type":"batch","events":[{"event_type":"X","timestamp":"t","data":{"__proto__":{"polluted":true}}}]}',
    ];
    for (const frame of frames) expect((await decodeErrorFor(server, client, frame)).reason).toBe('forbidden_key');
    expect(seen.map((e) => e.event_type)).toEqual([
      'StillAlive',
      'StillAlive',
      'StillAlive',
      'StillAlive',
      'StillAlive',
    ]);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.prototype).not.toHaveProperty('polluted');
  });
  it('a batch with one bad member still delivers its good members, in order', async () => {
    const { server, client } = await connected();
    const got: string[] = [];
    const errors: unknown[] = [];
    client.on('error', (e) => void errors.push(e));
    const done = new Promise<void>((r) => client.on('message', (ev) => void (got.push(ev.event_type) === 2 && r())));
    server.sendRaw(
      JSON.stringify({ type: 'batch', events: [event('A'), { event_type: 'Bad', data: {} }, event('C')] }),
    );
    await done;
    expect(got).toEqual(['A', 'C']);
    expect(errors).toHaveLength(1);
    expect((errors[0] as DecodeError).reason).toBe('invalid_event');
  });
  it('an event asking for an ack without a message_id is refused (its ack() would have nothing to answer)', async () => {
    const { server, client } = await connected();
    const errors: unknown[] = [];
    client.on('error', (e) => void errors.push(e));
    const got: string[] = [];
    const done = new Promise<void>((r) => client.on('message', (ev) => void (got.push(ev.event_type) && r())));
    server.sendRaw(JSON.stringify({ ...event('NoId'), requires_ack: true }));
    server.sendRaw(JSON.stringify(event('Later')));
    await done;
    expect(got).toEqual(['Later']);
    expect((errors[0] as DecodeError).reason).toBe('invalid_event');
    expect((errors[0] as DecodeError).message).toContain('message_id');
  });
  it('gzip with a second member after the first: Node and browser inflaters give the same verdict', async () => {
    const padded = Buffer.concat([gzipSync(member), gzipSync(member)]);
    const bytes = new Uint8Array(padded);
    expect(
      [zlibInflate(bytes, 1 << 20, true), gunzipCapped(bytes, 1 << 20, true)].map((r) => !(r instanceof Uint8Array)),
    ).toEqual([true, true]);
    const { server, client } = await connected();
    expect((await decodeErrorFor(server, client, padded)).reason).toBe('bad_gzip');
  });

  it('a batch over maxBatchSize is refused whole; bad members are one DecodeError with their count', async () => {
    const { server, client } = await connected({ maxBatchSize: 1_000 });
    // 999,000 members: under maxObjects (1,000,000 objects, arrays and members), over maxBatchSize
    const tooBig = await decodeErrorsFor(server, client, `{"type":"batch","events":[${'1,'.repeat(998_999)}1]}`);
    expect(tooBig.map((e) => [e.reason, e.count])).toEqual([['batch_too_large', 999_000]]);
    const good: string[] = [];
    client.on('X', () => void good.push('X'));
    const bad = await decodeErrorsFor(
      server,
      client,
      `{"type":"batch","events":[${member},${'2,'.repeat(998)}${member}]}`,
    );
    expect(bad.map((e) => [e.reason, e.count])).toEqual([['invalid_batch_members', 998]]);
    expect(good).toEqual(['X', 'X']);
  });

  it('without an error listener, a bad batch prints one line, not one per member', async () => {
    const { server, client } = await connected();
    const printed = vi.spyOn(console, 'error').mockImplementation(() => {});
    try {
      const after = nextEvent(client, 'StillAlive');
      server.sendRaw(`{"type":"batch","events":[${'3,'.repeat(9_999)}3]}`);
      server.sendRaw(JSON.stringify({ event_type: 'StillAlive', timestamp: 't', data: {} }));
      await after;
      expect(printed).toHaveBeenCalledTimes(1);
    } finally {
      printed.mockRestore();
    }
  });

  it('batch members typed ping, welcome or error are refused, not delivered as events', async () => {
    const { server, client } = await connected();
    const seen: string[] = [];
    client.on('message', (ev) => void seen.push(ev.event_type));
    const controls = [
      '{"type":"ping"}',
      '{"type":"welcome","session_id":"x"}',
      '{"type":"error","code":"c","message":"m"}',
    ];
    const errors = await decodeErrorsFor(server, client, `{"type":"batch","events":[${controls.join(',')}]}`);
    expect(errors.map((e) => [e.reason, e.count])).toEqual([['invalid_batch_members', 3]]);
    expect(seen).toEqual(['StillAlive']);
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

describe('a gzip bomb', () => {
  let bomb: Buffer;
  beforeAll(async () => {
    bomb = await gzipBomb(1024); // 1 GiB of zeros
  }, 120_000); // as in gzip.test.ts: measured 6.6 s, 10.7 s with two CPU burners beside

  it('a 16 KB gzip frame inflating to millions of members: one DecodeError, before parsing', async () => {
    const { server, client } = await connected();
    const bomb = gzipSync(`{"type":"batch","events":[${'{},'.repeat(5_000_000)}{}]}`);
    expect(bomb.length).toBeLessThan(64 * 1024);
    const rss = process.memoryUsage().rss;
    let errors: DecodeError[] = [];
    const worst = await blocking(async () => {
      errors = await decodeErrorsFor(server, client, bomb);
    });
    expect(errors.map((e) => e.reason)).toEqual(['too_many_objects']);
    expect(worst).toBeLessThan(2_000); // it was 29.6 s
    expect(process.memoryUsage().rss - rss).toBeLessThan(200 * 2 ** 20);
  });

  it('a 60 KB gzip frame inflating to 8 M array members: too_many_objects before parsing, fast (issue 20)', () => {
    const frame = gzipSync(`{"type":"batch","events":[${'0,'.repeat(8_000_000)}0]}`);
    expect(frame.length).toBeLessThan(64 * 1024);
    const codec = jsonCodec();
    const parse = vi.spyOn(JSON, 'parse');
    try {
      const started = performance.now();
      const result = codec.decode(frame, { text: false, suspect: false });
      expect(performance.now() - started).toBeLessThan(1_000);
      expect(result).toBeInstanceOf(DecodeError);
      expect((result as DecodeError).reason).toBe('too_many_objects');
      expect(parse).not.toHaveBeenCalled();
      // under the cap, and commas inside strings do not count against it
      const members = `{"type":"batch","events":[${'0,'.repeat(999_990)}0]}`;
      expect(codec.decode(members, { text: true, suspect: false })).toMatchObject({ type: 'batch' });
      const commas = JSON.stringify(event('Csv', ','.repeat(2_000_000)));
      expect(codec.decode(commas, { text: true, suspect: false })).toMatchObject({ event_type: 'Csv' });
      expect(
        codec.decode(gzipSync(JSON.stringify(event('A', [1, 2, 3]))), { text: false, suspect: false }),
      ).toMatchObject({
        data: [1, 2, 3],
      });
      // with a smaller cap, object members count too
      expect(
        jsonCodec({ maxObjects: 10 }).decode(
          JSON.stringify({ a: 1, b: 2, c: 3, d: 4, e: 5, f: 6, g: 7, h: 8, i: 9, j: 10, k: 11 }),
          { text: true, suspect: false },
        ),
      ).toMatchObject({ reason: 'too_many_objects' });
    } finally {
      parse.mockRestore();
    }
  });

  it('with an honest trailer (1 GiB declared): refused before inflating', async () => {
    expect(bomb.length).toBeLessThan(1.2 * 1024 * 1024);
    const { server, client } = await connected();
    const err = await decodeErrorFor(server, client, bomb);
    expect(err.reason).toBe('too_large');
  });

  it('with a forged trailer (1 KB declared): inflation stops at the declared size, memory stays bounded, the link keeps working', async () => {
    const forged = Buffer.from(bomb);
    forged.writeUInt32LE(1_000, forged.length - 4);
    const { server, client } = await connected();
    const before = process.memoryUsage().rss;
    let peak = before;
    const sampler = setInterval(() => {
      peak = Math.max(peak, process.memoryUsage().rss);
    }, 2);
    const started = performance.now();
    const err = await decodeErrorFor(server, client, forged);
    clearInterval(sampler);
    peak = Math.max(peak, process.memoryUsage().rss);
    expect(err.reason).toBe('bad_trailer'); // the output passed what the trailer declared
    expect(err.held).toBeGreaterThan(0);
    expect(err.held).toBeLessThanOrEqual(1_000); // inflated bytes held never exceed the declared size
    expect(peak - before).toBeLessThan(200 * 1024 * 1024); // far from the 1 GiB it would inflate to
    expect(performance.now() - started).toBeLessThan(5_000); // it stopped early, it did not inflate 1 GiB
  }, 60_000);
});
