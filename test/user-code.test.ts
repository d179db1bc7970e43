/** Code of yours that throws (a handler, a validator, a hook, a codec, a dialect): reported, and the client goes on. */
import { describe, expect, it } from 'vitest';
import { eventwire } from '../src/dialects/index.js';
import {
  createClient,
  type DecodeError,
  isDecodeError,
  isEncodeError,
  isHandlerError,
  isHookError,
  isValidationError,
  jsonCodec,
} from '../src/index.js';
import { createTestServer } from '../src/testing/index.js';
import { track } from './cleanup.js';
import { startServer } from './fixtures/server.js';
import { next, nextEvent, reach, thrown } from './helpers.js';

const event = (name: string, data: unknown = {}) => ({ event_type: name, timestamp: '2026-11-22T10:00:00Z', data });

async function connected(options: Partial<Parameters<typeof createClient>[0]> = {}) {
  const server = track(await startServer());
  const client = track(createClient({ url: server.url, signals: false, ...options }));
  await reach(client, 'open');
  return { server, client };
}

describe('code of yours that throws: reported, and the client goes on', () => {
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

  it('a validator, shouldRetry, a codec and a dialect hook that throw are reported; the client goes on', async () => {
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
    expect(errors.some((e) => isHookError(e) && e.hook === 'shouldRetry')).toBe(true);

    const json = jsonCodec();
    // It reads the greeting (open waits for it) and throws on the next frame.
    const codec = {
      ...json,
      decode: (d: Parameters<typeof json.decode>[0], f: Parameters<typeof json.decode>[1]) =>
        String(d).includes('boom') ? boom() : json.decode(d, f),
    };
    const withCodec = track(createClient({ url: server.url, signals: false, codec }));
    const codecError = next(withCodec, 'error', isDecodeError);
    await reach(withCodec, 'open');
    server.sendRaw('{"boom":1}');
    expect(((await codecError) as DecodeError).reason).toBe('codec_failed');
    expect(withCodec.state).toBe('open');

    const dialect = { ...eventwire(), name: 'buggy', subscribe: boom };
    const withDialect = track(createClient({ url: server.url, signals: false, dialect }));
    const hookError = next(withDialect, 'error', isHookError);
    const sub = withDialect.subscribe('Tick');
    expect(await hookError).toMatchObject({ hook: 'subscribe', dialect: 'buggy' });
    await reach(withDialect, 'open');
    expect(sub.state).toBe('active'); // with no subscribe message, it is local
  });
});

describe('what cannot go on the wire: an EncodeError at the call, nothing sent, the client goes on', () => {
  it('send() throws it for a BigInt, a cycle, a string (its JSON) or nothing; request() rejects with it', async () => {
    const server = await createTestServer();
    track({ close: () => server.stop() });
    const client = track(createClient({ url: server.url, token: server.token, signals: false }));
    client.on('error', () => {}); // the server's answer to the vote, an unknown message, is a ServerError
    await reach(client, 'open');
    const cycle: Record<string, unknown> = {};
    cycle.self = cycle;
    const refused: Array<[unknown, RegExp]> = [
      [{ type: 'vote', count: 1n }, /^the message could not be encoded: .*BigInt/],
      [cycle, /^the message could not be encoded: .*circular/],
      [
        JSON.stringify({ type: 'vote' }),
        /^send\(\) takes a message object, got a string \(its JSON\? pass the message object itself\)$/,
      ],
      [undefined, /^send\(\) takes a message object, got nothing$/],
      [() => ({}), /^send\(\) takes a message object, got a function$/],
    ];
    for (const [message, said] of refused) {
      const error = thrown(() => client.send(message as object));
      expect(isEncodeError(error) && error.message).toMatch(said);
    }
    const request = client.request('echo', { n: 1n }); // a promise that rejects: not a throw at the call
    await expect(request).rejects.toSatisfy(isEncodeError);
    // nothing of them reached the server; what follows does, and the link stayed up
    const vote = server.nextMessage((m) => (m as { type?: string }).type === 'vote', { from: 0 });
    expect(client.send({ type: 'vote', count: 1 })).toBe('sent');
    expect(await vote).toEqual({ type: 'vote', count: 1 });
    expect(server.received.filter((m) => (m as { type?: string }).type === 'vote')).toHaveLength(1);
    expect(server.received.some((m) => JSON.stringify(m).includes('echo'))).toBe(false);
    expect(client.state).toBe('open');
  });

  it('a codec whose encode gives no frame (JSON.stringify of a function: undefined): the EncodeError says what it gave', async () => {
    const json = jsonCodec();
    const codec = { ...json, encode: (m: object) => ('skip' in m ? (undefined as unknown as string) : json.encode(m)) };
    const { client } = await connected({ codec });
    expect(() => client.send({ skip: true })).toThrow(/^the codec gave nothing to send, not a frame$/);
    expect(client.send({ type: 'ok' })).toBe('sent');
  });
});
