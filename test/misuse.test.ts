/**
 * A newcomer's mistakes at the public door, refused at the call with an `OptionsError` that says
 * what was wanted: never a raw TypeError from deep inside, a retry loop, or a silent substitute.
 */
import { once } from 'node:events';
import { describe, expect, it } from 'vitest';
import { backoff, backoffCeiling, DEFAULT_BACKOFF, decide } from '../src/advanced.js';
import {
  ClosedError,
  createClient,
  EncodeError,
  isFilterError,
  isOptionsError,
  jsonCodec,
  OptionsError,
} from '../src/index.js';
import { compileFilters } from '../src/protocol/index.js';
import { track } from './cleanup.js';
import { startServer } from './fixtures/server.js';
import { thrown } from './helpers.js';

const url = 'ws://127.0.0.1:9';

describe('close(code, reason) no close frame carries: reported, and the client ends all the same, with 1000', () => {
  it('a code outside 1000-1003, 1007-1014, 3000-4999, a reason not a string or over 123 UTF-8 bytes', async () => {
    const server = track(await startServer());
    // was: ws threw, the transport closed plainly (1005 on the wire) and the client said it closed with 999
    for (const [code, reason, message] of [
      [999, '', 'close code must be 1000-1003, 1007-1014 or 3000-4999 (closed with 1000), got 999'],
      [1005, '', 'close code must be 1000-1003, 1007-1014 or 3000-4999 (closed with 1000), got 1005'],
      [5000, '', 'close code must be 1000-1003, 1007-1014 or 3000-4999 (closed with 1000), got 5000'],
      [3000.5, '', 'close code must be 1000-1003, 1007-1014 or 3000-4999 (closed with 1000), got 3000.5'],
      ['4000', '', 'close code must be 1000-1003, 1007-1014 or 3000-4999 (closed with 1000), got "4000"'],
      [4000, 5, 'close reason must be a string of at most 123 UTF-8 bytes (closed with 1000), got 5'],
      [
        4000,
        'é'.repeat(62),
        `close reason must be a string of at most 123 UTF-8 bytes (closed with 1000), got "${'é'.repeat(24)}…"`,
      ],
    ] as const) {
      const client = track(createClient({ url: server.url, signals: false }));
      const errors: unknown[] = [];
      client.on('error', (e) => errors.push(e));
      await client.ready();
      const gone = once(server, 'disconnect');
      client.close(code as number, reason as string); // never a throw: close() always ends
      expect((await gone)[1]).toBe(1000);
      expect(client.state).toBe('closed');
      expect(errors.map((e) => isOptionsError(e) && e.message)).toEqual([message]);
    }
  });

  it("what ws sends is sent: 1001 (a process's SIGTERM: going away), 4000 with a reason of 123 bytes", async () => {
    const server = track(await startServer());
    for (const [code, reason] of [
      [1001, 'going away'],
      [4000, 'x'.repeat(123)],
    ] as const) {
      const client = track(createClient({ url: server.url, signals: false }));
      client.on('error', (e) => expect.unreachable(String(e)));
      await client.ready();
      const gone = once(server, 'disconnect');
      client.close(code, reason);
      expect((await gone)[1]).toBe(code);
      expect(client.state).toBe('closed');
    }
  });
});

describe('an option object that lacks what the client calls on it: refused at construction', () => {
  const bad: Array<[string, Record<string, unknown>, string]> = [
    // was: a ConnectionError "this.Socket is not a constructor" at every attempt, retried for ever
    ['WebSocket', { WebSocket: {} }, 'WebSocket must be a function, got an object'],
    // was: a TypeError from inside createClient
    ['clock', { clock: 5 }, 'clock must be an object with now, setTimeout, clearTimeout, got 5'],
    [
      'clock without now',
      { clock: { setTimeout, clearTimeout } },
      'clock must be an object with now, setTimeout, clearTimeout, got an object',
    ],
    ['signals', { signals: 'x' }, 'signals must be an object with isOnline, subscribe, got "x"'],
    // was: a DecodeError for every frame, the link never open
    ['codec', { codec: {} }, 'codec must be an object with decode, encode, got an object'],
    // was: no schemas, without a word; a string's letters read as schemas named 0, 1...
    ['events', { events: 5 }, 'events must be { [event]: schema }, got 5'],
    ['events as a list', { events: ['X'] }, 'events must be { [event]: schema }, got an array'],
  ];
  it.each(bad)('%s', (_, options, message) => {
    const error = thrown(() => track(createClient({ url, lazy: true, ...options })));
    expect(isOptionsError(error) && error.message).toBe(message);
  });

  it('what has them is taken', () => {
    const clock = { now: () => 0, setTimeout, clearTimeout };
    const signals = { isOnline: () => true, subscribe: () => () => {} };
    track(createClient({ url, lazy: true, clock, signals, WebSocket: class {}, events: {} }));
  });
});

