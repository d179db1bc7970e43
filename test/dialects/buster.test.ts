/**
 * Conformance: the Buster dialect against an emulator rebuilt from buster-so/buster's Rust
 * source (test/fixtures/dialects/buster.ts cites the lines): `?authentication=`, text frames,
 * a text keepalive, HTTP 401 + `Sec-WebSocket-Close-Code: 4001`, chats answered in several
 * messages.
 */
import { describe, expect, it } from 'vitest';
import { buster } from '../../src/dialects/index.js';
import {
  createClient,
  isAuthError,
  isClosedError,
  isRequestError,
  isServerError,
  isTimeoutError,
  type LifecycleEvents,
} from '../../src/index.js';
import { track } from '../cleanup.js';
import { BrowserWebSocket } from '../fixtures/dialects/browser-socket.js';
import { type BusterOptions, startBuster } from '../fixtures/dialects/buster.js';
import { eventually, next, reach } from '../helpers.js';
import { collect, quick } from './collect.js';

/** The emulator as the server is: the token only where auth.rs reads it. */
const start = async (opts: BusterOptions = {}) => track(await startBuster(opts).start());
const client = (url: string, extra: Partial<Parameters<typeof createClient>[0]> = {}) =>
  track(createClient({ url, token: 'jwt', dialect: buster(), signals: false, backoff: quick, ...extra }));
const keepalives = (received: unknown[] | undefined) =>
  (received ?? []).filter((m) => (m as { type?: unknown }).type === 'keepalive').length;

