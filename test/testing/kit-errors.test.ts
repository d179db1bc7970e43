/**
 * The testing kit's errors are eventwire's, each with its stable `code` (README's promise): a wait
 * that runs out is a `TimeoutError`, a call on a stopped server a `ClosedError` (it did nothing,
 * without a word), a mistake an `OptionsError` saying what is wrong (it was a TypeError or an
 * Error, or nothing), data JSON cannot hold an `EncodeError` whether or not a client listens.
 */
import { describe, expect, it } from 'vitest';
import { createClient, isClosedError, isEncodeError, isOptionsError, isTimeoutError } from '../../src/index.js';
import { createTestServer, type TestServerOptions } from '../../src/testing/index.js';
import { track } from '../cleanup.js';
import { thrown } from '../helpers.js';

const serve = async (options?: TestServerOptions) => {
  const server = await createTestServer(options);
  track({ close: () => server.stop() });
  return server;
};
/** The message of `error` when `guard` recognises it; else what it is instead. */
const said = (guard: (e: unknown) => boolean, error: unknown) =>
  guard(error) ? (error as Error).message : `not that class: ${String(error)}`;
const FAULTS = 'drop, fin, close, blackhole, latency, slice, throttle, heal, restart';

describe('waits that run out of time are TimeoutErrors', () => {
  it('nextMessage and connected, with what there is (were plain Errors)', async () => {
    const server = await serve();
    expect(said(isTimeoutError, await server.nextMessage(undefined, { timeout: 20 }).catch((e) => e))).toBe(
      'nextMessage(): no matching client message within 20 ms (clients sent 0 messages in all: see received)',
    );
    expect(said(isTimeoutError, await server.connected(2, { timeout: 20 }).catch((e) => e))).toBe(
      'connected(): fewer than 2 clients within 20 ms (0 connected)',
    );
  });
});

describe('a stopped test server: every call is a ClosedError', () => {
  it('waits pending at stop() reject with it (were plain Errors)', async () => {
    const server = await createTestServer();
    const message = server.nextMessage();
    const connected = server.connected(1);
    await server.stop();
    const [m, c] = await Promise.all([message.catch((e) => e), connected.catch((e) => e)]);
    expect(said(isClosedError, m)).toBe(
      'the test server is stopped: nextMessage() was still waiting when stop() was called',
    );
    expect(said(isClosedError, c)).toBe(
      'the test server is stopped: connected() was still waiting when stop() was called',
    );
  });

  it('publish, drop, close, blackhole, refuse, accept, gap, chaos throw; restart, nextMessage, connected reject (they did nothing, or waited for the timeout)', async () => {
    const server = await createTestServer();
    await server.stop();
    const afterStop = (call: string) =>
      `the test server is stopped: ${call}() cannot run after stop() (start another with createTestServer())`;
    const calls: Array<[string, () => unknown]> = [
      ['publish', () => server.publish('Tick', { n: 1 })],
      ['drop', () => server.drop()],
      ['close', () => server.close(1000)],
      ['blackhole', () => server.blackhole(10)],
      ['refuse', () => server.refuse(503)],
      ['accept', () => server.accept()],
      ['gap', () => server.gap?.(1)],
      ['chaos', () => server.chaos({ seed: 1 })],
    ];
    for (const [call, run] of calls) expect(said(isClosedError, thrown(run)), call).toBe(afterStop(call));
    const waits: Array<[string, () => Promise<unknown>]> = [
      ['restart', () => server.restart()],
      ['nextMessage', () => server.nextMessage(undefined, { from: 0 })],
      ['connected', () => server.connected(1, { timeout: 20 })],
    ];
    for (const [call, run] of waits)
      expect(said(isClosedError, await run().catch((e) => e)), call).toBe(afterStop(call));
    await server.stop(); // a second stop() stays quiet
  });
});

