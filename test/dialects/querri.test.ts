/**
 * Conformance: the Querri dialect against its seed (001) rebuilt as a FastAPI app on uvicorn,
 * fanning out through a real redis-server (test/fixtures/python/querri_app.py). Each test has
 * its own project room; timings are shrunk through the app's environment.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as z from 'zod/mini';
import { querri } from '../../src/dialects/index.js';
import {
  type AckableEvent,
  type AuthError,
  createClient,
  isAuthError,
  isRequestError,
  isValidationError,
} from '../../src/index.js';
import { track } from '../cleanup.js';
import { type PythonServer, startQuerriStack, until } from '../fixtures/python.js';
import { loopStalls, next, reach } from '../helpers.js';
import { collect, quick } from './collect.js';

interface Record {
  path: string;
  token: string;
  accepted: boolean;
  received: unknown[];
  pings: number;
  unacked: string[];
  acked: string[];
  resent: number;
  rate_limited: number;
  closed: number | null;
}

let server: PythonServer;
beforeAll(async () => {
  server = await startQuerriStack({ QUERRI_PING_INTERVAL: '1', QUERRI_ACK_RESEND: '0.3' });
}, 30_000);
afterAll(() => server?.close());

let rooms = 0;
const room = () => `p-${++rooms}`;
const mint = async (on: PythonServer, claims: object = { sub: 'u-1' }) =>
  (await on.post<{ token: string }>('/_test/token', claims)).token;
const records = async (on: PythonServer, project: string) =>
  (await on.get<{ connections: Record[] }>('/_test/state')).connections.filter(
    (c) => c.path === `/ws/project/${project}`,
  );
const publish = (on: PythonServer, project: string, message: object) =>
  on.post<{ receivers: number }>(`/_test/publish/${project}`, message);
type Options = Parameters<typeof createClient>[0];
const client = (on: PythonServer, project: string, token: Options['token'], extra: Partial<Options> = {}) =>
  track(
    createClient({
      url: `${on.url}/ws/project/${project}`,
      token,
      dialect: querri({ pingInterval: 1_000 }),
      heartbeat: { timeout: 1_000 },
      signals: false,
      backoff: quick,
      ...extra,
    }),
  );

describe('querri dialect against the seed on FastAPI + uvicorn + redis', () => {
  it('messages named by type, published through redis, reach client.on(name) and subscriptions, whole message as data', async () => {
    const p = room();
    const c = client(server, p, await mint(server));
    const done = collect((h) => c.on('step_completed', h));
    const progress = collect((h) => c.subscribe('step_progress', { filters: { step_id: 'step_1' } }).on(h));
    await reach(c, 'open');
    await publish(server, p, { type: 'step_progress', step_id: 'step_2', progress: 0.1, message: 'other step' });
    await publish(server, p, { type: 'step_progress', step_id: 'step_1', progress: 0.45, message: 'chunk 45/100' });
    const { receivers } = await publish(server, p, {
      type: 'step_completed',
      step_id: 'step_1',
      result: { row_count: 1500, columns: ['id'] },
      timestamp: '2024-10-21T10:01:23Z',
    });
    expect(receivers).toBe(1); // one redis subscriber: the room's listener
    await done.until(1);
    await progress.until(1);
    expect(done.seen[0]?.data).toEqual({
      type: 'step_completed',
      step_id: 'step_1',
      result: { row_count: 1500, columns: ['id'] },
      timestamp: '2024-10-21T10:01:23Z',
    });
    expect(done.seen[0]?.timestamp).toBe('2024-10-21T10:01:23Z');
    expect(progress.seen.map((e) => (e.data as { progress: number }).progress)).toEqual([0.45]);
    const [rec] = await records(server, p);
    expect(rec?.accepted).toBe(true);
  });

  it("a naive UTC timestamp, as the seed's publisher writes it (utcnow().isoformat()), reaches handlers as UTC", async () => {
    const p = room();
    const c = client(server, p, await mint(server));
    const got = collect((h) => c.on('step_completed', h));
    await reach(c, 'open');
    await publish(server, p, { type: 'step_completed', step_id: 's', timestamp: '2024-10-21T10:01:23.123456' });
    await got.until(1);
    expect(got.seen[0]?.timestamp).toBe('2024-10-21T10:01:23.123456Z');
    expect(Date.parse(got.seen[0]?.timestamp ?? '')).toBe(Date.UTC(2024, 9, 21, 10, 1, 23, 123));
    expect(got.seen[0]?.data).toMatchObject({ timestamp: '2024-10-21T10:01:23.123456' });
  });

  it('one room per URL: every client of a project gets its events through redis, another project none', async () => {
    const [p, q] = [room(), room()];
    const token = await mint(server);
    const a = collect((h) => client(server, p, token).on('chat_response_chunk', h));
    const b = collect((h) => client(server, p, token).on('chat_response_chunk', h));
    const other = client(server, q, token);
    const elsewhere = collect((h) => other.on('message', h));
    await until(async () => (await records(server, p)).filter((r) => r.accepted).length === 2);
    await reach(other, 'open');
    await publish(server, p, { type: 'chat_response_chunk', content: 'Here are ', is_complete: false });
    await a.until(1);
    await b.until(1);
    expect(b.seen[0]?.data).toMatchObject({ content: 'Here are ', is_complete: false });
    expect(elsewhere.seen).toEqual([]);
  });

  it('requires_ack: the handled message is acked with {type:"ack", message_id}, and the server sends it no more', async () => {
    const p = room();
    const c = client(server, p, await mint(server));
    const got = collect((h) => c.on('step_completed', h));
    await reach(c, 'open');
    await publish(server, p, { type: 'step_completed', step_id: 's', requires_ack: true, message_id: 'msg_789' });
    await got.until(1);
    await until(async () => (await records(server, p))[0]?.acked.includes('msg_789') === true);
    const resent = (await records(server, p))[0]?.resent;
    await new Promise((r) => setTimeout(r, 700)); // two of the server's 0.3 s resend periods
    const [rec] = await records(server, p);
    expect(rec?.received).toEqual([{ type: 'ack', message_id: 'msg_789' }]);
    expect([rec?.unacked, rec?.resent, got.seen.length]).toEqual([[], resent, 1]);
  });

  it("the server's resends of an unacked message are not delivered again; the ack stops them", async () => {
    const p = room();
    const c = track(
      createClient({
        url: `${server.url}/ws/project/${p}`,
        token: await mint(server),
        dialect: querri({ pingInterval: 200 }),
        acks: 'manual',
        signals: false,
      }),
    );
    const got = collect<AckableEvent>((h) => c.on('step_completed', (ev) => h(ev as AckableEvent)));
    await reach(c, 'open');
    await publish(server, p, { type: 'step_completed', step_id: 's', requires_ack: true, message_id: 'msg_1' });
    await got.until(1);
    await until(async () => ((await records(server, p))[0]?.resent ?? 0) >= 2); // resent every 0.3 s
    expect(got.seen).toHaveLength(1);
    const [first] = got.seen;
    await first?.ack?.();
    await until(async () => (await records(server, p))[0]?.acked.includes('msg_1') === true);
    expect(got.seen).toHaveLength(1);
  });

  it('a reconnect restores subscriptions, each with a gap of unknown range (no replay)', async () => {
    const p = room();
    const c = client(server, p, await mint(server));
    const sub = c.subscribe('step_progress');
    const gaps = collect<object>((h) => sub.on('gap', h));
    await reach(c, 'open');
    await server.post('/_test/close?code=1012&reason=restart');
    await gaps.until(1);
    expect(gaps.seen).toEqual([{}]);
    await reach(c, 'open');
    expect(sub.state).toBe('active');
    expect((await records(server, p)).filter((r) => r.accepted)).toHaveLength(2);
  });

  it('the client keeps to 10 messages a second: 25 sends, none refused by the server', async () => {
    const p = room();
    const c = client(server, p, await mint(server));
    await reach(c, 'open');
    const started = performance.now();
    for (let i = 0; i < 25; i++) c.send({ type: 'chat_message', role: 'user', content: `m${i}` });
    // 2.4 s at the limit; a loaded machine's Python and redis take longer (10 s ran out once beside 16 files)
    await until(async () => (await records(server, p))[0]?.received.length === 25, 30_000);
    expect(performance.now() - started).toBeGreaterThan(1_000);
    expect((await records(server, p))[0]?.rate_limited).toBe(0);
  }, 40_000);

  it('typed schemas validate the message as data; request() says there are no requests', async () => {
    const p = room();
    const c = client(server, p, await mint(server), {
      events: { step_progress: z.object({ step_id: z.string(), progress: z.number() }) },
    });
    const invalid = collect((h) => c.on('error', (e) => isValidationError(e) && h(e as never)));
    const got = collect((h) => c.on('step_progress', (ev) => h(ev as never)));
    await reach(c, 'open');
    await publish(server, p, { type: 'step_progress', step_id: 's', progress: 'lots' });
    await publish(server, p, { type: 'step_progress', step_id: 's', progress: 0.5 });
    await got.until(1);
    await invalid.until(1);
    const refusal = await c.request('anything').catch((e) => e);
    expect(isRequestError(refusal) && refusal.serverCode).toBe('unsupported');
  });

  it('a bad token or a project it may not view: HTTP 403 before accept, AuthError that names the path too', async () => {
    const refused = client(server, room(), 'not-a-jwt');
    const error = (await next(refused, 'error', isAuthError)) as AuthError;
    expect(error.message).toMatch(/HTTP 403.*check the URL as well as the token/);
    expect(error.status).toBe(403);
    expect(refused.state).toBe('closed');
    const p = room();
    const outsider = client(server, p, await mint(server, { sub: 'u-2', projects: ['elsewhere'] }));
    expect(isAuthError(await next(outsider, 'error', isAuthError))).toBe(true);
    expect((await records(server, p)).map((r) => r.accepted)).toEqual([false]);
  });
});

describe('querri: liveness on the real stack', () => {
  it('idle for 3+ periods of the app pings (0.2 s) and uvicorn pings (0.3 s): no reconnect; a hung server is detected', async () => {
    const own = track(
      await startQuerriStack({
        QUERRI_PING_INTERVAL: '0.2',
        UVICORN_WS_PING_INTERVAL: '0.3',
        UVICORN_WS_PING_TIMEOUT: '2',
      }),
    );
    const p = room();
    const c = client(own, p, await mint(own), { dialect: querri({ pingInterval: 200 }), heartbeat: { timeout: 400 } });
    const trouble = collect<string>((h) => c.on('reconnecting', () => h('reconnecting')));
    await reach(c, 'open');
    // 6 app pings (1.2 s, 4 uvicorn pings), counted at the server, not slept: on a loaded machine
    // a fixed wait could end before the sixth
    await until(async () => ((await records(own, p))[0]?.pings ?? 0) >= 6);
    const [rec] = await records(own, p);
    expect(rec?.received).toEqual([]); // the client answers nothing: the seed asks for no pong
    expect([c.state, trouble.seen]).toEqual(['open', []]);
    const started = performance.now();
    const stalls = loopStalls();
    own.pause(); // SIGSTOP: sockets open, nothing sent
    await next(c, 'close');
    own.resume();
    // plus the longest this event loop was held up: a loaded machine runs the heartbeat's timers late
    expect(performance.now() - started).toBeLessThan(200 + 400 + 1_000 + stalls.stop());
  }, 60_000); // it starts its own Python stack (a start-up allowed 20 s): seconds on a loaded machine
});

describe('querri: the stack goes away', () => {
  it('uvicorn shutting down (SIGTERM) drops the socket with no close frame: 1006, and the client retries', async () => {
    const own = track(await startQuerriStack({ QUERRI_PING_INTERVAL: '30' }));
    const c = client(own, room(), await mint(own));
    await reach(c, 'open');
    const closed = next(c, 'close');
    const retried = next(c, 'reconnecting');
    const refused = next(c, 'error');
    await own.terminate();
    expect(await closed).toMatchObject({ code: 1006, willReconnect: true });
    await retried;
    expect(await refused).toMatchObject({ code: 'ERR_CONNECTION', kind: 'refused' }); // the stack is gone
    await c.close();
  }, 60_000);
});

describe('querri: tokens that expire on an open link', () => {
  it('close 4001 "Token expired" asks the token function for a fresh token and reconnects at once', async () => {
    const own = track(await startQuerriStack({ QUERRI_EXPIRED_CLOSE: '4001', QUERRI_PING_INTERVAL: '30' }));
    const p = room();
    const exp = () => Date.now() / 1000 + 0.6;
    const issued: string[] = [];
    const c = client(own, p, async () => {
      issued.push(await mint(own, { sub: 'u-1', exp: exp() }));
      return issued.at(-1) as string;
    });
    await reach(c, 'open');
    const closed = await next(c, 'close');
    expect([closed.code, closed.reason, closed.willReconnect]).toEqual([4001, 'Token expired', true]);
    await reach(c, 'open');
    const tokens = (await records(own, p)).map((r) => r.token);
    expect(tokens.slice(0, 2)).toEqual(issued.slice(0, 2));
  }, 60_000);

  it('close 4403 "Token expired": with a token function, one fresh token and a retry at once; a static token stops', async () => {
    const own = track(await startQuerriStack({ QUERRI_PING_INTERVAL: '30' }));
    const p = room();
    const issued: string[] = [];
    const c = client(own, p, async () => {
      issued.push(await mint(own, { sub: 'u-1', exp: Date.now() / 1000 + (issued.length ? 60 : 0.6) }));
      return issued.at(-1) as string;
    });
    await reach(c, 'open');
    const closed = await next(c, 'close');
    expect([closed.code, closed.reason]).toEqual([4403, 'Token expired']);
    await reach(c, 'open');
    expect(issued).toHaveLength(2);
    const q = room();
    const fixed = client(own, q, await mint(own, { sub: 'u-1', exp: Date.now() / 1000 + 0.6 }));
    const error = (await next(fixed, 'error', isAuthError)) as AuthError;
    expect(error.closeCode).toBe(4403);
    expect(fixed.state).toBe('closed');
  }, 60_000);
});