describe('request() and send() given what is not what they take: refused at the call, nothing sent', () => {
  it('a signal that is not an AbortSignal; an array for a message', async () => {
    const server = track(await startServer());
    const client = track(createClient({ url: server.url, signals: false }));
    const errors: unknown[] = [];
    client.on('error', (e) => errors.push(e));
    await client.ready();
    // was: a TypeError, the request sent all the same, and a DecodeError for its answer
    for (const signal of [5, {}]) {
      const error = await client.request('echo', 1, { signal: signal as never }).catch((e) => e);
      expect(error).toEqual(new OptionsError('signal', 'an AbortSignal', signal));
    }
    // was: sent, and the server's error back
    expect(() => client.send([] as never)).toThrow(new EncodeError('send() takes a message object, got an array'));
    expect(await client.request('echo', 2, { signal: new AbortController().signal })).toBe(2);
    expect(server.connections.flatMap((c) => c.received).filter((m) => 'method' in m)).toHaveLength(1);
    expect(errors).toEqual([]);
  });
});

describe('a subscription made after close()', () => {
  it('its ready() rejects with what stopped the client, as client.ready() does; connect() makes it active', async () => {
    const server = track(await startServer());
    const client = track(createClient({ url: server.url, signals: false }));
    await client.ready();
    client.close();
    const sub = client.subscribe('X');
    // was: pending for ever
    await expect(sub.ready()).rejects.toEqual(new ClosedError(1000, 'client closed'));
    client.connect();
    await client.ready();
    await sub.ready();
    expect(sub.state).toBe('active');
  });

  it('a for await loop over it, or over client.stream(), throws what stopped the client (it hung): close(), or a fatal AuthError', async () => {
    const server = track(await startServer());
    const closed = track(createClient({ url: server.url, signals: false }));
    await closed.ready();
    closed.close();
    const loop = async (iterable: AsyncIterable<unknown>) => {
      for await (const _ of iterable) return 'an event';
      return 'returned';
    };
    await expect(loop(closed.stream('X'))).rejects.toEqual(new ClosedError(1000, 'client closed'));
    await expect(loop(closed.subscribe('X'))).rejects.toEqual(new ClosedError(1000, 'client closed'));
    const guarded = track(await startServer({ tokens: ['right'] }));
    const refused = track(createClient({ url: guarded.url, signals: false, token: 'wrong' }));
    refused.on('error', () => {});
    const fatal = await refused.ready().catch((error: unknown) => error);
    expect(refused.state).toBe('closed');
    await expect(loop(refused.stream('X'))).rejects.toBe(fatal);
  });
});

