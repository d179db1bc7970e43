/**
 * The testing kit's own calls given a newcomer's mistakes: an `OptionsError` at the call (a
 * promise's, rejected), never a misspelled option ignored, an event no client can read, a wait
 * that fires at once or never settles, or ws's TypeError.
 */
import { connect } from 'node:net';
import { describe, expect, it } from 'vitest';
import { createClient, isOptionsError, OptionsError } from '../../src/index.js';
import { createTestServer, type TestServerOptions } from '../../src/testing/index.js';
import { track } from '../cleanup.js';
import { nextEvent, thrown } from '../helpers.js';

const serve = async (options?: TestServerOptions) => {
  const server = await createTestServer(options);
  track({ close: () => server.stop() });
  return server;
};
const messageOf = (error: unknown) => isOptionsError(error) && error.message;

describe('createTestServer options', () => {
  it('an unknown key, a token that is not a non-empty string, options that are not an object', async () => {
    for (const [options, message] of [
      // was: a server of the default dialect, the misspelled one ignored
      [{ dialekt: 'querri' }, 'unknown option: dialekt (did you mean dialect?)'],
      [{ token: 5 }, 'token must be a non-empty string, got 5'],
      ['querri', 'createTestServer options must be an object, got "querri"'],
    ] as const) {
      expect(messageOf(await createTestServer(options as never).catch((e) => e))).toBe(message);
    }
  });
});

describe("a test server's calls", () => {
  it('publish: a name that is not one, a misspelled or bad messageId, refused; without data, an event clients read', async () => {
    const server = await serve();
    const client = track(createClient({ url: server.url, token: server.token, signals: false }));
    const errors: unknown[] = [];
    client.on('error', (e) => errors.push(e));
    const sub = client.subscribe('X');
    await sub.ready();
    for (const [args, message] of [
      [[5], 'the event name must be a non-empty string, got 5'],
      [['X', {}, { mesageId: 'm' }], 'unknown publish option: mesageId (did you mean messageId?)'],
      [['X', {}, { messageId: 5 }], 'messageId must be a non-empty string, got 5'],
    ] as const) {
      expect(() => server.publish(...(args as unknown as [string]))).toThrow(new OptionsError(message));
    }
    const event = nextEvent(client, 'X');
    server.publish('X'); // was: an event with no data, a DecodeError on the client
    expect((await event).data).toEqual({});
    expect(errors).toEqual([]);
  });

  it('nextMessage and connected: a match that is not a function, a timeout that is not a number > 0, reject at once', async () => {
    const server = await serve();
    for (const [wait, message] of [
      // was: no rejection for 5 s, then a TypeError thrown at the next message
      [() => server.nextMessage('subscribe' as never), 'match must be a function, got "subscribe"'],
      // was: a timer that fired at once
      [() => server.nextMessage(undefined, { timeout: '50' as never }), 'timeout must be a number > 0, got "50"'],
      [
        () => server.nextMessage(undefined, { timout: 50 } as never),
        'unknown nextMessage option: timout (did you mean timeout?)',
      ],
      [() => server.nextMessage(undefined, { from: -1 }), 'from must be an integer >= 0, got -1'],
      // was: never settled
      [() => server.connected('2' as never), 'count must be an integer >= 1, got "2"'],
    ] as const) {
      expect(messageOf(await wait().catch((e) => e))).toBe(message);
    }
  });

  it('nextMessage with timeout Infinity waits (it fired at once)', async () => {
    const server = await serve();
    const next = server.nextMessage(undefined, { timeout: Infinity });
    const client = track(createClient({ url: server.url, token: server.token, signals: false }));
    client.subscribe('X');
    expect(await next).toMatchObject({ type: 'subscribe' });
  });

  it('close: a code or reason no close frame carries, refused whether or not a client is connected', async () => {
    const server = await serve();
    const rule = '1000-1003, 1006 (a reset), 1007-1014 or 3000-4999';
    expect(() => server.close(999)).toThrow(new OptionsError('code', rule, 999)); // was: nothing, with no client
    const client = track(createClient({ url: server.url, token: server.token, signals: false }));
    await client.ready();
    expect(() => server.close(1005)).toThrow(new OptionsError('code', rule, 1005)); // was: ws's TypeError
    expect(() => server.close(4000, 'é'.repeat(62))).toThrow(/^reason must be a string of at most 123 UTF-8 bytes/);
    expect(client.state).toBe('open');
  });
});

describe('chaos() and publish() through JSON', () => {
  it('chaos(): a seed, everyMs, maxOutageMs or faults it cannot use, an OptionsError naming it (was a TypeError or RangeError)', async () => {
    const server = await serve();
    for (const [options, message] of [
      [{}, 'seed must be a finite number (the same seed, the same faults), got undefined'],
      [{ seed: 1, everyMs: 0 }, 'everyMs must be a number > 0, got 0'],
      [{ seed: 1, maxOutageMs: -1 }, 'maxOutageMs must be a number >= 0, got -1'],
      [{ seed: 1, faults: ['rst', 'nuke'] }, /^unknown chaos faults: "rst", "nuke"; the faults are drop, fin, /],
    ] as const) {
      // refused before any fault is drawn (one that started would stop with the server)
      expect(messageOf(thrown(() => server.chaos(options as never)))).toMatch(message);
    }
  });

  it('publish options null (undefined, once it has been through JSON: the remote kit) are absent', async () => {
    const server = await serve();
    const client = track(createClient({ url: server.url, token: server.token, signals: false }));
    const got = nextEvent(client, 'X');
    await client.subscribe('X').ready();
    server.publish('X', { n: 1 }, null as never);
    expect(await got).toMatchObject({ event_type: 'X', data: { n: 1 } });
  });
});

describe('stop() during a restart()', () => {
  /** Whether anything accepts a TCP connection on the server's port. */
  const listening = (url: string) =>
    new Promise<boolean>((resolve) => {
      const socket = connect(Number(new URL(url).port), '127.0.0.1');
      socket.once('connect', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });

  it('stop() ends its downtime (whose timer kept the process alive for downMs) and waits for it: nothing listens after', async () => {
    // stop() called at several of the restart's steps (after 0 to 5 turns of the event loop)
    const cases = [0, 1, 2, 3, 4, 5].flatMap((turns) => [0, 60_000].map((downMs) => ({ downMs, turns })));
    for (const { downMs, turns } of cases) {
      const server = await createTestServer();
      expect(await listening(server.url)).toBe(true); // the probe sees a listening port
      const restart = Promise.all([server.restart({ downMs }), server.restart({ downMs })]); // two at once too
      for (let i = 0; i < turns; i++) await new Promise((r) => setImmediate(r));
      const started = performance.now();
      await server.stop();
      await restart;
      expect(performance.now() - started).toBeLessThan(5_000); // a downtime of a minute ends at stop()
      expect([turns, await listening(server.url)]).toEqual([turns, false]);
    }
  });
});
