/**
 * No silent failures (issue #21, connection items): every failed attempt reaches `error` as a
 * typed error naming the server and the cause; `open` means the server accepted the client;
 * a server of another dialect is named. Real sockets on 127.0.0.1, and the real CLI.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { describe, expect, it, vi } from 'vitest';
import { WebSocket } from 'ws';
import { buster, forge, mdb, querri } from '../src/dialects/index.js';
import {
  type ConnectionError,
  createClient,
  type EventwireError,
  isAuthError,
  isConnectionError,
  isDialectMismatchError,
  type LifecycleEvents,
} from '../src/index.js';
import { track } from './cleanup.js';
import { startBlackhole } from './fixtures/blackhole.js';
import { startQuerri } from './fixtures/dialects/querri.js';
import { startServer } from './fixtures/server.js';
import { actingServer, httpServer } from './fixtures/ws-server.js';
import { eventually, next, reach } from './helpers.js';

const quick = { minDelay: 5, maxDelay: 20 };

/** The URL of a server that just closed: a connection to it is refused. */
async function refusedUrl(): Promise<string> {
  const server = await startServer();
  await server.close();
  return server.url;
}

/**
 * A WebSocket server of another dialect: it pings `{type:"ping"}` like Querri, and selects the
 * subprotocol only when `selects` (Starlette and axum select none unless told to; a Node ws
 * server selects the first one offered unless its handleProtocols says otherwise).
 */
async function otherServer(selects: boolean) {
  const offered: Array<string | undefined> = [];
  const server = await actingServer((ws, req) => {
    offered.push(req.headers['sec-websocket-protocol']);
    ws.send(JSON.stringify({ type: 'ping' }));
  }, selects);
  return { ...server, offered };
}

/** Collects a client's errors, and resolves the first one that `match`es. */
function errorsOf(client: { on(type: 'error', listener: (e: EventwireError) => void): unknown }) {
  const seen: EventwireError[] = [];
  client.on('error', (e) => void seen.push(e));
  return seen;
}