describe("another SDK's lifecycle event names given to on() (socket.io's connect, disconnect...)", () => {
  it("are refused with eventwire's name for them (they were server events nobody sends); subscribe() takes them", () => {
    const client = track(createClient({ url: 'ws://127.0.0.1:1', lazy: true, signals: false }));
    const said = (call: () => unknown) => {
      const error = thrown(call);
      return isFilterError(error) ? error.message : error;
    };
    expect(said(() => client.on('disconnect', () => {}))).toBe(
      `"disconnect" is another SDK's lifecycle event; eventwire's is "close" (a server event of that name: client.subscribe('disconnect').on(listener))`,
    );
    expect(said(() => client.once('connect', () => {}))).toMatch(
      /^"connect" is another SDK's .* eventwire's is "open"/,
    );
    expect(said(() => client.on('connect_error', () => {}))).toMatch(/eventwire's is "error"/);
    expect(said(() => client.on('reconnect_attempt', () => {}))).toMatch(/eventwire's is "reconnecting"/);
    const option = thrown(() =>
      createClient({ url: 'ws://127.0.0.1:1', lazy: true, on: { disconnect() {} } as never }),
    );
    expect(isOptionsError(option) && option.message).toMatch(/^"disconnect" is another SDK's/); // before a client is made
    expect(client.stats().listeners).toBe(0); // nothing was taken: a lazy client stays idle
    expect(client.state).toBe('idle');
    client.subscribe('disconnect').on(() => {}); // a server event so named
    client.on('connected', () => {}); // mdb's greeting is delivered as an event of that name: not refused
  });

  it('a server event so named that the schemas declare is a listener like any other', () => {
    const events = {
      disconnect: { '~standard': { version: 1 as const, vendor: 'x', validate: (value: unknown) => ({ value }) } },
    };
    const client = track(createClient({ url: 'ws://127.0.0.1:1', lazy: true, signals: false, events }));
    client.on('disconnect', () => {});
    expect(client.stats().listeners).toBe(1);
  });
});

describe('what is still taken: null for an absent option, any iterable of names, Infinity for no timeout', () => {
  it('null as absent (fetch-style options pass signal: null); subscribe() of a Set', async () => {
    const server = track(await startServer());
    const client = track(createClient({ url: server.url, signals: null, events: null, on: null } as never));
    await client.ready();
    expect(await client.request('echo', 1, { signal: null } as never)).toBe(1);
    const sub = client.subscribe(new Set(['A', 'B']) as never);
    await sub.ready();
    const delivered = new Promise((r) => sub.on(r));
    server.publish({ event_type: 'B', data: { n: 1 } });
    expect(await delivered).toMatchObject({ event_type: 'B', data: { n: 1 } });
  });

  it("a request with timeout Infinity sets no timer: a clock that hands delays to the platform's setTimeout does not fire it at once", async () => {
    const server = track(await startServer({ slowMethods: { echo: 50 } }));
    const delays: number[] = [];
    const clock = {
      now: () => performance.now(),
      setTimeout: (fn: () => void, ms: number) => {
        delays.push(ms);
        return setTimeout(fn, ms); // Node fires a delay past 2^31 - 1 ms at once
      },
      clearTimeout: (handle: unknown) => clearTimeout(handle as ReturnType<typeof setTimeout>),
    };
    const client = track(createClient({ url: server.url, signals: false, clock, heartbeat: false }));
    await client.ready();
    expect(await client.request('echo', 'x', { timeout: Number.POSITIVE_INFINITY })).toBe('x');
    expect(delays).not.toContain(Number.POSITIVE_INFINITY);
  });
});

describe('jsonCodec() options refused at the call (OptionsError), as the client refuses its own', () => {
  it('an unknown key, a limit that is not a number >= 1, checkCrc not a boolean, inflate not a function', async () => {
    for (const [options, message] of [
      // was: kept without a word (the misspelled key left the 16 MiB default; -1 refused every frame)
      [{ maxMessageByte: 1024 }, 'unknown jsonCodec() option: maxMessageByte (did you mean maxMessageBytes?)'],
      [{ maxMessageBytes: -1 }, 'maxMessageBytes must be a number >= 1, got -1'],
      [{ maxDepth: '32' }, 'maxDepth must be an integer >= 1, got "32"'],
      [{ maxObjects: 0.5 }, 'maxObjects must be an integer >= 1, got 0.5'],
      [{ checkCrc: 'no' }, 'checkCrc must be a boolean, got "no"'],
      [{ inflate: 'zlib' }, 'inflate must be a function, got "zlib"'],
      [5, 'jsonCodec() options must be an object, got 5'],
      ['secret', "jsonCodec() options must be an object, got a string (the token is createClient()'s)"],
    ] as const) {
      const error = thrown(() => jsonCodec(options as never));
      expect(isOptionsError(error) && error.message).toBe(message);
    }
    // Infinity (no limit), as createClient's own maxDepth and maxObjects take it
    expect(thrown(() => jsonCodec({ maxDepth: Infinity, maxObjects: Infinity }))).toBeUndefined();
    // null is absent (was a TypeError); a checked codec still reads frames from a real server
    const server = track(await startServer());
    const client = track(createClient({ url: server.url, signals: false, codec: jsonCodec(null as never) }));
    const got = new Promise<unknown>((resolve) => client.on('TaskStatusChanged', (ev) => resolve(ev.data)));
    await client.ready();
    server.publish({ event_type: 'TaskStatusChanged', data: { status: 'Running' } });
    expect(await got).toEqual({ status: 'Running' });
  });
});

describe('eventwire/advanced and eventwire/protocol called directly: typed errors at the call', () => {
  it('backoff() and backoffCeiling(): a policy checked as the client checks its backoff option, its gaps the defaults', () => {
    const message = (call: () => unknown) => {
      const error = thrown(call);
      return isOptionsError(error) ? error.message : error;
    };
    // was: a TypeError (no policy), NaN (a key missing or misspelled), a delay for a jitter none knows
    expect(backoffCeiling(5, { minDelay: 1000 })).toBe(16_000);
    expect(backoff(1, undefined, () => 0.5)).toBe(250);
    expect(message(() => backoff(1, { minDelya: 5 } as never))).toBe(
      'unknown backoff policy key: minDelya (did you mean minDelay?)',
    );
    expect(message(() => backoffCeiling(2, { factor: 0.5 }))).toBe('factor must be a number >= 1, got 0.5');
    expect(message(() => backoff(1, { jitter: 'half' as never }))).toBe(
      "jitter must be 'full' or 'equal' or 'none', got \"half\"",
    );
    expect(message(() => backoff('2' as never, DEFAULT_BACKOFF))).toBe('attempt must be a number >= 0, got "2"');
    // as the client refuses it (was 50: the delay under the floor given)
    expect(message(() => backoff(3, { minDelay: 5_000, maxDelay: 100 }))).toBe(
      'maxDelay must be >= minDelay (5000), got 100',
    );
  });

  it('decide(): facts and a policy missing a field, or of the wrong kind, name it (was a TypeError)', () => {
    const message = (call: () => unknown) => {
      const error = thrown(call);
      return isOptionsError(error) ? error.message : error;
    };
    const facts = { code: 1006, reason: '', attempt: 0, uptime: undefined, lastWasRefresh: false };
    const policy = { backoff: { ...DEFAULT_BACKOFF, jitter: 'none' as const }, random: Math.random };
    // was: "Cannot read properties of undefined (reading 'shouldRetry')", or a decision made of NaN
    expect(message(() => decide({} as never, policy))).toBe('facts.code must be an integer >= 0, got undefined');
    expect(message(() => decide(facts, undefined as never))).toBe('policy must be an object, got undefined');
    expect(message(() => decide(undefined as never, policy))).toBe('facts must be an object, got undefined');
    expect(message(() => decide({ ...facts, attempt: undefined } as never, policy))).toBe(
      'facts.attempt must be an integer >= 0, got undefined',
    );
    expect(message(() => decide({ ...facts, reason: undefined } as never, policy))).toBe(
      'facts.reason must be a string, got undefined',
    );
    expect(message(() => decide({ ...facts, lastWasRefresh: 'no' } as never, policy))).toBe(
      'facts.lastWasRefresh must be a boolean, got "no"',
    );
    expect(message(() => decide({ ...facts, uptime: '5s' } as never, policy))).toBe(
      'facts.uptime must be a number >= 0, got "5s"',
    );
    expect(message(() => decide({ ...facts, atempt: 1 } as never, policy))).toBe(
      'unknown option: facts.atempt (did you mean facts.attempt?)',
    );
    expect(message(() => decide(facts, { ...policy, random: 0.5 } as never))).toBe(
      'policy.random must be a function, got 0.5',
    );
    expect(message(() => decide(facts, { backoff: { minDelay: -1 } } as never))).toBe(
      'policy.backoff.minDelay must be a number >= 0, got -1',
    );
    // a whole call decides as before; the policy's missing backoff keys are the defaults, as backoff()'s
    expect(decide(facts, policy)).toEqual({ retryIn: 500, attempt: 1, lastWasRefresh: false, lastWasRefusal: false });
    expect(decide(facts, { backoff: { jitter: 'none' } } as never)).toMatchObject({ retryIn: 500 });
    // the previous decision carried into the next facts, its own fields with it, as a loop over closes does
    const first = decide({ ...facts, code: 4001, refreshable: true }, policy);
    expect(
      decide({ ...first, ...facts, attempt: first.attempt, lastWasRefresh: first.lastWasRefresh }, policy),
    ).toEqual({
      retryIn: 1000,
      attempt: 2,
      lastWasRefresh: true,
      lastWasRefusal: false,
    });
  });

  it('compileFilters() checks its filters as subscribe() does (FilterError), null matching everything', () => {
    const message = (call: () => unknown) => {
      const error = thrown(call);
      return isFilterError(error) ? error.message : error;
    };
    // was: a TypeError (null), or a predicate for a string or a nested object
    expect(message(() => compileFilters('level=ERROR' as never))).toBe(
      'filters must be an object of key: value or key: [values]',
    );
    expect(message(() => compileFilters({ level: { eq: 'ERROR' } } as never))).toMatch(/^filter key "level": must be/);
    expect(compileFilters(null as never)({ data: {} })).toBe(true);
    expect(compileFilters({ level: 'ERROR' })({ data: { level: 'ERROR' } })).toBe(true);
  });
});
