/**
 * The inbox keeps frames in order behind one that is decoded asynchronously (gzip in browsers,
 * inflated by DecompressionStream; here a codec whose gzip frames wait until the test lets them
 * go), bounds what waits behind it, and reads nothing of an old socket once the link is down.
 * A real server on 127.0.0.1 sends the frames.
 */
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { jsonCodec } from '../src/codec/json.js';
import { type Codec, createClient, type DecodeError, type EventwireEvent, isDecodeError } from '../src/index.js';
import { track } from './cleanup.js';
import { startServer } from './fixtures/server.js';
import { eventually, next, reach } from './helpers.js';

const frame = (name: string, data: unknown = {}) =>
  JSON.stringify({ event_type: name, timestamp: '2026-11-22T10:00:00Z', data });

/** The JSON codec, but each gzip frame is decoded only when the test lets it go (`release`), or fails (`fail`). */
function heldCodec() {
  const json = jsonCodec();
  const held: Array<{ go: () => void; fail: (cause: unknown) => void }> = [];
  const codec: Codec = {
    encode: json.encode,
    decode(input, flags) {
      if (typeof input === 'string' || flags.text) return json.decode(input, flags);
      return new Promise((resolve, reject) =>
        held.push({ go: () => resolve(json.decode(input, flags)), fail: reject }),
      );
    },
  };
  return { codec, held };
}

async function connected(codec: Codec, maxMessageBytes?: number) {
  const server = track(await startServer());
  const received: string[] = [];
  const client = track(
    createClient({
      url: server.url,
      signals: false,
      codec,
      ...(maxMessageBytes && { maxMessageBytes }),
      logLevel: 'debug',
      logger: (_level, line) => line.includes('recv ') && received.push(line),
    }),
  );
  const events: string[] = [];
  const errors: DecodeError[] = [];
  client.on('message', (event: EventwireEvent) => void events.push(event.event_type));
  client.on('error', (e) => {
    if (isDecodeError(e)) errors.push(e);
  });
  /** Once open: the answer to the subscription that `on('message')` makes has come. */
  const subscribed = async () => {
    const before = received.length;
    await eventually(() => received.length > before);
  };
  await reach(client, 'open');
  await subscribed();
  /** Whether a frame of `frame`'s size has arrived (the frames sent before it, on the same socket, too). */
  const arrived = (frame: string) => received.some((line) => line.endsWith(` ${Buffer.byteLength(frame)} bytes`));
  return { server, client, events, errors, arrived, subscribed };
}

describe('frames behind one decoded asynchronously', () => {
  it('wait their turn: events come in the order of their frames, text and gzip mixed', async () => {
    const { codec, held } = heldCodec();
    const { server, events, arrived } = await connected(codec);
    const last = frame('D', 'the last frame, of a size of its own');
    server.sendRaw(gzipSync(frame('A')));
    server.sendRaw(frame('B'));
    server.sendRaw(gzipSync(frame('C')));
    server.sendRaw(last);
    await eventually(() => arrived(last) && held.length === 1);
    expect(events).toEqual([]); // B has arrived, and waits behind A
    held[0]?.go();
    await eventually(() => held.length === 2);
    expect(events).toEqual(['A', 'B']); // D waits behind C
    held[1]?.go();
    await eventually(() => events.length === 4);
    expect(events).toEqual(['A', 'B', 'C', 'D']);
  });

  it('a decode that fails is a DecodeError (codec_failed) in its place, and the frames behind it go on', async () => {
    const { codec, held } = heldCodec();
    const { server, events, errors } = await connected(codec);
    server.sendRaw(gzipSync(frame('A')));
    server.sendRaw(frame('B'));
    await eventually(() => held.length === 1);
    held[0]?.fail(new Error('inflater gone'));
    await eventually(() => events.length === 1);
    expect(events).toEqual(['B']);
    expect(errors.map((e) => e.reason)).toEqual(['codec_failed']);
    expect(errors[0]?.message).toContain('inflater gone');
  });

  it('are bounded: past 1,024 frames, each one more is a DecodeError (backlog_full); the rest keep their order', async () => {
    const { codec, held } = heldCodec();
    const { server, events, errors, arrived } = await connected(codec);
    const last = frame('last', 'of a size of its own');
    server.sendRaw(gzipSync(frame('first')));
    for (let i = 0; i < 1_030; i++) server.sendRaw(frame(`E${i}`));
    server.sendRaw(last);
    await eventually(() => arrived(last));
    expect(errors.map((e) => e.reason)).toEqual(Array(7).fill('backlog_full'));
    expect(errors[0]?.message).toContain('1024 frames');
    held[0]?.go();
    await eventually(() => events.length === 1_025);
    expect(events).toEqual(['first', ...Array.from({ length: 1_024 }, (_, i) => `E${i}`)]);
  });

  it('are bounded in bytes: twice maxMessageBytes and 64 KiB', async () => {
    const { codec, held } = heldCodec();
    const { server, events, errors, arrived } = await connected(codec, 100_000);
    server.sendRaw(gzipSync(frame('first')));
    const big = frame('big', 'x'.repeat(90_000));
    const last = frame('big', 'x'.repeat(90_001));
    for (const f of [big, big, last]) server.sendRaw(f); // 270 KB: the third is past 264 KiB
    await eventually(() => arrived(last));
    expect(errors.map((e) => e.reason)).toEqual(['backlog_full']);
    held[0]?.go();
    await eventually(() => events.length === 3);
    expect(events).toEqual(['first', 'big', 'big']);
  });

  it("are an old socket's, and dropped, once the link goes down: nothing of it is read after the reconnect", async () => {
    const { codec, held } = heldCodec();
    const { server, client, events, errors, arrived, subscribed } = await connected(codec);
    const last = frame('old-text', 'of a size of its own');
    server.sendRaw(gzipSync(frame('old-gzip')));
    server.sendRaw(last);
    await eventually(() => arrived(last) && held.length === 1);
    const reconnected = next(client, 'open');
    server.dropAll(1012, 'restart');
    await reconnected;
    await subscribed();
    held[0]?.go(); // the old socket's gzip frame is decoded now: it is dropped, with the text frame behind it
    server.sendRaw(frame('new'));
    await eventually(() => events.length > 0);
    expect(events).toEqual(['new']);
    expect(errors).toEqual([]);
  });
});
