/** Conformance: the forge dialect against an emulator of forge-reasoning/src/websocket.rs (seed 002). */
import { describe, expect, it } from 'vitest';
import { forge } from '../../src/dialects/index.js';
import { createClient, isAuthError, isDecodeError, isRequestError, isServerError } from '../../src/index.js';
import { track } from '../cleanup.js';
import { BrowserWebSocket } from '../fixtures/dialects/browser-socket.js';
import { startForge } from '../fixtures/dialects/forge.js';
import { actingServer } from '../fixtures/ws-server.js';
import { eventually, next, reach } from '../helpers.js';
import { collect, quick } from './collect.js';

const secured = { requireAuth: true, authToken: 'secret' };
const start = async (opts: Parameters<typeof startForge>[0] = secured) => track(await startForge(opts).start());
const client = (url: string, extra: Partial<Parameters<typeof createClient>[0]> = {}) =>
  track(createClient({ url, token: 'secret', dialect: forge(), signals: false, backoff: quick, ...extra }));
const methods = (received: unknown[] | undefined) => (received ?? []).map((m) => (m as { method: string }).method);

describe('forge dialect (websocket.rs, seed 002)', () => {
  it('authenticate goes first on every connection; requests made before it wait, and go out once', async () => {
    const server = await start();
    const c = client(server.url, { lazy: true });
    const metrics = c.request<{ active_sessions: number }>('metrics'); // before anything is open
    expect((await metrics).active_sessions).toBe(0);
    expect(methods(server.history[0]?.received)).toEqual(['authenticate', 'metrics']);
    expect(server.history[0]?.received[1]).toMatchObject({ method: 'metrics', params: {} });
  });

  it("request() resolves with the result; the server's error string rejects with RequestError", async () => {
    const server = await start();
    const c = client(server.url);
    const session = await c.request<string>('create_session', { name: 'demo' });
    expect(await c.request('list_checkpoints', { session_id: session })).toEqual([]);
    const error = await c.request('list_checkpoints', {}).catch((e) => e);
    expect(isRequestError(error) && error.message).toMatch(/Missing session_id parameter/);
  });

  it('subscribe by session_id: active on its answer, events reach sub.on() and client.on()', async () => {
    const server = await start();
    const c = client(server.url);
    const session = await c.request<string>('create_session', {});
    const sub = c.subscribe('checkpoint_created', { filters: { session_id: session } });
    const got = collect((h) => sub.on(h));
    const all = collect((h) => c.on('checkpoint_created', h));
    await new Promise<void>((r) => sub.on('state', ({ to }) => to === 'active' && r()));
    const id = await c.request<string>('checkpoint', { session_id: session, message: 'first' });
    await got.until(1);
    await all.until(1);
    expect(got.seen[0]?.data).toMatchObject({ checkpoint_id: id, session_id: session });
    // every field the server sends is on the event: data whole, its timestamp also as ev.timestamp
    const data = got.seen[0]?.data as { timestamp: string };
    expect(Object.keys(data).sort()).toEqual(['checkpoint_id', 'session_id', 'timestamp']);
    expect([got.seen[0]?.event_type, got.seen[0]?.timestamp]).toEqual(['checkpoint_created', data.timestamp]);
    expect(server.history[0]?.received).toContainEqual({
      id: `${sub.id}#0`,
      method: 'subscribe',
      params: { session_id: session },
    });
  });

  it('a reconnect authenticates again, restores subscriptions and says gap', async () => {
    const server = await start();
    const c = client(server.url);
    const session = await c.request<string>('create_session', {});
    const sub = c.subscribe('checkpoint_created', { filters: { session_id: session } });
    const gaps = collect<object>((h) => sub.on('gap', h));
    await new Promise<void>((r) => sub.on('state', ({ to }) => to === 'active' && r()));
    server.dropAll();
    await gaps.until(1);
    expect(methods(server.history[1]?.received)).toEqual(['authenticate', 'subscribe']);
  });

  it('a token given to a server that does not require auth (its default) opens the link', async () => {
    const server = await start({}); // WebSocketConfig::default(): require_auth false, auth_token None
    const c = client(server.url);
    const errors = collect((h) => c.on('error', h));
    await reach(c, 'open');
    const session = await c.request<string>('create_session', {});
    expect(typeof session).toBe('string');
    expect(server.history[0]?.received.slice(0, 2)).toMatchObject([
      { method: 'authenticate', params: { token: 'secret' } },
      { id: 'eventwire-auth-probe' },
    ]);
    expect([c.state, errors.seen.length, server.history.length]).toEqual(['open', 0, 1]);
  });

  it('a token refused by a server that requires auth stops with AuthError', async () => {
    for (const config of [secured, { requireAuth: true }]) {
      const server = await start(config);
      const refused = client(server.url, { token: 'wrong' });
      const error = await next(refused, 'error', isAuthError);
      expect(error.message).toMatch(/Invalid authentication token/);
      expect(refused.state).toBe('closed');
    }
  });

  it('a success answering no request is a DecodeError (it was dropped without a word); a late one after a timeout is not', async () => {
    let slow = '';
    const server = await actingServer((ws) =>
      ws.on('message', (raw) => {
        const command = JSON.parse(String(raw)) as { id: string; method: string };
        if (command.method === 'authenticate') ws.send(JSON.stringify({ id: command.id, success: true, result: {} }));
        if (command.method === 'slow') slow = command.id; // answered late: once the client gave up on it
        if (command.method === 'stray') ws.send(JSON.stringify({ id: slow, success: true }));
        if (command.method === 'stray') ws.send(JSON.stringify({ id: 'never-asked', success: true, result: 1 }));
        if (command.method === 'metrics') ws.send(JSON.stringify({ id: command.id, success: true, result: 2 }));
      }),
    );
    const c = client(server.url);
    const errors: unknown[] = [];
    c.on('error', (e) => void errors.push(e));
    expect(await c.request('slow', {}, { timeout: 20 }).catch((e) => e.code)).toBe('ERR_TIMEOUT');
    void c.request('stray', {}, { timeout: 20 }).catch(() => {});
    await eventually(() => errors.length === 1);
    expect(await c.request('metrics')).toBe(2); // the late answer to slow came before: no error for it
    expect(errors.map((e) => isDecodeError(e) && [e.reason, e.message])).toEqual([
      ['invalid_message', 'forge: a response to "never-asked", no request\'s'],
    ]);
  });

  it('"Server at capacity" is reported as a ServerError, then retried with backoff', async () => {
    const server = await start({ ...secured, maxConnections: 1 });
    const first = client(server.url);
    await reach(first, 'open');
    const second = client(server.url);
    const errors: unknown[] = [];
    second.on('error', (e) => errors.push(e)); // the retries are refused too: each is said
    const capacity = await next(second, 'error', isServerError);
    expect(capacity.message).toMatch(/Server at capacity/);
    await next(second, 'reconnecting');
    expect(errors[0]).toBe(capacity);
  });

  it('liveness by WebSocket pings (Node): an idle link stays open, a frozen one is detected', async () => {
    const server = await start();
    // the timeout is generous: a loaded machine can hold the pong longer than a short one, and
    // the frozen server is still found
    const c = client(server.url, { heartbeat: { interval: 50, timeout: 1_000 } });
    await reach(c, 'open');
    const pongs = collect<number>((h) => {
      let n = 0;
      server.history[0]?.ws.on('ping', () => h(++n));
    });
    await pongs.until(5);
    expect(c.state).toBe('open');
    server.freeze();
    await next(c, 'close');
    await eventually(() => server.history.length === 2);
  });

  it('browsers: an unknown command, always answered, is the ping: idle stays open, frozen is found', async () => {
    const server = await start();
    const c = client(server.url, { WebSocket: BrowserWebSocket, heartbeat: { interval: 30, timeout: 1_000 } }); // generous, as above
    const closes = collect((h) => c.on('close', h));
    await reach(c, 'open');
    const pings = () =>
      (server.history[0]?.received ?? []).filter((m) => (m as { id?: string }).id === 'eventwire-ping');
    await eventually(() => pings().length >= 5);
    expect([c.state, closes.seen.length, server.history.length]).toEqual(['open', 0, 1]);
    server.freeze();
    const closed = await next(c, 'close');
    expect(closed.reason).toMatch(/heartbeat timeout/);
  });
});