describe('buster dialect (buster-so/buster source)', () => {
  it('the token goes in ?authentication= (never ?token=), and the server accepts it', async () => {
    const server = await start();
    const c = client(server.url);
    await reach(c, 'open');
    const url = server.history[0]?.url;
    expect([url?.searchParams.get('authentication'), url?.searchParams.has('token')]).toEqual(['jwt', false]);
    // in Node the header the server reads first works too, without `token`
    const byHeader = client(server.url, { token: undefined, headers: { Authorization: 'Bearer jwt' } });
    await reach(byHeader, 'open');
    expect(server.history).toHaveLength(2);
  });

  it('text frames are events named by `event`: data is `payload`, metadata the whole message; gzip binary is read too', async () => {
    const server = await start();
    const c = client(server.url);
    const got = collect((h) => c.on('message', h));
    await reach(c, 'open');
    server.publish('jwt', { route: '/chats/post', event: 'generatingTitle', payload: { title: 'Q3' } });
    server.gzip = true;
    server.publish('jwt', { route: '/threads/get', event: 'threadUpdated', sent_by: { id: 'u-2', name: 'Ann' } });
    await got.until(2);
    expect(got.seen[0]).toMatchObject({
      event_type: 'generatingTitle',
      data: { title: 'Q3' },
      metadata: { route: '/chats/post', event: 'generatingTitle', sent_by: null, error: null, send_method: 'All' },
    });
    expect(got.seen[1]).toMatchObject({
      event_type: 'threadUpdated',
      metadata: { sent_by: { id: 'u-2', name: 'Ann' } },
    });
  });

  it('/chats/post resolves with `complete`; the messages before it, and all of them on another connection of the user, are events', async () => {
    const server = await start();
    const a = client(server.url);
    const b = client(server.url);
    const onA = collect((h) => a.on('message', h));
    const onB = collect((h) => b.on('message', h));
    await Promise.all([reach(a, 'open'), reach(b, 'open')]);
    const chat = await a.request('/chats/post', { prompt: 'revenue by month' });
    expect(chat).toMatchObject({ title: 'Revenue', prompt: 'revenue by month' });
    expect(server.history[0]?.received).toContainEqual({
      route: '/chats/post',
      payload: { prompt: 'revenue by month' },
    });
    const progress = [
      'initializeChat',
      'generatingReasoningMessage',
      'generatingResponseMessage',
      'generatingResponseMessage',
      'generatingTitle',
    ];
    expect(onA.seen.map((e) => e.event_type)).toEqual(progress);
    await onB.until(6);
    expect(onB.seen.map((e) => e.event_type)).toEqual([...progress, 'complete']);
  });

  it('errors (SCREAMING_SNAKE codes) end a chat request; with no request waiting they are ServerErrors naming the route', async () => {
    const server = await start();
    const a = client(server.url);
    const b = client(server.url);
    const bErrors: unknown[] = [];
    b.on('error', (e) => void bErrors.push(e));
    const started = collect((h) => a.on('initializeChat', h));
    const failed = await a.request('/chats/post', { prompt: 'fail' }).catch((e: unknown) => e);
    expect(isRequestError(failed) && [failed.serverCode, failed.method]).toEqual([
      'INTERNAL_SERVER_ERROR',
      '/chats/post',
    ]);
    expect(started.seen).toHaveLength(1);
    const bad = await a.request('/chats/post', { asset_id: 'x' }).catch((e: unknown) => e);
    expect(isRequestError(bad) && bad.serverCode).toBe('BAD_REQUEST');
    await eventually(() => bErrors.length === 2);
    expect(bErrors.every(isServerError)).toBe(true);
    expect(String(bErrors[1])).toMatch(/BAD_REQUEST.*\/chats\/post, postThread/);
  });

  it('the terminal events of a route can be set; a route not listed is answered by its first message', async () => {
    const server = await start({
      routes: {
        '/reports/run': () => [{ event: 'queued' }, { event: 'running' }, { event: 'done', payload: { rows: 3 } }],
        '/chats/get': (p) => [{ event: 'getChat', payload: { id: (p as { id: string }).id } }],
      },
    });
    const c = client(server.url, { dialect: buster({ terminal: { '/reports/run': ['done', 'cancelled'] } }) });
    const running = collect((h) => c.on('running', h));
    expect(await c.request('/reports/run', {})).toEqual({ rows: 3 });
    expect(running.seen).toHaveLength(1);
    expect(await c.request('/chats/get', { id: 'c-1' })).toEqual({ id: 'c-1' });
    // the defaults stay for routes the option does not name
    expect(await c.request('/chats/post', { prompt: 'p' })).toMatchObject({ title: 'Revenue' });
  });

  it('an unknown route, or a payload the server cannot read, gets no answer: TimeoutError naming the route', async () => {
    const server = await start();
    const c = client(server.url);
    const unknown = await c.request('/nope/x', {}, { timeout: 200 }).catch((e: unknown) => e);
    const unreadable = await c.request('/chats/post', 'not an object', { timeout: 200 }).catch((e: unknown) => e);
    expect(isTimeoutError(unknown) && unknown.message).toMatch(/^\/nope\/x got no response within 200 ms/);
    expect(isTimeoutError(unreadable) && unreadable.message).toMatch(/^\/chats\/post got no response/);
    expect([c.state, server.history.length]).toEqual(['open', 1]);
  });

  it('a request pending when the link drops is sent again on the next link, and resolves once', async () => {
    const server = await start();
    const c = client(server.url);
    c.on('error', () => {}); // a link dropped as soon as it opened is reported: not what this test is about
    await reach(c, 'open');
    server.freeze();
    const result = c.request('/chats/post', { prompt: 'again' });
    server.dropAll();
    await server.restart();
    expect(await result).toMatchObject({ prompt: 'again' });
  });
});

