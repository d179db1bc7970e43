import { gzipSync } from 'node:zlib';
import { beforeAll, describe, expect, it } from 'vitest';
import { createClient, type DecodeError, type EventwireEvent, isDecodeError, isHandlerError } from '../src/index.js';
import { track } from './cleanup.js';
import { gzipBomb } from './fixtures/gzip-bomb.js';
import { type ReferenceServer, startServer } from './fixtures/server.js';
import { eventually, next, nextEvent, reach } from './helpers.js';

const event = (name: string, data: unknown = {}) => ({ event_type: name, timestamp: '2026-11-22T10:00:00Z', data });

async function connected(options: Parameters<typeof createClient>[0] extends infer O ? Partial<O> : never = {}) {
  const server = track(await startServer());
  const client = track(createClient({ url: server.url, signals: false, ...options }));
  await reach(client, 'open');
  return { server, client };
}

/** Sends `frame`; resolves with the DecodeError it causes, after checking the link still delivers events. */
async function decodeErrorFor(
  server: ReferenceServer,
  client: ReturnType<typeof createClient>,
  frame: string | Buffer,
) {
  const error = next(client, 'error');
  server.sendRaw(frame);
  const err = (await error) as DecodeError;
  expect(isDecodeError(err)).toBe(true);
  expect(err.code).toBe('ERR_DECODE');
  const after = nextEvent(client, 'StillAlive');
  server.sendRaw(JSON.stringify(event('StillAlive')));
  expect((await after).event_type).toBe('StillAlive'); // the connection keeps working
  expect(client.state).toBe('open');
  return err;
}

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

describe('hostile input: a DecodeError each, and the connection keeps working', () => {
  const gz = (value: unknown) => gzipSync(JSON.stringify(value));

  it('invalid UTF-8', async () => {
    const { server, client } = await connected();
    expect((await decodeErrorFor(server, client, Buffer.from([0x7b, 0xff, 0xfe, 0x7d]))).reason).toBe('invalid_utf8');
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
  it('a frame over the cap, text or inflated', async () => {
    const { server, client } = await connected({ maxMessageBytes: 1_000 });
    const big = JSON.stringify(event('X', { pad: 'q'.repeat(2_000) }));
    expect((await decodeErrorFor(server, client, big)).reason).toBe('too_large');
    expect((await decodeErrorFor(server, client, gzipSync(big))).reason).toBe('too_large');
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
  it('a throwing handler stops neither the other handlers nor the socket loop', async () => {
    const { server, client } = await connected();
    const errors: unknown[] = [];
    client.on('error', (e) => void errors.push(e));
    client.on('X', () => {
      throw new Error('handler bug');
    });
    const got: number[] = [];
    const done = new Promise<void>((r) =>
      client.on('X', (ev) => void (got.push((ev.data as { i: number }).i) === 3 && r())),
    );
    server.sendRaw(
      JSON.stringify({ type: 'batch', events: [event('X', { i: 1 }), event('X', { i: 2 }), event('X', { i: 3 })] }),
    );
    await done;
    expect(got).toEqual([1, 2, 3]);
    expect(errors.filter(isHandlerError)).toHaveLength(3);
  });
});

describe('a gzip bomb', () => {
  let bomb: Buffer;
  beforeAll(async () => {
    bomb = await gzipBomb(1024); // 1 GiB of zeros
  }, 60_000);

  it('with an honest trailer (1 GiB declared): refused before inflating', async () => {
    expect(bomb.length).toBeLessThan(1.2 * 1024 * 1024);
    const { server, client } = await connected();
    const err = await decodeErrorFor(server, client, bomb);
    expect(err.reason).toBe('too_large');
  });

  it('with a forged trailer (1 KB declared): inflation stops at the cap, memory stays bounded, the link keeps working', async () => {
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
    expect(err.reason).toBe('too_large');
    expect(err.held).toBeGreaterThan(0);
    expect(err.held).toBeLessThanOrEqual(16 * 1024 * 1024); // inflated bytes held never exceed the cap
    expect(peak - before).toBeLessThan(200 * 1024 * 1024); // far from the 1 GiB it would inflate to
    expect(performance.now() - started).toBeLessThan(5_000); // it stopped early, it did not inflate 1 GiB
  }, 60_000);
});