describe('every failed attempt reaches error', () => {
  it('refused: one ConnectionError per attempt naming the server, not the token; close and reconnecting carry it', async () => {
    const url = await refusedUrl();
    const client = track(
      createClient({ url, token: 'sekrit-41', backoff: { ...quick, maxRetries: 2 }, signals: false }),
    );
    const errors = errorsOf(client);
    const carried: Array<LifecycleEvents['close'] | LifecycleEvents['reconnecting']> = [];
    client.on('close', (e) => void carried.push(e));
    client.on('reconnecting', (e) => void carried.push(e));
    await reach(client, 'closed');
    expect(errors.map((e) => e.name)).toEqual(['ConnectionError', 'ConnectionError', 'ReconnectExhaustedError']);
    const [first, second, last] = errors as [ConnectionError, ConnectionError, EventwireError];
    expect([first.kind, first.url, first.attempts, second.attempts]).toEqual(['refused', `${url}/`, 1, 2]);
    expect(first.message).toBe(`cannot connect to ${url}/: connection refused (ECONNREFUSED)`);
    expect(last.message).toBe(
      `gave up reconnecting after 2 attempts: cannot connect to ${url}/: connection refused (ECONNREFUSED)`,
    );
    expect(isConnectionError(last.cause)).toBe(true);
    for (const e of errors) expect(e.message).not.toContain('sekrit-41');
    expect(carried.map((e) => e.error)).toEqual([first, first, second, second, last]);
    for (const e of carried) if ('delay' in e) expect(Number.isInteger(e.delay)).toBe(true);
  });

  it('a name that does not resolve, TLS to a plain server, an HTTP answer: each its kind, on one line', async () => {
    const plain = await httpServer();
    const gone = await httpServer('404 Not Found');
    // Axum's answer to a missing query field (Provisioning's token); a 503 is the server's own state: no hint
    const bad = await httpServer('400 Bad Request');
    const busy = await httpServer('503 Service Unavailable');
    const cases = [
      [
        'ws://no-such-host.invalid:9',
        'dns',
        /^cannot connect to ws:\/\/no-such-host\.invalid:9\/: the host name no-such-host\.invalid does not resolve \((ENOTFOUND|EAI_AGAIN)\)$/,
      ],
      [
        `https://127.0.0.1:${plain.port}/ws`,
        'tls',
        /^cannot connect to wss:\/\/127\.0\.0\.1:\d+\/ws: TLS failed \(EPROTO: wrong version number\): the server does not speak TLS here; is it ws:\/\/ rather than wss:\/\/\?$/,
      ],
      [
        `ws://127.0.0.1:${gone.port}/nope`,
        'http',
        /^cannot connect to ws:\/\/127\.0\.0\.1:\d+\/nope: the server answered the upgrade with HTTP 404 Not Found: check the URL \(its path; its query: a token\?\) and that the dialect is this server's$/,
      ],
      [
        `ws://127.0.0.1:${bad.port}/ws`,
        'http',
        /^cannot connect to ws:\/\/127\.0\.0\.1:\d+\/ws: the server answered the upgrade with HTTP 400 Bad Request: check the URL \(its path; its query: a token\?\) and that the dialect is this server's$/,
      ],
      [
        `ws://127.0.0.1:${busy.port}/ws`,
        'http',
        /^cannot connect to ws:\/\/127\.0\.0\.1:\d+\/ws: the server answered the upgrade with HTTP 503 Service Unavailable$/,
      ],
    ] as const;
    for (const [url, kind, message] of cases) {
      const client = track(createClient({ url, backoff: quick, signals: false }));
      const closed = next(client, 'close');
      const error = await next(client, 'error');
      expect(isConnectionError(error) && error.kind, url).toBe(kind);
      expect((await closed).reason).not.toContain('\n'); // the close says it on one line too
      expect(error.message).toMatch(message);
      if (kind === 'http')
        expect((error as ConnectionError).status).toBe(Number(/HTTP (\d+)/.exec(error.message)?.[1]));
      client.close();
    }
  });

  it('a server that never answers: kind timeout; one that accepts and drops at once: kind dropped', async () => {
    const hole = track(await startBlackhole());
    const slow = track(createClient({ url: hole.url, connectTimeout: 100, backoff: quick, signals: false }));
    const timeout = await next(slow, 'error');
    expect(isConnectionError(timeout) && [timeout.kind, timeout.message]).toEqual([
      'timeout',
      `cannot connect to ${hole.url}/: no connection within 100 ms`,
    ]);
    slow.close();
    const { url } = await actingServer((ws) => ws.terminate());
    const dropped = track(createClient({ url, backoff: quick, signals: false }));
    const error = await next(dropped, 'error');
    expect(isConnectionError(error) && error.kind).toBe('dropped');
    expect(error.message).toMatch(/accepted the connection and dropped it before it was open/);
  });

  it('without an error listener the console shows the first failure of a run, not one line per attempt', async () => {
    const spy = vi.spyOn(console, 'error').mockImplementation(() => {});
    track({ close: () => spy.mockRestore() });
    const client = track(createClient({ url: await refusedUrl(), backoff: quick, signals: false }));
    await next(client, 'reconnecting', ({ attempt }) => attempt === 4);
    expect(spy).toHaveBeenCalledTimes(1);
    expect(spy.mock.calls[0]?.[0]).toBe('[eventwire] unhandled');
    expect(isConnectionError(spy.mock.calls[0]?.[1])).toBe(true);
  });
});

