/**
 * Conformance: the mdb dialect against mdb_engine 0.1.6's WebSocket endpoint rebuilt as a
 * FastAPI app on uvicorn (test/fixtures/python/mdb_app.py, each behaviour cited by
 * routing/websockets.py line), with the routing README's example handler as the app.
 */

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { mdb } from '../../src/dialects/index.js';
import { type AuthError, createClient, type EventwireEvent, isAuthError } from '../../src/index.js';
import { track } from '../cleanup.js';
import { BrowserWebSocket } from '../fixtures/dialects/browser-socket.js';
import { type PythonServer, startPython, until } from '../fixtures/python.js';
import { loopStalls, next, reach } from '../helpers.js';
import { collect, quick } from './collect.js';

interface Record {
  path: string;
  query: { [k: string]: string };
  cookies: { [k: string]: string };
  received: unknown[];
  pings: number;
  greeted: boolean;
  closed: number | null;
}

let server: PythonServer;
let jwt: string;
beforeAll(async () => {
  server = await startPython('mdb_app', { MDB_PING_INTERVAL: '30' });
  jwt = await mint(server);
}, 30_000);
afterAll(() => server?.close());

const mint = async (on: PythonServer, claims: object = { sub: 'u-1', email: 'ada@example.com' }) =>
  (await on.post<{ token: string }>('/_test/token', claims)).token;
const records = async (on: PythonServer) => (await on.get<{ connections: Record[] }>('/_test/state')).connections;
const broadcast = (on: PythonServer, message: object) => on.post('/_test/broadcast', { message });
type Options = Parameters<typeof createClient>[0];
const client = (on: PythonServer, extra: Partial<Options> = {}) =>
  track(createClient({ url: `${on.url}/ws`, token: jwt, dialect: mdb(), signals: false, backoff: quick, ...extra }));
/** A second client of the app, speaking raw JSON, as another browser tab would. */
async function raw(on: PythonServer): Promise<WebSocket> {
  const ws = track(new WebSocket(`${on.url}/ws?token=${jwt}`));
  await new Promise((r) => ws.once('message', r)); // its greeting
  return ws;
}
const NAIVE = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/;

