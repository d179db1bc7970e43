/** Conformance: the forge dialect against an emulator that follows seed 002's code literally. */
import { describe, expect, it } from 'vitest';
import { forge } from '../../src/dialects/index.js';
import { createClient, isAuthError, isRequestError, isServerError } from '../../src/index.js';
import { track } from '../cleanup.js';
import { startForge } from '../fixtures/dialects/forge.js';
import { eventually, next, reach } from '../helpers.js';
import { collect, quick } from './collect.js';

const start = async (opts?: Parameters<typeof startForge>[0]) => track(await startForge(opts).start());
const client = (url: string, extra: Partial<Parameters<typeof createClient>[0]> = {}) =>
  track(createClient({ url, token: 'secret', dialect: forge(), signals: false, backoff: quick, ...extra }));
const methods = (received: unknown[] | undefined) => (received ?? []).map((m) => (m as { method: string }).method);

describe('forge dialect (seed 002)', () => {
  it('authenticate goes first on every connection; requests made before it wait, and go out once', async () => {
    const server = await start();
    const c = client(server.url, { lazy: true });
    const metrics = c.request<{ sessions: number }>('metrics'); // before anything is open
    expect((await metrics).sessions).toBe(0);
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

  it('a refused token stops with AuthError; "Server at capacity" is reported as a ServerError, then retried', async () => {
    const server = await start({ maxConnections: 1 });
    const first = client(server.url);
    await reach(first, 'open');
    const second = client(server.url);
    const capacity = await next(second, 'error', isServerError);
    expect(capacity.message).toMatch(/Server at capacity/);
    await next(second, 'reconnecting');
    second.close();
    first.close();
    const refused = client(server.url, { token: 'wrong' });
    const error = await next(refused, 'error', isAuthError);
    expect(error.message).toMatch(/Invalid authentication token/);
    expect(refused.state).toBe('closed');
  });

  it('liveness by WebSocket pings (Node): an idle link stays open, a frozen one is detected', async () => {
    const server = await start();
    const c = client(server.url, { heartbeat: { interval: 50, timeout: 150 } });
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
});