describe('publish: a server without acks, provisioning data, data JSON cannot hold', () => {
  it.each(['mdb', 'forge', 'buster', 'provisioning'] as const)(
    '%s: a messageId is an OptionsError (was a TypeError)',
    async (dialect) => {
      const server = await serve({ dialect });
      expect(
        said(
          isOptionsError,
          thrown(() => server.publish('Tick', {}, { messageId: 'm-1' })),
        ),
      ).toBe(
        `publish(): messageId asks for an ack, and the ${dialect} server takes none (the eventwire and querri servers do): publish without messageId`,
      );
    },
  );

  it('provisioning: data that is not an object is an OptionsError (was a TypeError)', async () => {
    const server = await serve({ dialect: 'provisioning' });
    for (const [data, got] of [
      ['text', 'a string'],
      [[1], 'an array'],
      [null, 'null'],
    ] as const) {
      expect(
        said(
          isOptionsError,
          thrown(() => server.publish('Tick', data)),
        ),
      ).toBe(`publish(): a provisioning event's data is an object (the server sends its fields), got ${got}`);
    }
  });

  it('data JSON cannot hold is an EncodeError with no client connected too (was JSON’s TypeError with one, nothing without)', async () => {
    const server = await serve();
    const cycle: Record<string, unknown> = {};
    cycle.self = cycle;
    expect(
      said(
        isEncodeError,
        thrown(() => server.publish('Tick', { n: 1n })),
      ),
    ).toBe("publish(): the event's data cannot be sent as JSON: Do not know how to serialize a BigInt");
    expect(
      said(
        isEncodeError,
        thrown(() => server.publish('Tick', cycle)),
      ),
    ).toMatch(/^publish\(\): the event's data cannot be sent as JSON: Converting circular structure to JSON/);
    // a function became an event without data, which the client refused with a DecodeError
    expect(
      said(
        isEncodeError,
        thrown(() => server.publish('Tick', () => 1)),
      ),
    ).toBe("publish(): the event's data cannot be sent as JSON: it is a function");
  });
});

describe('refuse, gap, restart: what they are given', () => {
  it('refuse(status): a status that refuses no upgrade (101, 200, 99, 600, 2.5) is an OptionsError (101 and 200 were taken)', async () => {
    const server = await serve();
    const rule = 'an HTTP status that refuses an upgrade: an integer 300-599 (401, 403, 503...)';
    for (const [status, got] of [
      [101, '101'],
      [200, '200'],
      [99, '99'],
      [600, '600'],
      [2.5, '2.5'],
      ['503', '"503"'],
    ] as const) {
      expect(
        said(
          isOptionsError,
          thrown(() => server.refuse(status as number)),
        ),
      ).toBe(`status must be ${rule}, got ${got}`);
    }
  });

  it('refuse options: an unknown key, a count that is not an integer >= 1, a header no response carries, null (was a TypeError)', async () => {
    const server = await serve();
    for (const [options, message] of [
      [{ cuont: 2 }, 'unknown refuse option: cuont (did you mean count?)'], // was: every upgrade refused for good
      [{ count: 0 }, 'count must be an integer >= 1, got 0'], // was: one refused
      [{ headers: { 'retry-after': 5 } }, 'headers["retry-after"] must be a string, got a number'],
    ] as const) {
      expect(
        said(
          isOptionsError,
          thrown(() => server.refuse(503, options as never)),
        ),
      ).toBe(message);
    }
    expect(
      said(
        isOptionsError,
        thrown(() => server.refuse(503, { headers: { 'x-a': 'a\r\nb' } })),
      ),
    ).toMatch(/x-a/);
    server.refuse(503, null as never); // null, what JSON makes of undefined, is no options
    const client = track(createClient({ url: server.url, token: server.token, signals: false, lazy: true }));
    const refused = new Promise<unknown>((r) => client.on('error', r));
    client.connect();
    expect(String(await refused)).toMatch(/HTTP 503/);
  });

  it('gap(count): a count that is not an integer >= 1 is an OptionsError (a string was added to the seq)', async () => {
    const server = await serve();
    for (const [count, got] of [
      ['2', '"2"'],
      [0, '0'],
      [-1, '-1'],
    ] as const) {
      expect(
        said(
          isOptionsError,
          thrown(() => server.gap?.(count as number)),
        ),
      ).toBe(`count must be an integer >= 1, got ${got}`);
    }
  });

  it('restart: an unknown option is an OptionsError (it was ignored), null is no options (was a TypeError)', async () => {
    const server = await serve();
    expect(said(isOptionsError, await server.restart({ downMS: 10 } as never).catch((e) => e))).toBe(
      'unknown restart option: downMS (did you mean downMs?)',
    );
    await expect(server.restart(null as never)).resolves.toBeUndefined();
  });
});

describe('chaos: options it cannot use', () => {
  it('an unknown fault is named, with the faults there are (was "faults must be some of ..., got an array")', async () => {
    const server = await serve();
    for (const [faults, message] of [
      [['nuke'], `unknown chaos fault: "nuke"; the faults are ${FAULTS}`],
      [['drop', 'dorp', 5], `unknown chaos faults: "dorp" (did you mean drop?), 5; the faults are ${FAULTS}`],
      [[], `faults must be a non-empty array of ${FAULTS}, got an array`],
    ] as const) {
      expect(
        said(
          isOptionsError,
          thrown(() => server.chaos({ seed: 1, faults: faults as never })),
        ),
      ).toBe(message);
    }
    // createTestServer's chaos option too: its server is stopped before it rejects (no one could stop it)
    const rejected = await createTestServer({ chaos: { seed: 1, faults: ['nuke' as never] } }).catch((e) => e);
    expect(said(isOptionsError, rejected)).toBe(`unknown chaos fault: "nuke"; the faults are ${FAULTS}`);
  });

  it('no options (was a TypeError), an unknown key or an onFault that is not a function (were taken: a schedule started)', async () => {
    const server = await serve();
    for (const [options, message] of [
      [undefined, 'chaos options must be an object with a seed ({ seed: 1 }), got undefined'],
      [{ seed: 1, evryMs: 50 }, 'unknown chaos option: evryMs (did you mean everyMs?)'],
      [{ seed: 1, onFault: 'log' }, 'onFault must be a function, got "log"'],
    ] as const) {
      expect(
        said(
          isOptionsError,
          thrown(() => server.chaos(options as never)),
        ),
      ).toBe(message);
    }
  });
});