describe('mdb dialect against mdb_engine 0.1.6 on FastAPI + uvicorn', () => {
  it('the connected greeting opens the link (no session id) and is an event; {type, data} messages are events, app_slug in metadata, naive timestamps as UTC', async () => {
    const c = client(server);
    const connected = collect((h) => c.on('connected', h));
    const created = collect((h) => c.on('item_created', h));
    const opened = await next(c, 'open');
    expect(opened.sessionId).toBeUndefined();
    await connected.until(1);
    expect(connected.seen[0]?.data).toMatchObject({ authenticated: true, user_email: 'ada@example.com' });
    const before = Date.now();
    await broadcast(server, { type: 'item_created', data: { id: 'i-1' } });
    await created.until(1);
    const ev = created.seen[0] as EventwireEvent;
    expect(ev).toMatchObject({ event_type: 'item_created', data: { id: 'i-1' }, metadata: { app_slug: 'my_app' } });
    expect(ev.timestamp).toMatch(NAIVE); // the engine's naive utcnow(), read as UTC
    expect(Math.abs(Date.parse(ev.timestamp) - before)).toBeLessThan(5_000);
  });

  it('data_response keeps data_type (every field the server sends is in data or metadata)', async () => {
    const c = client(server);
    const got = collect((h) => c.on('data_response', h));
    await reach(c, 'open');
    c.send({ type: 'request_data', data_type: 'users' });
    await got.until(1);
    expect(got.seen[0]).toMatchObject({
      data: { rows: [1, 2, 3], of: 'users' },
      metadata: { data_type: 'users', app_slug: 'my_app' },
    });
  });

  it("subscribe sends {type:'subscribe', channel}; its own echo is consumed, another client's subscribed reaches listeners", async () => {
    const c = client(server);
    const everything = collect((h) => c.on('message', h));
    const sub = c.subscribe('notification', { filters: { 'metadata.channel': 'alerts' } });
    const got = collect((h) => sub.on(h));
    await reach(c, 'open');
    const mine = (await records(server)).length - 1;
    await until(async () => (await records(server))[mine]?.received.length === 1);
    expect((await records(server))[mine]?.received).toEqual([{ type: 'subscribe', channel: 'alerts' }]);
    const tab = await raw(server);
    tab.send(JSON.stringify({ type: 'subscribe', channel: 'news' }));
    await until(async () => everything.seen.some((e) => e.event_type === 'subscribed'));
    await broadcast(server, { type: 'notification', channel: 'alerts', data: { message: 'Hello' } });
    await got.until(1);
    await until(async () => everything.seen.length >= 3);
    expect(everything.seen.map((e) => [e.event_type, e.metadata?.channel])).toEqual([
      ['connected', undefined],
      ['subscribed', 'news'],
      ['notification', 'alerts'],
    ]);
    sub.unsubscribe();
    await until(async () => (await records(server))[mine]?.received.length === 2);
    expect((await records(server))[mine]?.received[1]).toEqual({ type: 'unsubscribe', channel: 'alerts' });
    await broadcast(server, { type: 'marker' }); // after the unsubscribed echo: it was consumed
    await until(async () => everything.seen.at(-1)?.event_type === 'marker');
    expect(everything.seen.map((e) => e.event_type)).not.toContain('unsubscribed');
  });

  it('one mdb() given to two clients: each consumes only the echo of its own subscribe', async () => {
    const dialect = mdb();
    const a = client(server, { dialect });
    const b = client(server, { dialect });
    const seenA = collect((h) => a.on('message', h));
    const seenB = collect((h) => b.on('message', h));
    await reach(a, 'open');
    await reach(b, 'open');
    a.subscribe('notification', { filters: { 'metadata.channel': 'alerts' } });
    await until(async () => seenB.seen.some((e) => e.event_type === 'subscribed')); // a's echo, to b: an event
    b.subscribe('notification', { filters: { 'metadata.channel': 'news' } });
    await until(async () => seenA.seen.some((e) => e.event_type === 'subscribed')); // b's echo, to a: an event
    await broadcast(server, { type: 'marker' });
    await until(async () => seenA.seen.some((e) => e.event_type === 'marker'));
    await until(async () => seenB.seen.some((e) => e.event_type === 'marker'));
    const echoes = (seen: EventwireEvent[]) =>
      seen.filter((e) => e.event_type === 'subscribed').map((e) => e.metadata?.channel);
    expect([echoes(seenA.seen), echoes(seenB.seen)]).toEqual([['news'], ['alerts']]);
  });

  it("the app's pong and error messages reach listeners as events", async () => {
    const c = client(server);
    const pongs = collect((h) => c.on('pong', h));
    const errors = collect((h) => c.subscribe('error').on(h));
    await reach(c, 'open');
    (await raw(server)).send(JSON.stringify({ type: 'ping', timestamp: 't-1' })); // the app broadcasts pong to all
    await pongs.until(1);
    expect(pongs.seen[0]?.data).toMatchObject({ type: 'pong', app_slug: 'my_app' });
    c.send({ type: 'action', action: 'fail' }); // the app answers the sender {type:"error", message}
    await errors.until(1);
    expect(errors.seen[0]?.data).toMatchObject({ type: 'error', message: 'action failed' });
  });

  it('headers (Node): the token in the cookies the engine reads, ws_token or token; mdb_token is not read (1008)', async () => {
    for (const cookie of [`theme=dark; ws_token=${jwt}`, `token=${jwt}`]) {
      const c = client(server, { token: undefined, headers: { cookie } });
      await reach(c, 'open');
      const rec = (await records(server)).at(-1);
      expect([rec?.query, rec?.greeted]).toEqual([{}, true]);
      await c.close();
    }
    const wrong = client(server, { token: undefined, headers: { cookie: `mdb_token=${jwt}` } });
    const error = (await next(wrong, 'error', isAuthError)) as AuthError;
    expect(error.closeCode).toBe(1008);
    expect(error.message).toContain('Authentication required');
  });

  it('no token: close 1008 after accept stops with AuthError', async () => {
    const c = client(server, { token: undefined });
    expect(isAuthError(await next(c, 'error', isAuthError))).toBe(true);
    expect(c.state).toBe('closed');
  });

  it('a bad signature: the engine drops the socket after accept (1006), never greets; the client backs off, not open', async () => {
    const c = client(server, { token: `${jwt}x`, backoff: { minDelay: 20, maxDelay: 100 } });
    const closes = collect<{ code: number; willReconnect: boolean }>((h) => c.on('close', h));
    const opens = collect((h) => c.on('open', h));
    const errors = collect<{ code: string; message: string }>((h) => c.on('error', h));
    await closes.until(3);
    expect(closes.seen.map((e) => [e.code, e.willReconnect])).toEqual([
      [1006, true],
      [1006, true],
      [1006, true],
    ]);
    expect(opens.seen).toEqual([]);
    // reported at each attempt (a ConnectionError), never as a refusal: the server gave no reason
    expect(errors.seen.length).toBeGreaterThanOrEqual(3);
    expect(errors.seen.every((e) => e.code === 'ERR_CONNECTION')).toBe(true);
    expect(errors.seen.some((e) => /accepted the connection and dropped it/.test(e.message))).toBe(true);
    const tried = (await records(server)).filter((r) => r.query.token === `${jwt}x`);
    expect(tried.length).toBeGreaterThanOrEqual(3);
    expect(tried.every((r) => !r.greeted)).toBe(true);
  });

  it('the path as the engine registers it: /ws opens, the old example /my_app/ws is a 403 that the AuthError says may be the path', async () => {
    const c = client(server, { url: `${server.url}/my_app/ws` });
    const error = (await next(c, 'error', isAuthError)) as AuthError;
    expect(error.message).toMatch(/HTTP 403.*no WebSocket route has this path/);
  });

  it('a reconnect greets again and restores the channel subscription', async () => {
    const c = client(server);
    const sub = c.subscribe('notification', { filters: { 'metadata.channel': 'alerts' } });
    await reach(c, 'open');
    const first = (await records(server)).length - 1;
    await server.post('/_test/close?code=1012');
    await next(c, 'open');
    await until(async () => (await records(server)).length > first + 1);
    await until(async () => (await records(server))[first + 1]?.received.length === 1);
    expect((await records(server))[first + 1]?.received).toEqual([{ type: 'subscribe', channel: 'alerts' }]);
    expect(sub.state).toBe('active');
  });
});

