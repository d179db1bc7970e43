/** Conformance: the Querri dialect against an emulator that follows seed 001 literally. */
import { describe, expect, it } from 'vitest';
import * as z from 'zod/mini';
import { querri } from '../../src/dialects/index.js';
import { createClient, isAuthError, isRequestError, isValidationError } from '../../src/index.js';
import { track } from '../cleanup.js';
import { startQuerri } from '../fixtures/dialects/querri.js';
import { eventually, next, reach } from '../helpers.js';
import { collect, quick } from './collect.js';

const start = async (opts?: Parameters<typeof startQuerri>[0]) => track(await startQuerri(opts).start());
const client = (url: string, extra: Partial<Parameters<typeof createClient>[0]> = {}) =>
  track(
    createClient({
      url: `${url}/ws/project/p-1`,
      token: 'jwt',
      dialect: querri({ pingInterval: 100 }),
      signals: false,
      backoff: quick,
      ...extra,
    }),
  );

describe('querri dialect (seed 001)', () => {
  it('messages named by type reach client.on(name) and subscriptions, the whole message as data', async () => {
    const server = await start();
    const c = client(server.url);
    const done = collect((h) => c.on('step_completed', h));
    const progress = collect((h) => c.subscribe('step_progress', { filters: { step_id: 'step_1' } }).on(h));
    await reach(c, 'open');
    server.publish({ type: 'step_progress', step_id: 'step_2', progress: 0.1, message: 'other step' });
    server.publish({ type: 'step_progress', step_id: 'step_1', progress: 0.45, message: 'Processing chunk 45/100' });
    server.publish({
      type: 'step_completed',
      step_id: 'step_1',
      result: { row_count: 1500 },
      timestamp: '2024-10-21T10:01:23Z',
    });
    await done.until(1);
    await progress.until(1);
    expect(done.seen[0]?.data).toMatchObject({ step_id: 'step_1', result: { row_count: 1500 } });
    expect(done.seen[0]?.timestamp).toBe('2024-10-21T10:01:23Z');
    expect(progress.seen.map((e) => (e.data as { progress: number }).progress)).toEqual([0.45]);
    expect(server.history[0]?.url.pathname).toBe('/ws/project/p-1');
    expect(server.history[0]?.url.searchParams.get('token')).toBe('jwt');
  });

  it('requires_ack: the handled message is acked with {type:"ack", message_id}, and not re-sent', async () => {
    const server = await start();
    const c = client(server.url);
    const got = collect((h) => c.on('step_completed', h));
    await reach(c, 'open');
    server.publish({ type: 'step_completed', step_id: 's', requires_ack: true, message_id: 'msg_789' });
    await got.until(1);
    await eventually(() => server.unacked.size === 0);
    expect(server.history[0]?.received).toEqual([{ type: 'ack', message_id: 'msg_789' }]);
  });

  it("the server's pings keep an idle link open; a frozen one is detected within ping interval + timeout", async () => {
    const server = await start({ pingInterval: 100 });
    const c = client(server.url, { heartbeat: { timeout: 150 } });
    await reach(c, 'open');
    await eventually(() => Number(server.history[0]?.state.pings) >= 6); // six ping periods, each > timeout
    expect(c.state).toBe('open');
    expect(server.history).toHaveLength(1); // no reconnect
    expect(server.history[0]?.received).toEqual([]); // and nothing sent by the client
    const started = performance.now();
    server.freeze();
    await next(c, 'close');
    expect(performance.now() - started).toBeLessThan(100 + 150 + 1_000);
  });

  it('a reconnect restores subscriptions, each with a gap of unknown range (no replay)', async () => {
    const server = await start();
    const c = client(server.url);
    const sub = c.subscribe('step_progress');
    const gaps = collect<object>((h) => sub.on('gap', h));
    await reach(c, 'open');
    server.dropAll();
    await gaps.until(1);
    expect(gaps.seen).toEqual([{}]);
    expect(sub.state).toBe('active');
  });

  it('typed schemas validate the message as data; close 4001 refreshes the token', async () => {
    const server = await start({ tokens: ['jwt-1', 'jwt-2'] });
    let n = 0;
    const c = track(
      createClient({
        url: `${server.url}/ws/project/p-1`,
        token: () => `jwt-${++n}`,
        dialect: querri({ pingInterval: 60_000 }),
        signals: false,
        backoff: quick,
        events: { step_progress: z.object({ step_id: z.string(), progress: z.number() }) },
      }),
    );
    const invalid = collect((h) => c.on('error', (e) => isValidationError(e) && h(e as never)));
    const got = collect((h) => c.on('step_progress', (ev) => h(ev as never)));
    await reach(c, 'open');
    server.publish({ type: 'step_progress', step_id: 's', progress: 'lots' });
    server.publish({ type: 'step_progress', step_id: 's', progress: 0.5 });
    await got.until(1);
    await invalid.until(1);
    server.dropAll(4001, 'token expired');
    await eventually(() => server.history.length === 2 && c.state === 'open');
    expect(server.history.map((h) => h.url.searchParams.get('token'))).toEqual(['jwt-1', 'jwt-2']);
  });

  it('close 4403 and an HTTP 403 answer stop with AuthError; request() says there are no requests', async () => {
    const server = await start({ tokens: ['jwt'] });
    const c = client(server.url);
    await reach(c, 'open');
    const refusal = await c.request('anything').catch((e) => e);
    expect(isRequestError(refusal) && refusal.serverCode).toBe('unsupported');
    server.dropAll(4403, 'forbidden');
    expect(isAuthError(await next(c, 'error', isAuthError))).toBe(true);
    const refused = client(server.url, { token: 'bad' });
    expect(isAuthError(await next(refused, 'error', isAuthError))).toBe(true);
    expect(refused.state).toBe('closed');
  });
});