describe('open means the server accepted the client', () => {
  it('no token against a server that needs one: an AuthError (4003, "no token"), never open', async () => {
    const server = track(await startServer({ tokens: ['t'], authTimeout: 200 }));
    const client = track(createClient({ url: server.url, signals: false }));
    let opened = false;
    client.on('open', () => (opened = true));
    const ready = client.subscribe('Anything').ready();
    const error = await next(client, 'error');
    expect(isAuthError(error) && error.closeCode).toBe(4003);
    expect(error.message).toMatch(/\(close 4003: no token: none on the URL and no auth message in time\)$/);
    await expect(ready).rejects.toBe(error);
    expect([opened, client.state, server.history.length]).toEqual([false, 'closed', 1]);
  });

  it('the reference server selects eventwire.v1 and greets; a client that offers nothing is greeted the same', async () => {
    const server = track(await startServer());
    for (const offered of [['eventwire.v1'], []]) {
      const ws = new WebSocket(server.url, offered);
      track({ close: () => ws.terminate() });
      const [data] = (await once(ws, 'message')) as [Buffer];
      expect([ws.protocol, JSON.parse(String(data)).type]).toEqual([offered[0] ?? '', 'welcome']);
      ws.close();
    }
  });

  it('a server that selects no subprotocol is not a v1 server: DialectMismatchError, closed, no retry (ws and browsers)', async () => {
    const server = await otherServer(false);
    const url = `${server.url}/ws/project/p1?token=jwt`;
    for (const WebSocketClass of [undefined, BrowserLike]) {
      const client = track(createClient({ url, backoff: quick, signals: false, WebSocket: WebSocketClass }));
      const error = await next(client, 'error');
      expect(isDialectMismatchError(error) && error.dialect).toBe('eventwire');
      expect(error.message).toMatch(
        /^ws:\/\/127\.0\.0\.1:\d+\/ws\/project\/p1 did not select subprotocol eventwire\.v1: it is not an eventwire v1 server; .*querri\(\)/,
      );
      expect(error.message).not.toContain('jwt');
      expect(client.state).toBe('closed');
    }
    expect(server.offered).toEqual(['eventwire.v1', 'eventwire.v1']); // one attempt each: no retry
  });

  it('a server that selects it and never greets (a Node ws server selects what is offered): the timeout says so', async () => {
    const server = await otherServer(true);
    const client = track(createClient({ url: server.url, handshakeTimeout: 100, backoff: quick, signals: false }));
    const error = await next(client, 'error');
    expect(isConnectionError(error) && error.kind).toBe('timeout');
    expect(error.message).toMatch(
      /^cannot connect to ws:\/\/127\.0\.0\.1:\d+\/: no greeting from the eventwire server within 100 ms, though it selected subprotocol eventwire\.v1: is it a server of that dialect\?$/,
    );
  });

  it("a server that speaks but never sends the dialect's greeting: the timeout says frames came", async () => {
    const server = await actingServer((ws) => {
      ws.send(JSON.stringify({ type: 'item_created', app_slug: 'shop', timestamp: '2026-12-07T10:00:00Z' }));
    }, false);
    const client = track(
      createClient({ url: server.url, dialect: mdb(), handshakeTimeout: 100, backoff: quick, signals: false }),
    );
    const error = await next(client, 'error');
    expect(isConnectionError(error) && error.kind).toBe('timeout');
    expect(error.message).toMatch(
      /^cannot connect to ws:\/\/127\.0\.0\.1:\d+\/: no greeting from the mdb server within 100 ms, though it sent frames: is it a server of that dialect\?$/,
    );
  });

  it('mdb() against a Querri server: its messages, read before a greeting that never comes, name querri, and the client stops', async () => {
    const server = track(await startQuerri().start());
    const client = track(
      createClient({
        url: `${server.url}/ws/project/p1?token=jwt`,
        dialect: mdb(),
        handshakeTimeout: 300,
        backoff: quick,
      }),
    );
    const errors = errorsOf(client);
    await eventually(() => server.conns.size === 1);
    server.publish({ type: 'step_completed', timestamp: '2026-12-07T10:00:00', step: 1 });
    const closed = await next(client, 'close');
    expect(closed.willReconnect).toBe(false);
    expect(isDialectMismatchError(closed.error) && [closed.error.dialect, closed.error.reads]).toEqual([
      'mdb',
      'querri',
    ]);
    expect(closed.error?.message).toBe(
      "no greeting from the mdb server within 300 ms, and its messages are querri's: use dialect: querri()",
    );
    await reach(client, 'closed');
    expect(errors).toEqual([closed.error]);
  });

  it("an mdb app's own message named welcome (it carries app_slug, as every mdb message does) is an event, not a mismatch", async () => {
    const server = await actingServer((ws) => {
      ws.send(JSON.stringify({ type: 'connected', app_slug: 'chat' }));
      ws.send(JSON.stringify({ type: 'welcome', session_id: 'room-7', protocol: 1, user: 'bob', app_slug: 'chat' }));
    }, false);
    const client = track(createClient({ url: server.url, dialect: mdb(), signals: false }));
    const errors = errorsOf(client);
    const welcome = await next(client, 'message', (event) => event.event_type === 'welcome');
    expect(welcome.data).toMatchObject({ user: 'bob' });
    expect([client.state, errors]).toEqual(['open', []]);
  });

  it("mdb() and a Querri server whose messages carry data and timestamp (guessed eventwire's by shape): the timeout is retried, not a stop", async () => {
    const server = await actingServer((ws) => {
      ws.send(JSON.stringify({ type: 'step_completed', timestamp: '2026-12-07T10:00:00', data: { step: 1 } }));
    }, false);
    const client = track(
      createClient({ url: server.url, dialect: mdb(), handshakeTimeout: 100, backoff: quick, signals: false }),
    );
    const closed = await next(client, 'close');
    expect([closed.willReconnect, isConnectionError(closed.error) && closed.error.kind]).toEqual([true, 'timeout']);
  });

  it('the other dialects offer no subprotocol', async () => {
    const server = track(await startQuerri().start());
    const client = track(
      createClient({ url: `${server.url}/ws/project/p1?token=jwt`, dialect: querri(), signals: false }),
    );
    await reach(client, 'open');
    expect(server.history[0]?.headers['sec-websocket-protocol']).toBeUndefined();
  });
});