describe('mdb: idle links on the real stack (keepalive 0.2 s, uvicorn pings 0.3 s)', () => {
  const shrunk = { MDB_PING_INTERVAL: '0.2', UVICORN_WS_PING_INTERVAL: '0.3', UVICORN_WS_PING_TIMEOUT: '2' };

  it('Node (WebSocket pings): idle for 3+ periods of each, no reconnect', async () => {
    const own = track(await startPython('mdb_app', shrunk));
    const c = client(own, { token: await mint(own), heartbeat: { interval: 100, timeout: 400 } });
    const trouble = collect<string>((h) => c.on('reconnecting', () => h('reconnecting')));
    await reach(c, 'open');
    // six keepalive periods (1.2 s, four of uvicorn's), counted at the server, not slept: on a
    // loaded machine a fixed wait could end before three of them
    await until(async () => ((await records(own))[0]?.pings ?? 0) >= 6);
    expect([c.state, trouble.seen, (await records(own)).length]).toEqual(['open', [], 1]);
  }, 60_000); // it starts its own Python stack (a start-up allowed 20 s): seconds on a loaded machine

  it("browsers (no WebSocket pings): the engine's keepalive, answered with pong, keeps it open; a hung server is detected", async () => {
    const own = track(await startPython('mdb_app', shrunk));
    const c = client(own, {
      token: await mint(own),
      dialect: mdb({ pingInterval: 200 }),
      heartbeat: { timeout: 400 },
      WebSocket: BrowserWebSocket,
    });
    const trouble = collect<string>((h) => c.on('reconnecting', () => h('reconnecting')));
    await reach(c, 'open');
    await until(async () => {
      const [r] = await records(own); // counted, not slept (see above); and three pongs back
      return (r?.pings ?? 0) >= 6 && (r?.received.length ?? 0) >= 3;
    });
    const [rec] = await records(own);
    expect(rec?.received.slice(0, 3)).toEqual([{ type: 'pong' }, { type: 'pong' }, { type: 'pong' }]);
    expect([c.state, trouble.seen]).toEqual(['open', []]);
    const started = performance.now();
    const stalls = loopStalls();
    own.pause();
    await next(c, 'close');
    own.resume();
    // plus the longest this event loop was held up: a loaded machine runs the heartbeat's timers late
    expect(performance.now() - started).toBeLessThan(200 + 400 + 1_000 + stalls.stop());
  }, 60_000);
});
