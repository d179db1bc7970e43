/**
 * Messages as a browser production bundle has them (`#words` is false there: src/errors/words-terse.ts):
 * the frames the reader and the codec refuse, the filters subscribe() refuses and an iterator's overflow
 * each keep their class, their `code` and every fact (the value got, the names, the limits), without the
 * sentences around them. Node's full messages are held by frames.test.ts, filters.test.ts and the others.
 */
import { describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import {
  type Client,
  createClient,
  type DecodeError,
  FilterError,
  isDecodeError,
  isQueueFullError,
} from '../src/index.js';
import { track } from './cleanup.js';
import { type ReferenceServer, startServer } from './fixtures/server.js';
import { nextEvent, reach } from './helpers.js';

vi.mock('#words', () => ({ words: false }));

const event = (name: string, data: unknown = {}) => ({ event_type: name, timestamp: '2026-11-22T10:00:00Z', data });

async function connected(options: { maxBatchSize?: number; maxMessageBytes?: number } = {}) {
  const server = track(await startServer());
  const client = track(createClient({ url: server.url, signals: false, ...options }));
  await reach(client, 'open');
  return { server, client };
}

/**
 * Sends `frame` from the server, then a good event; resolves with the one DecodeError the frame caused (one
 * the reader refused is named after the dialect: `eventwire: …`).
 */
async function refusal(server: ReferenceServer, client: Client, frame: string): Promise<DecodeError> {
  const errors: unknown[] = [];
  const off = client.on('error', (e) => void errors.push(e));
  const after = nextEvent(client, 'StillAlive');
  server.sendRaw(frame);
  server.sendRaw(JSON.stringify(event('StillAlive')));
  await after;
  off();
  expect(errors).toHaveLength(1);
  expect(isDecodeError(errors[0])).toBe(true);
  expect(errors[0]).toMatchObject({ name: 'DecodeError', code: 'ERR_DECODE' });
  return errors[0] as DecodeError;
}

describe('terse messages (#words false): the facts without the explanations', () => {
  it("protocol v1's reader: what it got, the field and the type, over a real socket", async () => {
    const { server, client } = await connected();
    const array = await refusal(server, client, '[1, 2]');
    expect(array).toMatchObject({ reason: 'not_object', message: 'eventwire: message: an array' });
    const welcome = await refusal(server, client, '{"type":"welcome","heartbeat_interval":-1,"session_id":"s"}');
    expect(welcome).toMatchObject({
      reason: 'invalid_message',
      message: 'eventwire: welcome: heartbeat_interval: number > 0',
    });
    const sent = await refusal(server, client, '{"type":"subscribe","id":"x"}');
    expect(sent.message).toBe('eventwire: subscribe: client-to-server');
    const seq = await refusal(server, client, JSON.stringify({ ...event('X'), seq: -1 }));
    expect(seq).toMatchObject({ reason: 'invalid_event', message: 'eventwire: seq: integer >= 0' });
    const id = 'm'.repeat(300);
    const long = await refusal(server, client, JSON.stringify({ ...event('X'), requires_ack: true, message_id: id }));
    expect(long.message).toBe('eventwire: message_id over 256 bytes');
    for (const e of [array, welcome, sent, seq, long]) expect(e.message).not.toMatch(/must be|is a client-to/);
  });

  it('batches: the sizes and the limit, the count of bad members and the first one', async () => {
    const { server, client } = await connected({ maxBatchSize: 2 });
    const over = await refusal(server, client, JSON.stringify({ type: 'batch', events: [{}, {}, {}] }));
    expect(over).toMatchObject({
      reason: 'batch_too_large',
      count: 3,
      message: 'eventwire: batch of 3 > maxBatchSize (2)',
    });
    const members = [{ type: 'ping' }, 7];
    const bad = await refusal(server, client, JSON.stringify({ type: 'batch', events: members }));
    expect(bad).toMatchObject({
      reason: 'invalid_batch_members',
      count: 2,
      message: 'eventwire: 2 of 2 dropped; first: "ping" in a batch',
    });
    const one = await refusal(server, client, JSON.stringify({ type: 'batch', events: [7] }));
    expect(one).toMatchObject({ reason: 'not_object', message: 'eventwire: event: a number' });
  });

  it("the JSON codec: the cap and the option that sets it, the parser's own words", async () => {
    const { server, client } = await connected({ maxMessageBytes: 1_000 });
    const big = await refusal(server, client, JSON.stringify(event('X', { pad: 'q'.repeat(2_000) })));
    expect(big.reason).toBe('too_large');
    // ws hands the text frame over as bytes: counted, and the count said
    expect(big.message).toMatch(/^text frame of 2\d{3} bytes > maxMessageBytes \(1000\)$/);
    const broken = await refusal(server, client, '{"event_type": "X",');
    expect(broken.reason).toBe('invalid_json');
    expect(broken.message).toMatch(/^JSON: \S/); // JSON.parse's message follows
    expect(broken.message).not.toContain('not valid JSON');
    const deep = await refusal(
      server,
      client,
      `{"event_type":"X","timestamp":"t","data":${'['.repeat(100)}${']'.repeat(100)}}`,
    );
    expect(deep).toMatchObject({ reason: 'too_deep', message: 'deeper than maxDepth (64)' });
  });

  it('subscribe() filters: the key, the value got, the events and the nearest field', () => {
    const events = { LogEntry: z.object({ level: z.string() }) };
    const client = track(createClient({ url: 'ws://127.0.0.1:1', events, lazy: true, signals: false }));
    const untyped = client as unknown as { subscribe(n: string, o: unknown): unknown };
    const thrown = (filters: unknown): FilterError => {
      try {
        untyped.subscribe('LogEntry', { filters });
      } catch (error) {
        expect(error).toBeInstanceOf(FilterError);
        expect(error).toMatchObject({ name: 'FilterError', code: 'ERR_FILTER' });
        return error as FilterError;
      }
      throw new Error('not refused');
    };
    expect(thrown({ level: [] }).message).toBe('filter key "level": [] matches nothing');
    expect(thrown({ level: {} }).message).toBe('filter key "level": scalar or 1 to 256 scalars');
    expect(thrown({ levle: 'ERROR' }).message).toBe('filter key "levle" not in LogEntry ("level"?)');
    expect(thrown({ since: -1 }).message).toBe('filter key "since": seq: integer >= 0');
    expect(thrown('level').message).toBe('filters: not an object');
    expect(client.stats().subscriptions).toBe(0);
  });

  it('an asynchronous schema: the event, its seq and "async schema"', async () => {
    const server = track(await startServer());
    const slow = {
      '~standard': { version: 1 as const, vendor: 'test', validate: (value: unknown) => Promise.resolve({ value }) },
    };
    const client = track(createClient({ url: server.url, events: { Slow: slow }, signals: false }));
    await reach(client, 'open');
    client.on('Slow', () => {});
    const error = new Promise<unknown>((resolve) => client.on('error', resolve));
    server.publish(event('Slow'));
    expect(await error).toMatchObject({
      code: 'ERR_VALIDATION',
      message: 'event Slow (seq 1) failed its schema: async schema',
    });
  });

  it("an iterator's overflow: the subscription and its buffer size", async () => {
    const server = track(await startServer());
    const client = track(createClient({ url: server.url, signals: false }));
    const reported: unknown[] = [];
    client.on('error', (e) => void reported.push(e));
    const sub = client.subscribe('Tick', { bufferSize: 1 });
    const iterator = sub[Symbol.asyncIterator]();
    await sub.ready();
    const last = new Promise<void>((r) => client.on('Tick', (ev) => ev.seq === 2 && r()));
    for (let i = 0; i < 2; i++) server.publish({ event_type: 'Tick', data: { i } });
    await last;
    await iterator.next();
    const error = await iterator.next().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(isQueueFullError(error)).toBe(true);
    expect(reported).toEqual([error]);
    expect(error).toMatchObject({
      code: 'ERR_QUEUE_FULL',
      message: `subscription ${sub.id} iterator is full (1 entry)`,
    });
  });
});