describe('frames of another dialect', () => {
  it('querri against v1 frames (no welcome): one DialectMismatchError names eventwire, later frames are counted', async () => {
    const tick = (i: number) => JSON.stringify({ event_type: 'Tick', timestamp: '2026-01-01T00:00:00Z', data: { i } });
    const server = await actingServer((ws) => [0, 1, 2, 3, 4, 5].forEach((i) => void ws.send(tick(i))), false);
    const client = track(createClient({ url: server.url, dialect: querri(), signals: false }));
    const errors = errorsOf(client);
    await eventually(() => client.stats().mismatchedFrames === 3);
    expect(errors.map((e) => e.name)).toEqual(['DecodeError', 'DecodeError', 'DialectMismatchError']);
    expect(errors[0]?.message).toBe('querri: a message needs a string type');
    expect(isDialectMismatchError(errors[2]) && errors[2].reads).toBe('eventwire');
    expect(errors[2]?.message).toMatch(
      /^3 frames in a row the querri dialect cannot read are eventwire frames: use no dialect option; more are counted in stats\(\)\.mismatchedFrames \(the last: querri: a message needs a string type\)$/,
    );
    expect(client.state).toBe('open'); // frames judged by shape: reported, and the client goes on
  });

  it('forge() and buster() against a v1 server that requires a token: close 4003, an AuthError, before any welcome (README)', async () => {
    const server = track(await startServer({ tokens: ['right'], authTimeout: 200 }));
    for (const dialect of [forge(), buster()]) {
      const client = track(createClient({ url: server.url, token: 'right', dialect, signals: false }));
      const error = await next(client, 'error', isAuthError);
      expect([dialect.name, isAuthError(error) && error.closeCode, client.state]).toEqual([
        dialect.name,
        4003,
        'closed',
      ]);
    }
  });

  for (const [name, dialect] of [
    ['querri', querri],
    ['mdb', mdb],
    ['forge', forge],
    ['buster', buster],
  ] as const) {
    it(`${name} against a v1 server: its welcome is no event; the client stops at once, naming eventwire`, async () => {
      const server = track(await startServer());
      const client = track(createClient({ url: server.url, dialect: dialect(), signals: false }));
      const errors = errorsOf(client);
      const messages: unknown[] = [];
      client.on('message', (event) => void messages.push(event));
      const closed = await next(client, 'close');
      expect(closed.willReconnect).toBe(false);
      expect(isDialectMismatchError(closed.error) && [closed.error.dialect, closed.error.reads]).toEqual([
        name,
        'eventwire',
      ]);
      expect(closed.error?.message).toBe(
        `the server greeted as a protocol v1 server, which the ${name} dialect cannot read: use no dialect option (eventwire's own)`,
      );
      await reach(client, 'closed');
      expect(errors).toEqual([closed.error]); // reported once
      expect(messages).toEqual([]);
    });
  }
});

/** A WebSocket with only the browser's API over `ws`, offering subprotocols as a browser does: a server that selects none still opens it, `protocol` ''. */
class BrowserLike {
  static readonly OPEN = 1;
  readonly #ws: WebSocket;
  onopen: (() => void) | null = null;
  onmessage: ((event: { data: unknown }) => void) | null = null;
  onclose: ((event: { code: number; reason: string }) => void) | null = null;
  onerror: ((event: unknown) => void) | null = null;
  binaryType = 'arraybuffer';
  constructor(url: string, protocols?: string[]) {
    // offered in the header, so that ws does not refuse the answer that selects none (browsers do not)
    const ws = new WebSocket(url, { headers: { 'sec-websocket-protocol': (protocols ?? []).join(', ') } });
    ws.onopen = () => this.onopen?.();
    ws.onmessage = (event) => this.onmessage?.({ data: event.data });
    ws.onclose = (event) => this.onclose?.({ code: event.code, reason: event.reason });
    ws.onerror = (event) => this.onerror?.(event);
    this.#ws = ws;
  }
  get readyState(): number {
    return this.#ws.readyState;
  }
  get protocol(): string {
    return this.#ws.protocol;
  }
  send(data: string): void {
    this.#ws.send(data);
  }
  close(code?: number, reason?: string): void {
    this.#ws.close(code, reason);
  }
}

