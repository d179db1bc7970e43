/** Conformance: the Buster dialect against an emulator of seed 000 (gzip route/event/payload messages). */
import { describe, expect, it } from 'vitest';
import { buster } from '../../src/dialects/index.js';
import { createClient, isAuthError, isRequestError } from '../../src/index.js';
import { track } from '../cleanup.js';
import { startBuster } from '../fixtures/dialects/buster.js';
import { next, reach } from '../helpers.js';
import { collect, quick } from './collect.js';

const start = async (opts?: Parameters<typeof startBuster>[0]) => track(await startBuster(opts).start());
const client = (url: string, extra: Partial<Parameters<typeof createClient>[0]> = {}) =>
  track(createClient({ url, token: 'jwt', dialect: buster(), signals: false, backoff: quick, ...extra }));

describe('buster dialect (seed 000)', () => {
  it('gzip messages are events named by `event`, with the payload as data and the route in metadata', async () => {
    const server = await start();
    const c = client(server.url);
    const got = collect((h) => c.subscribe('threadUpdated').on(h));
    await reach(c, 'open');
    server.push('/threads/post', 'threadUpdated', { thread_id: 't-1' });
    await got.until(1);
    expect(got.seen[0]).toMatchObject({ data: { thread_id: 't-1' }, metadata: { route: '/threads/post' } });
  });

  it('requests go as {route, payload}; replies resolve in order per route; an error rejects with its code', async () => {
    const server = await start();
    const c = client(server.url);
    const [a, b] = await Promise.all([c.request('/sql/run', { value: 1 }), c.request('/sql/run', { value: 2 })]);
    expect([a, b]).toEqual([{ rows: [{ answer: 1 }] }, { rows: [{ answer: 2 }] }]);
    expect(server.history[0]?.received[0]).toEqual({ route: '/sql/run', payload: { value: 1 } });
    const error = await c.request('/datasets/list').catch((e) => e);
    expect(isRequestError(error) && [error.serverCode, error.message]).toEqual([
      'InternalServerError',
      '/datasets/list failed: InternalServerError: datasets are down',
    ]);
  });

  it('a request pending when the link drops is sent again on the next link, and resolves once', async () => {
    const server = await start();
    const c = client(server.url);
    await reach(c, 'open');
    server.freeze();
    const result = c.request('/sql/run', { value: 3 });
    server.dropAll();
    await server.restart();
    expect(await result).toEqual({ rows: [{ answer: 3 }] });
  });

  it('an HTTP 401 answer to the upgrade stops with AuthError', async () => {
    const server = await start();
    const c = client(server.url, { token: 'bad' });
    expect(isAuthError(await next(c, 'error', isAuthError))).toBe(true);
    expect(c.state).toBe('closed');
  });
});