describe('buster: an idle link stays up (server timings shrunk: 600 ms without a text frame closes it)', () => {
  const idle = { clientTimeout: 600, pingInterval: 60_000 };

  it('control: with only WebSocket pings from the client, the server closes the link', async () => {
    const server = await start(idle);
    const wsOnly = { ...buster(), liveness: { mode: 'ws', fallback: { mode: 'none' } } as const };
    const c = client(server.url, { dialect: wsOnly, heartbeat: { interval: 100, timeout: 1_000 } });
    await reach(c, 'open');
    await next(c, 'close');
    expect(server.history[0]?.ended).toBe('idle');
    expect(server.history[0]?.pings).toBeGreaterThan(2);
  });

  it('Node: a text keepalive every heartbeat.interval, with a WebSocket ping, keeps it for twelve periods and three timeouts', async () => {
    const server = await start(idle);
    const c = client(server.url, { heartbeat: { interval: 150, timeout: 1_000 } });
    const closes: LifecycleEvents['close'][] = [];
    c.on('close', (e) => void closes.push(e));
    await reach(c, 'open');
    await eventually(() => keepalives(server.history[0]?.received) >= 12);
    expect(closes).toEqual([]);
    expect([c.state, server.history.length, server.history[0]?.ended]).toEqual(['open', 1, undefined]);
    expect(server.history[0]?.pings).toBeGreaterThanOrEqual(11);
  });

  it('browsers: the keepalive awaits no answer, so a timeout shorter than the period drops nothing', async () => {
    const server = await start(idle);
    const c = client(server.url, { WebSocket: BrowserWebSocket, heartbeat: { interval: 150, timeout: 20 } });
    const closes: LifecycleEvents['close'][] = [];
    c.on('close', (e) => void closes.push(e));
    await reach(c, 'open');
    await eventually(() => keepalives(server.history[0]?.received) >= 12);
    expect(closes).toEqual([]);
    expect([c.state, server.history.length, server.history[0]?.pings]).toEqual(['open', 1, 0]);
  });

  it('Node: a server that stops answering is a dead link (the keepalive ping gets no pong)', async () => {
    const server = await start(idle);
    const c = client(server.url, { heartbeat: { interval: 50, timeout: 100 } });
    await reach(c, 'open');
    server.freeze();
    expect((await next(c, 'close')).reason).toMatch(/heartbeat timeout/);
  });
});

describe('buster: refusals of the upgrade', () => {
  it('HTTP 401 with Sec-WebSocket-Close-Code 4001 asks the token function again and retries at once', async () => {
    const server = await start();
    const tokens = ['expired', 'jwt'];
    let asked = 0;
    const c = client(server.url, { token: () => tokens[asked++] ?? 'jwt', backoff: { minDelay: 5_000 } });
    const errors: unknown[] = [];
    c.on('error', (e) => errors.push(e));
    const close = next(c, 'close');
    await reach(c, 'open');
    expect(await close).toMatchObject({ code: 4001, reason: 'invalid jwt', willReconnect: true });
    expect(asked).toBe(2);
    expect(errors).toMatchObject([{ code: 'ERR_CONNECTION', status: 401 }]); // the refused attempt, said
  });

  it('4001 refusing a static token, or a fresh token right after a refusal, stops with AuthError 4001', async () => {
    const server = await start();
    const fixed = client(server.url, { token: 'expired' });
    const refused = await next(fixed, 'error', isAuthError);
    expect(isAuthError(refused) && [refused.closeCode, refused.status, fixed.state]).toEqual([4001, 401, 'closed']);
    let asked = 0;
    const fn = client(server.url, { token: () => `expired-${++asked}` });
    await next(fn, 'error', isAuthError);
    expect([asked, fn.state, server.history.length]).toEqual([2, 'closed', 0]);
  });

  it('a bare HTTP 401 (a token that is no user) stops with AuthError', async () => {
    const server = await start({ noUser: ['revoked'] });
    const c = client(server.url, { token: 'revoked' });
    const error = await next(c, 'error', isAuthError);
    expect(isAuthError(error) && [error.closeCode, error.status]).toEqual([1006, 401]); // the status, where no close code says it
    expect(c.state).toBe('closed');
  });

  it('HTTP 402 stops with a ClosedError that says payment is required, after one attempt', async () => {
    const server = await start({ paymentRequired: ['unpaid'] });
    const c = client(server.url, { token: 'unpaid' });
    const error = await next(c, 'error', isClosedError);
    expect(error.message).toMatch(/HTTP 402 Payment Required/);
    expect(c.state).toBe('closed');
    expect(server.history).toHaveLength(0);
  });

  it('HTTP 404 (a path that is not /api/v1/ws) stops with a ClosedError naming it', async () => {
    const server = await start();
    const c = client(server.url.replace('/api/v1/ws', '/ws'));
    expect((await next(c, 'error', isClosedError)).message).toMatch(/HTTP 404 Not Found/);
    expect([c.state, server.history.length]).toEqual(['closed', 0]);
  });
});