// --- the CLI: `eventwire tail`, the built dist/cli.js, as a newcomer runs it ---

const CLI = fileURLToPath(new URL('../dist/cli.js', import.meta.url));

function tail(args: string[]) {
  const child: ChildProcess = spawn(process.execPath, [CLI, 'tail', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  track({ close: () => child.exitCode === null && child.kill('SIGKILL') });
  const out = { stdout: '', stderr: '' };
  child.stdout?.on('data', (d) => (out.stdout += d));
  child.stderr?.on('data', (d) => (out.stderr += d));
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  /** Resolves once `pattern` is on `stream` (each chunk wakes it: no polling). */
  const waitFor = async (stream: 'stdout' | 'stderr', pattern: RegExp) => {
    while (!pattern.test(out[stream])) await once(child[stream] as NodeJS.ReadableStream, 'data');
  };
  const lines = () => out.stderr.trimEnd().split('\n');
  return { child, out, exited, waitFor, lines };
}

describe('the CLI says what failed', () => {
  it('refused: each attempt on one line, whole-ms delays, and "gave up after 1 attempt" with the cause', async () => {
    const url = await refusedUrl();
    const run = tail([url, '--max-retries', '1']);
    expect(await run.exited).toBe(3);
    const cause = `cannot connect to ${url}/: connection refused (ECONNREFUSED)`;
    const said = run.lines().filter((l) => l.includes(cause)); // a failed attempt and its retry: one line
    expect(said).toHaveLength(2);
    expect(said[0]).toMatch(/^eventwire: reconnecting: attempt 1 in \d+ ms \(cannot connect to /);
    expect(said[0]?.endsWith(` ms (${cause})`)).toBe(true);
    expect(said[1]).toBe(`eventwire: gave up reconnecting after 1 attempt: ${cause}`);
    expect(run.lines().at(-1)).toBe(said[1]);
  });

  it('no token against a server that needs one: never "open", exit 2 with the reason', async () => {
    const server = track(await startServer({ tokens: ['t'], authTimeout: 200 }));
    const run = tail([server.url]);
    expect(await run.exited).toBe(2);
    expect(run.lines().some((l) => l.startsWith('eventwire: open'))).toBe(false);
    expect(run.lines().at(-1)).toMatch(/^eventwire: authentication rejected by the server \(close 4003: no token: /);
  });

  it('https:// to a plain server: one line that names TLS and suggests ws://, no OpenSSL dump', async () => {
    const plain = await httpServer();
    const run = tail([`https://127.0.0.1:${plain.port}`, '--max-retries', '0']);
    expect(await run.exited).toBe(3);
    for (const line of run.lines()) expect(line).toMatch(/^eventwire: /);
    expect(run.out.stderr).not.toContain('ssl3_record');
    expect(run.lines().at(-1)).toMatch(
      /TLS failed \(EPROTO: wrong version number\): .*is it ws:\/\/ rather than wss:\/\/\?$/,
    );
  });

  it('--dialect querri against a v1 server: its welcome names the eventwire dialect on one line, nothing on stdout, exit 1', async () => {
    const server = track(await startServer());
    const run = tail([server.url, '--dialect', 'querri']);
    expect(await run.exited).toBe(1); // it went on (printing nothing of the server's events) until a signal
    expect(run.out.stdout).toBe(''); // the welcome was printed as an event
    expect(run.lines().at(-1)).toMatch(/greeted as a protocol v1 server.*; run with --dialect eventwire$/);
  });

  it('the default dialect against a server of another dialect: exits naming the mismatch', async () => {
    const server = await otherServer(false);
    const run = tail([`${server.url}/ws/project/p1?token=jwt`]);
    expect(await run.exited).toBe(1);
    expect(run.lines().at(-1)).toMatch(/did not select subprotocol eventwire\.v1: it is not an eventwire v1 server/);
  });
});
