/** Conformance: the Provisioning dialect against an emulator of the Axum handler seed 003 quotes. */
import { describe, expect, it } from 'vitest';
import { provisioning } from '../../src/dialects/index.js';
import { createClient, isAuthError, isFilterError } from '../../src/index.js';
import { track } from '../cleanup.js';
import { BrowserWebSocket } from '../fixtures/dialects/browser-socket.js';
import { startProvisioning } from '../fixtures/dialects/provisioning.js';
import { eventually, next, reach } from '../helpers.js';
import { collect, quick } from './collect.js';

const start = async (opts?: Parameters<typeof startProvisioning>[0]) => track(await startProvisioning(opts).start());
const client = (url: string, extra: Partial<Parameters<typeof createClient>[0]> = {}) =>
  track(createClient({ url, token: 'jwt', dialect: provisioning(), signals: false, backoff: quick, ...extra }));
const typed = (received: unknown[] | undefined, type: string) =>
  (received ?? []).filter((m) => (m as { type?: unknown }).type === type);

describe('provisioning dialect (seed 003 code)', () => {
  it('a lone event arrives: batch_size=1 unless batchSize is set (the server flushes full batches only)', async () => {
    const server = await start();
    const c = client(server.url);
    const got = collect((h) => c.on('TaskStatusChanged', h));
    await reach(c, 'open');
    const sent = server.publish('TaskStatusChanged', { task_id: 't1' }, { workflow_type: 'server_creation' });
    await got.until(1);
    expect(server.history[0]?.url.searchParams.get('batch_size')).toBe('1');
    // every field the server sends reaches the handler, as sent
    expect(got.seen[0]).toMatchObject(sent);
  });

  it('batchSize and compression go on the URL as given; full batches are delivered in order', async () => {
    const server = await start();
    const c = client(server.url, { compression: true, batchSize: 5 });
    const got = collect((h) => c.on('Tick', h));
    await reach(c, 'open');
    for (let i = 0; i < 10; i++) server.publish('Tick', { i });
    await got.until(10);
    expect(got.seen.map((e) => (e.data as { i: number }).i)).toEqual([...Array(10).keys()]);
    const url = server.history[0]?.url;
    expect([url?.searchParams.get('compression'), url?.searchParams.get('batch_size')]).toEqual(['true', '5']);
  });

  it('no events= on the URL: a name subscribed after connecting arrives on the same socket', async () => {
    const server = await start();
    const c = client(server.url);
    c.on('TaskStatusChanged', () => {}); // known before connecting
    await reach(c, 'open');
    const later = collect((h) => c.subscribe('LogEntry').on(h));
    const all = collect((h) => c.on('WorkflowProgressUpdate', h));
    server.publish('LogEntry', { level: 'INFO' });
    server.publish('WorkflowProgressUpdate', { progress: 75 });
    await later.until(1);
    await all.until(1);
    expect(server.history).toHaveLength(1);
    expect(server.history[0]?.url.searchParams.has('events')).toBe(false);
  });

  it('subscribe() still sends {type:"subscribe"} with server filters; each handle filters on its own', async () => {
    const server = await start();
    const c = client(server.url);
    const errors = collect((h) => c.subscribe('LogEntry', { filters: { level: ['ERROR'] } }).on(h));
    const warns = collect((h) =>
      c.subscribe('LogEntry', { filters: { level: 'WARN', 'metadata.source': 'api' } }).on(h),
    );
    await eventually(() => typed(server.history[0]?.received, 'subscribe').length >= 2);
    expect(typed(server.history[0]?.received, 'subscribe')).toEqual([
      { type: 'subscribe', events: ['LogEntry'], filters: { level: ['ERROR'] } },
      { type: 'subscribe', events: ['LogEntry'], filters: { level: 'WARN' } },
    ]);
    server.publish('LogEntry', { level: 'INFO' });
    server.publish('LogEntry', { level: 'WARN' }, { source: 'db' });
    server.publish('LogEntry', { level: 'WARN' }, { source: 'api' });
    server.publish('LogEntry', { level: 'ERROR' });
    await errors.until(1);
    await warns.until(1);
    expect(errors.seen.map((e) => e.data)).toEqual([{ level: 'ERROR' }]);
    expect(warns.seen.map((e) => e.metadata)).toEqual([{ source: 'api' }]);
  });

  it('unsubscribe() sends only the names no other handle wants; the handle hears nothing more', async () => {
    const server = await start();
    const c = client(server.url);
    const logs = c.subscribe(['LogEntry', 'TaskStatusChanged']);
    const heard = collect((h) => logs.on(h));
    c.subscribe('TaskStatusChanged');
    await eventually(() => typed(server.history[0]?.received, 'subscribe').length >= 2);
    logs.unsubscribe();
    await eventually(() => typed(server.history[0]?.received, 'unsubscribe').length >= 1);
    expect(typed(server.history[0]?.received, 'unsubscribe')).toEqual([{ type: 'unsubscribe', events: ['LogEntry'] }]);
    const tasks = collect((h) => c.on('TaskStatusChanged', h));
    server.publish('LogEntry', {});
    server.publish('TaskStatusChanged', {});
    await tasks.until(1);
    expect(heard.seen).toEqual([]);
  });

  it('event names with a comma are refused with a FilterError, at subscribe() and client.on()', async () => {
    const server = await start();
    const c = client(server.url, { lazy: true });
    const refused = (fn: () => unknown) => {
      try {
        fn();
      } catch (error) {
        return error;
      }
      return undefined;
    };
    expect(isFilterError(refused(() => c.subscribe('Task,Log')))).toBe(true);
    expect(isFilterError(refused(() => c.subscribe(['LogEntry', 'a,b'])))).toBe(true);
    expect(isFilterError(refused(() => c.on('a,b', () => {})))).toBe(true);
    expect(refused(() => c.on('LogEntry', () => {}))).toBeUndefined();
  });

  it('the server never reads since: a reconnect asks from the last delivered time, and says gap {since}', async () => {
    const server = await start();
    const c = client(server.url);
    const sub = c.subscribe('Tick');
    const gaps = collect<object>((h) => sub.on('gap', h));
    const got = collect((h) => sub.on(h));
    await reach(c, 'open');
    server.publish('Tick', { i: 0 });
    await got.until(1);
    server.dropAll(); // 1006
    await gaps.until(1);
    // from the last delivered time, less a second for producers whose clocks are behind
    const since = new Date(Date.parse(got.seen[0]?.timestamp ?? '') - 1_000).toISOString();
    expect(gaps.seen).toEqual([{ since }]);
    await eventually(() => typed(server.history[1]?.received, 'subscribe').length === 1);
    expect(typed(server.history[1]?.received, 'subscribe')).toEqual([
      { type: 'subscribe', events: ['Tick'], filters: { since } },
    ]);
    server.publish('Tick', { i: 1 });
    await got.until(2);
  });

  it('Node: WebSocket pings keep an idle link open over many periods, and find a frozen one', async () => {
    const server = await start();
    // the timeout is generous: a loaded machine can hold the pong longer than a short one, and
    // the frozen server is still found
    const c = client(server.url, { heartbeat: { interval: 40, timeout: 1_000 } });
    const closes = collect((h) => c.on('close', h));
    await reach(c, 'open');
    let pings = 0;
    server.history[0]?.ws.on('ping', () => void pings++);
    await eventually(() => pings >= 5); // five periods of a server that ignores {type:"ping"}
    expect([c.state, closes.seen.length, server.history.length]).toEqual(['open', 0, 1]);
    expect(typed(server.history[0]?.received, 'ping')).toEqual([]);
    server.freeze();
    const closed = await next(c, 'close');
    expect(closed.reason).toMatch(/heartbeat timeout/);
  });

  it('browsers: JSON pings go out, and silence is not death while the server has never answered one', async () => {
    const server = await start();
    const c = client(server.url, { WebSocket: BrowserWebSocket, heartbeat: { interval: 30, timeout: 30 } });
    const closes = collect((h) => c.on('close', h));
    await reach(c, 'open');
    await eventually(() => typed(server.history[0]?.received, 'ping').length >= 5);
    expect([c.state, closes.seen.length, server.history.length]).toEqual(['open', 0, 1]);
  });

  it('browsers: once the server has answered a ping, a missing pong is death', async () => {
    const server = await start({ docPong: true });
    const c = client(server.url, { WebSocket: BrowserWebSocket, heartbeat: { interval: 30, timeout: 1_000 } }); // generous, as above
    await reach(c, 'open');
    await eventually(() => typed(server.history[0]?.received, 'ping').length >= 4);
    expect([c.state, server.history.length]).toEqual(['open', 1]);
    server.freeze();
    const closed = await next(c, 'close');
    expect(closed.reason).toMatch(/heartbeat timeout/);
  });

  it('close 4001 and 1008 refresh a token function; HTTP 401 twice in a row stops with AuthError', async () => {
    const server = await start({ tokens: ['jwt-1', 'jwt-2', 'jwt-3'] });
    let n = 0;
    const c = client(server.url, { token: () => `jwt-${++n}` });
    await reach(c, 'open');
    server.expire(4001);
    await eventually(() => server.history.length === 2 && c.state === 'open');
    server.expire(1008);
    await eventually(() => server.history.length === 3 && c.state === 'open');
    expect(server.history.map((h) => h.url.searchParams.get('token'))).toEqual(['jwt-1', 'jwt-2', 'jwt-3']);
    server.dropAll(); // jwt-4 (and jwt-5) are refused with HTTP 401
    const error = await next(c, 'error', isAuthError);
    expect(isAuthError(error)).toBe(true);
    expect(c.state).toBe('closed');
  });

  it('close 1008 with a static token stops with AuthError instead of reconnecting', async () => {
    const server = await start();
    const c = client(server.url);
    await reach(c, 'open');
    const stopped = next(c, 'error', isAuthError);
    server.expire(1008);
    await stopped;
    await new Promise((r) => setTimeout(r, 50));
    expect([c.state, server.history.length]).toEqual(['closed', 1]);
  });

  it('no token: the server answers HTTP 400 (token is a required query field), the client stops', async () => {
    const server = await start();
    const c = track(createClient({ url: server.url, dialect: provisioning(), signals: false, backoff: quick }));
    const error = await next(c, 'error', isAuthError);
    expect(isAuthError(error)).toBe(true);
    await new Promise((r) => setTimeout(r, 50));
    expect([c.state, server.history.length]).toEqual(['closed', 0]);
  });
});
