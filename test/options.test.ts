import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import * as z from 'zod/mini';
import { browserSignals } from '../src/advanced.js';
import { querri } from '../src/dialects/index.js';
import { createClient, FilterError, isOptionsError, OptionsError } from '../src/index.js';
import { resolveOptions } from '../src/options.js';
import { track } from './cleanup.js';
import { startServer } from './fixtures/server.js';
import { reach, thrown } from './helpers.js';

const url = 'ws://127.0.0.1:1';
const schema = z.object({ level: z.string() });

describe('options are validated at construction', () => {
  const bad: Array<[string, Record<string, unknown>, RegExp]> = [
    ['missing url', {}, /^url is required: createClient\(\{ url: 'wss:\/\/…' \}\)$/],
    ['a null url', { url: null }, /^url is required/],
    [
      'http-less url',
      { url: 'ftp://x' },
      /^url must be an absolute ws:\/\/ or wss:\/\/ URL without a #fragment, got "ftp:\/\/x"$/,
    ],
    ['relative url', { url: '/ws' }, /absolute/],
    [
      'a #fragment url with credentials and a token: neither in the message',
      { url: 'wss://user:pw@x.example/p?token=SECRET#/home' },
      /^url must be an absolute ws:\/\/ or wss:\/\/ URL without a #fragment, got "wss:\/\/…@x\.example\/p\?…#\/home"$/,
    ],
    [
      'host:port',
      { url: 'localhost:8080' },
      /^url must .* got "localhost:8080" \(did you mean "ws:\/\/localhost:8080"\?\)$/,
    ],
    [
      'ip:port',
      { url: '127.0.0.1:9/ws' },
      /^url must .* got "127\.0\.0\.1:9\/ws" \(did you mean "ws:\/\/127\.0\.0\.1:9\/ws"\?\)$/,
    ],
    ['a fragment: no hint, the scheme is right', { url: 'ws://h.example/ws#x' }, /got "ws:\/\/h\.example\/ws#x"$/],
    ['token type', { url, token: 42 }, /^token must be a non-empty string or a function returning one, got a number$/],
    [
      'a fractional maxRetries',
      { url, backoff: { maxRetries: 2.5 } },
      /^backoff\.maxRetries must be an integer >= 0, or Infinity, got 2\.5$/,
    ],
    ['an empty token', { url, token: '' }, /^token must be .* got an empty string \(leave token out for none\)$/],
    [
      'a dialect that is not one',
      { url, dialect: 'querri' },
      /^dialect must be what a factory returns \(querri\(\), not querri\), got "querri"$/,
    ],
    [
      'a dialect factory not called',
      { url, dialect: querri },
      /^dialect must be what a factory returns \(querri\(\), not querri\), got a function$/,
    ],
    ['auth mode', { url, auth: 'cookie' }, /auth must be 'query' or 'message'/],
    ['handshake', { url, handshake: 'maybe' }, /handshake must be/],
    ['a header not a string', { url, headers: { 'x-n': 1 } }, /^headers\["x-n"\] must be a string, got a number$/],
    [
      'headers not an object',
      { url, headers: 'a=b' },
      /^headers must be an object of header name: string value, got a string$/,
    ],
    ['negative delay', { url, backoff: { minDelay: -1 } }, /backoff.minDelay/],
    ['factor < 1', { url, backoff: { factor: 0.5 } }, /backoff.factor/],
    [
      'max < min',
      { url, backoff: { minDelay: 10, maxDelay: 5 } },
      /^backoff\.maxDelay must be >= backoff\.minDelay \(10\), got 5$/,
    ],
    ['jitter', { url, backoff: { jitter: 'some' } }, /backoff.jitter/],
    ['heartbeat timeout', { url, heartbeat: { timeout: 0 } }, /heartbeat.timeout/],
    ['schema', { url, events: { X: { parse() {} } } }, /^events\.X must be a Standard Schema .*, got an object$/],
    ['connectTimeout', { url, connectTimeout: Number.NaN }, /connectTimeout/],
    ['a zero timeout', { url, requestTimeout: 0 }, /^requestTimeout must be a number > 0, got 0$/],
    ['a string for a number', { url, maxDepth: '64' }, /^maxDepth must be a number > 0, got "64"$/],
    ['a negative outbox', { url, outboxSize: -1 }, /^outboxSize must be a number >= 0, got -1$/],
    ['a fractional batch size', { url, batchSize: 1.5 }, /^batchSize must be an integer >= 1, got 1\.5$/],
    ['a negative batch interval', { url, batchInterval: -1 }, /^batchInterval must be a number >= 0, got -1$/],
    ['negative retries', { url, backoff: { maxRetries: -1 } }, /^backoff\.maxRetries must be a number >= 0, got -1$/],
    ['retries as a string', { url, backoff: { maxRetries: '3' } }, /^backoff\.maxRetries must be a number/],
    ['a negative uptime', { url, backoff: { minUptime: -1 } }, /^backoff\.minUptime must be a number >= 0, got -1$/],
    ['a negative heartbeat', { url, heartbeat: { interval: -1 } }, /^heartbeat\.interval must be a number >= 0/],
    ['a null backoff', { url, backoff: null }, /^backoff must be an object, got null$/],
    ['acks', { url, acks: 'sometimes' }, /^acks must be 'auto' or 'manual', got "sometimes"$/],
    ['lazy as a number', { url, lazy: 1 }, /^lazy must be a boolean, got 1$/],
    ['compression as a string', { url, compression: 'true' }, /^compression must be a boolean, got "true"$/],
    ['shouldRetry not a function', { url, shouldRetry: true }, /^shouldRetry must be a function, got true$/],
    ['transport not a function', { url, transport: {} }, /^transport must be a function, got an object$/],
    ['a bigint for a boolean', { url, lazy: 1n }, /^lazy must be a boolean, got 1n$/],
    ['random not a function', { url, random: 0.5 }, /^random must be a function, got 0\.5$/],
    ['an unknown share', { url, share: 'windows' }, /^share must be 'tabs', got "windows"$/],
    ['an empty shareKey, without share', { url, shareKey: '' }, /^shareKey must be a non-empty string, got ""$/],
  ];
  for (const [label, options, message] of bad) {
    it(`rejects ${label}`, () => {
      let error: unknown;
      try {
        createClient(options as never);
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(OptionsError);
      expect(isOptionsError(error)).toBe(true);
      expect((error as OptionsError).code).toBe('ERR_OPTIONS');
      expect((error as Error).message).toMatch(message);
    });
  }

  it('refuses a header value with CR, LF, NUL or a control character, or a name not an RFC 7230 token, naming the header and never its value', () => {
    const secret = 'sekrit-cookie-value';
    const cases: Array<[Record<string, string>, RegExp]> = [
      [{ cookie: `${secret}\r\nX-Evil: 1` }, /"cookie"/],
      [{ authorization: `Bearer ${secret}\n` }, /"authorization"/],
      [{ 'x-token': `${secret}\u0000` }, /"x-token"/],
      [{ 'x-token': `${secret}\u0007` }, /"x-token"/],
      [{ 'x-token': `${secret}\u2028` }, /"x-token"/],
      [{ 'bad name': secret }, /"bad name" is not a valid header name/],
      [{ 'x-a:b': secret }, /not a valid header name/],
      [{ '': secret }, /not a valid header name/],
    ];
    for (const [headers, message] of cases) {
      let error: unknown;
      try {
        createClient({ url, headers, signals: false });
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(OptionsError);
      expect((error as Error).message).toMatch(message);
      expect((error as Error).message).not.toContain(secret);
    }
    // ordinary values pass: visible ASCII, spaces and tabs, Latin-1 obs-text
    const client = createClient({
      url,
      lazy: true,
      signals: false,
      headers: { cookie: 'a=b; c=d', 'X-Custom_Header.1': 'v\tw x', authorization: 'Bearer abc.def-ghi' },
    });
    client.close();
  });

  it('accepts http(s) URLs as shorthands and stays idle when lazy', () => {
    const client = createClient({ url: 'https://example.invalid/ws', lazy: true, signals: false });
    expect(client.state).toBe('idle');
    client.close();
    expect(client.state).toBe('closed');
  });

  it('an http(s) URL with spaces around it (pasted) is taken as a ws(s) URL does: the URL parser drops them', () => {
    for (const [url, expected] of [
      [' http://127.0.0.1:1/ ', 'ws://127.0.0.1:1/'],
      ['\thttps://example.invalid/ws', 'wss://example.invalid/ws'],
      [' ws://127.0.0.1:1/', 'ws://127.0.0.1:1/'],
    ] as const)
      expect(resolveOptions({ url }).url).toBe(expected);
  });
});

describe('defaults and edges', () => {
  /** `@default N` of each option of ClientOptions whose TSDoc is one line ending in a number. */
  const documented = new Map(
    [
      ...readFileSync(new URL('../src/options.ts', import.meta.url), 'utf8').matchAll(
        /@default ([\d_]+|16 MiB) \*\/\n\s+(\w+)\?:/g,
      ),
    ].map(([, value = '', key = '']) => [
      key,
      value === '16 MiB' ? 16 * 1024 * 1024 : Number(value.replaceAll('_', '')),
    ]),
  );

  it('every number option defaults to its documented @default', () => {
    const resolved = resolveOptions({ url, signals: false }) as unknown as Record<string, unknown>;
    expect([...documented.keys()].sort()).toEqual(
      [
        'connectTimeout',
        'dedupeWindow',
        'handshakeTimeout',
        'maxBatchSize',
        'maxDepth',
        'maxMessageBytes',
        'outboxSize',
        'requestTimeout',
      ].sort(),
    );
    for (const [key, value] of documented) {
      if (key === 'maxMessageBytes') expect(resolved.maxPayload, key).toBe(2 * value + 65_536);
      else if (key === 'maxDepth')
        continue; // the codec's: seen through its refusals (test/frames.test.ts)
      else expect(resolved[key], key).toBe(value);
    }
    expect(resolved.backoff).toEqual({
      minDelay: 500,
      maxDelay: 30_000,
      factor: 2,
      jitter: 'full',
      maxRetries: Number.POSITIVE_INFINITY,
      minUptime: 5_000,
    });
    expect(resolved.heartbeat).toEqual({ interval: 25_000, timeout: 10_000 });
    expect(resolved.acks).toBe('auto');
    expect(resolved.lazy).toBe(false);
    expect(resolved.compression).toBe(false);
  });

  it('takes the edges of every range, merges nested objects over their defaults and leaves the given ones as they were', () => {
    const backoff = { maxRetries: 0, factor: 1 };
    const heartbeat = { timeout: 1 };
    const resolved = resolveOptions({
      url,
      signals: false,
      outboxSize: 0,
      batchSize: 1,
      batchInterval: 0,
      requestTimeout: 0.5,
      backoff,
      heartbeat,
    });
    expect(resolved.outboxSize).toBe(0);
    expect(resolved.batchSize).toBe(1);
    expect(resolved.batchInterval).toBe(0);
    expect(resolved.requestTimeout).toBe(0.5);
    expect(resolved.backoff).toEqual({
      minDelay: 500,
      maxDelay: 30_000,
      factor: 1,
      jitter: 'full',
      maxRetries: 0,
      minUptime: 5_000,
    });
    expect(resolved.heartbeat).toEqual({ interval: 25_000, timeout: 1 });
    expect(Object.isFrozen(resolved.backoff) && Object.isFrozen(resolved.heartbeat)).toBe(true);
    expect(backoff).toEqual({ maxRetries: 0, factor: 1 }); // the user's objects are not written to
    expect(Object.isFrozen(backoff) || Object.isFrozen(heartbeat)).toBe(false);
    expect(resolveOptions({ url, signals: false, heartbeat: { interval: 0 } }).heartbeat).toBeUndefined();
    expect(resolveOptions({ url, signals: false, heartbeat: false }).heartbeat).toBeUndefined();
  });
});

describe('what clients have in common is held once', () => {
  it('resolved options keep as their own only what differs from one frozen object of defaults, shared by every client', () => {
    const plain = resolveOptions({ url, signals: false });
    const tuned = resolveOptions({ url: 'ws://127.0.0.1:2/', signals: false, heartbeat: false, outboxSize: 5 });
    const defaults = Object.getPrototypeOf(plain) as Record<string, unknown>;
    expect(Object.getPrototypeOf(tuned)).toBe(defaults);
    expect(Object.isFrozen(defaults) && Object.isFrozen(plain) && Object.isFrozen(tuned)).toBe(true);
    expect(Object.keys(plain)).toEqual(['url']);
    expect(Object.keys(tuned).sort()).toEqual(['heartbeat', 'outboxSize', 'url']);
    expect([tuned.heartbeat, tuned.outboxSize, plain.outboxSize]).toEqual([undefined, 5, 1000]);
    expect(plain.heartbeat).toEqual({ interval: 25_000, timeout: 10_000 });
    // a client's own values never become another's defaults
    expect(resolveOptions({ url, signals: false }).outboxSize).toBe(1000);
    expect(() => Object.defineProperty(plain, 'outboxSize', { value: 1 })).toThrow(TypeError);
  });

  it('browserSignals() is one object while the globals are the same, a new one when their listeners change', () => {
    const added: string[] = [];
    const removed: string[] = [];
    const globals = {
      addEventListener: (type: string) => void added.push(type),
      removeEventListener: (type: string) => void removed.push(type),
      navigator: { onLine: true },
    };
    const first = browserSignals(globals);
    expect(browserSignals(globals)).toBe(first);
    const heard: string[] = [];
    const stopA = first?.subscribe((signal) => heard.push(`a:${signal}`));
    const stopB = first?.subscribe((signal) => heard.push(`b:${signal}`));
    expect(added).toEqual(['online', 'offline', 'online', 'offline']);
    stopA?.();
    expect(removed).toEqual(['online', 'offline']);
    stopB?.();
    const calls: string[] = [];
    globals.addEventListener = (type: string) => void calls.push(type);
    const second = browserSignals(globals);
    expect(second).not.toBe(first);
    second?.subscribe(() => {});
    expect(calls).toEqual(['online', 'offline']);
    expect(browserSignals({})).toBeUndefined();
  });
});

describe('options checked where they are given', () => {
  it('a #fragment URL, a misspelled option and a negative timeout are OptionsErrors naming them', async () => {
    expect(() => createClient({ url: 'ws://x/#a', lazy: true })).toThrow(/fragment/);
    expect(() => createClient({ url: 'ws://x', lazy: true, tokn: 't' } as never)).toThrow(/unknown option: tokn/);
    const client = track(createClient({ url: 'ws://127.0.0.1:9', lazy: true, signals: false }));
    const error = await client.request('m', {}, { timeout: -1 }).catch((e) => e);
    expect(isOptionsError(error) && error.message).toBe('timeout must be a number of ms > 0, got -1');
    const symbol = await client.request('m', {}, { timeout: Symbol('t') as never }).catch((e) => e);
    expect(isOptionsError(symbol) && symbol.message).toBe('timeout must be a number of ms > 0, got Symbol(t)');
    expect(() => client.subscribe('X', { since: 'yesterday' })).toThrow(/since/);
  });
});

describe('a listener that is not a function: an OptionsError at the call, not a HandlerError at the first event', () => {
  it('in the on option, client.on/once and a subscription', () => {
    const fn = () => {};
    expect(() => createClient({ url, lazy: true, on: { X: 5 } } as never)).toThrow(/^on\.X must be a function, got 5$/);
    expect(() => createClient({ url, lazy: true, on: 5 } as never)).toThrow(
      /^on must be \{ \[event\]: listener \}, got 5$/,
    );
    const client = track(createClient({ url, lazy: true, signals: false }));
    const refused = (call: () => unknown) => {
      const error = thrown(call);
      return error === undefined ? 'accepted' : isOptionsError(error) && error.message;
    };
    expect(refused(() => client.on('X', 5 as never))).toBe('the listener for "X" must be a function, got 5');
    expect(client.state).toBe('idle'); // no interest was taken: a lazy client does not connect
    expect(refused(() => client.once('open', undefined as never))).toBe(
      'the listener for "open" must be a function, got undefined',
    );
    expect(refused(() => client.on(undefined as never, fn))).toBe('an event name must be a string, got undefined');
    const sub = client.subscribe('X');
    expect(refused(() => sub.on(5 as never))).toBe('the listener for "event" must be a function, got 5');
    expect(refused(() => sub.on('state', {} as never))).toBe(
      'the listener for "state" must be a function, got an object',
    );
    expect(client.stats().listeners).toBe(0);
  });
});

describe('what subscribe() and request() are given, refused at the call', () => {
  it('events that are neither a name nor an array of names: a FilterError, not a TypeError', () => {
    const client = track(createClient({ url, lazy: true, signals: false }));
    for (const [events, got] of [
      [5, '5'],
      [{ events: ['X'] }, 'an object'],
      [undefined, 'undefined'],
      [['X', 5], 'an array'],
      ['', '""'], // subscribe(process.env.EVENT ?? ''): a name no event has
      [['X', ''], 'an array'],
    ] as const) {
      expect(() => client.subscribe(events as never)).toThrow(
        new FilterError(`events must be an event name (not empty) or an array of them, got ${got}`),
      );
    }
    expect(client.state).toBe('idle');
  });

  it('a method that is not a non-empty string: the request rejects at once, nothing is sent', async () => {
    const server = track(await startServer());
    const client = track(createClient({ url: server.url, signals: false }));
    for (const [method, got] of [
      [undefined, 'undefined'],
      [5, '5'],
      ['', '""'],
    ] as const) {
      const error = await client.request(method as never, {}).catch((e) => e);
      expect(isOptionsError(error) && error.message).toBe(`method must be a non-empty string, got ${got}`);
    }
    expect(await client.request('echo', 1)).toBe(1);
    expect(server.connections.flatMap((c) => c.received).filter((m) => 'method' in m)).toHaveLength(1);
  });
});

describe('unknown option keys are refused at every depth', () => {
  const misspelled: Array<[string, Record<string, unknown>, RegExp]> = [
    ['a top-level key', { url, lazy: true, tokn: 't' }, /^unknown option: tokn \(did you mean token\?\)$/],
    [
      'two top-level keys',
      { url, lazy: true, tokn: 't', lazzy: true },
      /^unknown options: tokn \(did you mean token\?\), lazzy \(did you mean lazy\?\)$/,
    ],
    ['a key far from any', { url, lazy: true, colour: 'red' }, /^unknown option: colour$/],
    ['a key in the wrong case', { url, lazy: true, maxbatchsize: 5 }, /\(did you mean maxBatchSize\?\)$/],
    [
      'a heartbeat key',
      { url, lazy: true, heartbeat: { intervl: 5 } },
      /^unknown option: heartbeat\.intervl \(did you mean heartbeat\.interval\?\)$/,
    ],
    [
      'a backoff key',
      { url, lazy: true, backoff: { minDelai: 1 } },
      /^unknown option: backoff\.minDelai \(did you mean backoff\.minDelay\?\)$/,
    ],
    [
      'a rateLimit key',
      { url, lazy: true, rateLimit: { messages: 1, per: 1000, burst: 2 } },
      /^unknown option: rateLimit\.burst$/,
    ],
    [
      'a listener in on that names no event of a client with schemas',
      { url, lazy: true, events: { LogEntry: schema }, on: { eror: () => {} } },
      /^unknown event: on\.eror \(did you mean on\.error\?\)$/,
    ],
    ['a heartbeat that is not an object', { url, lazy: true, heartbeat: 5 }, /heartbeat must be an object/],
    ['a backoff that is not an object', { url, lazy: true, backoff: 'fast' }, /backoff must be an object/],
  ];
  for (const [label, options, message] of misspelled) {
    it(`refuses ${label} with an OptionsError naming its path`, () => {
      let error: unknown;
      try {
        createClient(options as never);
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(OptionsError);
      expect((error as Error).message).toMatch(message);
    });
  }

  it('accepts every known nested key', () => {
    const client = createClient({
      url,
      lazy: true,
      signals: false,
      heartbeat: { interval: 5_000, timeout: 2_000 },
      backoff: { minDelay: 1, maxDelay: 2, factor: 2, jitter: 'none', maxRetries: 3, minUptime: 10 },
      rateLimit: { messages: 10, per: 1_000 },
    });
    expect(client.state).toBe('idle');
    client.close();
  });
});

describe('createClient without options says what is missing', () => {
  it('createClient() and createClient(null) are OptionsErrors saying url is required, not TypeErrors', () => {
    for (const call of [() => (createClient as () => unknown)(), () => createClient(null as never)]) {
      const error = thrown(call);
      expect(error).toBeInstanceOf(OptionsError);
      expect((error as Error).message).toBe("url is required: createClient({ url: 'wss://…' })");
    }
  });

  it('createClient(url), the URL alone as other SDKs take it, says to pass it as the url option', () => {
    for (const url of ['wss://events.example.com/ws', new URL('wss://events.example.com/ws')]) {
      const error = thrown(() => createClient(url as never));
      expect(error).toBeInstanceOf(OptionsError);
      expect((error as Error).message).toBe(
        `createClient takes options: createClient({ url: "wss://events.example.com/ws" })`,
      );
    }
    // credentials and a query (a token) are not echoed
    const error = thrown(() => createClient(new URL('wss://u:pw@events.example.com/ws?token=SECRET') as never));
    expect((error as Error).message).toBe(
      `createClient takes options: createClient({ url: "wss://…@events.example.com/ws?…" })`,
    );
  });

  it('accepts the listeners of on for lifecycle events and schema names, and any name without schemas', () => {
    const typed = createClient({
      url,
      lazy: true,
      signals: false,
      events: { LogEntry: schema },
      on: { error: () => {}, LogEntry: () => {} },
    });
    typed.close();
    const untyped = createClient({ url, lazy: true, signals: false, on: { eror: () => {} } as never });
    untyped.close(); // without schemas `eror` may be a server event's name
  });
});

describe('subscribe() and request() refuse unknown option keys', () => {
  it('subscribe(): an OptionsError naming the key and the nearest known one, before anything is sent', () => {
    const client = track(createClient({ url, lazy: true, signals: false }));
    const cases: Array<[object, string]> = [
      [{ filter: { level: 'ERROR' } }, 'unknown subscribe option: filter (did you mean filters?)'],
      [{ buffersize: 10 }, 'unknown subscribe option: buffersize (did you mean bufferSize?)'],
      [{ since: 1, from: 2 }, 'unknown subscribe option: from'],
    ];
    for (const [options, message] of cases) {
      const error = thrown(() => client.subscribe('LogEntry', options as never));
      expect(isOptionsError(error)).toBe(true);
      expect((error as Error).message).toBe(message);
    }
    expect(thrown(() => client.subscribe('LogEntry', 'fast' as never))).toBeInstanceOf(OptionsError);
    expect(() => client.stream('LogEntry', { overflw: 'error' } as never)).toThrow(/did you mean overflow\?/);
    expect(client.stats().subscriptions).toBe(0);
  });

  it('request(): rejects with an OptionsError naming the key, and sends nothing', async () => {
    const server = track(await startServer());
    const client = track(createClient({ url: server.url, signals: false }));
    const error = await client.request('echo', { a: 1 }, { timout: 5 } as never).catch((e) => e);
    expect(isOptionsError(error)).toBe(true);
    expect((error as Error).message).toBe('unknown request option: timout (did you mean timeout?)');
    expect(client.stats().pendingRequests).toBe(0);
    expect(await client.request('echo', { a: 1 }, { timeout: 5_000 })).toEqual({ a: 1 }); // known keys pass
    expect(server.history[0]?.received.filter((m) => 'method' in m)).toHaveLength(1);
  });
});

describe('messages count in good English', () => {
  it('a full outbox of one says "1 entry", of two "2 entries"', async () => {
    const server = await startServer();
    await server.close(); // its port now refuses: requests wait in the outbox
    for (const [outboxSize, count] of [
      [1, '1 entry'],
      [2, '2 entries'],
    ] as const) {
      const client = track(
        createClient({ url: server.url, outboxSize, signals: false, backoff: { minDelay: 60_000, maxDelay: 60_000 } }),
      );
      const held = Array.from({ length: outboxSize }, () => client.request('echo', {}).catch(() => {}));
      const error = await client.request('echo', {}).catch((e) => e);
      expect((error as Error).message).toBe(`the outbox is full (${count})`);
      client.close();
      await Promise.all(held);
    }
  });
});

describe('Infinity for a timeout: no limit (timers hold at most 2^31 - 1 ms; Node and browsers fire a longer one at once)', () => {
  it('a client with every timeout Infinity opens, keeps its link and gets its answers', async () => {
    const server = track(await startServer());
    const client = track(
      createClient({
        url: server.url,
        signals: false,
        handshake: 'welcome',
        connectTimeout: Number.POSITIVE_INFINITY,
        handshakeTimeout: Number.POSITIVE_INFINITY,
        requestTimeout: Number.POSITIVE_INFINITY,
        heartbeat: { interval: Number.POSITIVE_INFINITY, timeout: Number.POSITIVE_INFINITY },
      }),
    );
    const seen: string[] = [];
    client.on('state', ({ to }) => seen.push(to));
    client.on('error', (e) => seen.push(e.code));
    await reach(client, 'open');
    for (let i = 0; i < 5; i++) expect(await client.request('echo', i)).toBe(i);
    expect(await client.request('echo', 'x', { timeout: 2 ** 40 })).toBe('x');
    expect(seen).toEqual(['open']);
    expect(server.connections).toHaveLength(1);
  });
});
