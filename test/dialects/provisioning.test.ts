/** Conformance: the Provisioning dialect against an emulator that follows seed 003 literally. */
import { describe, expect, it } from 'vitest';
import { provisioning } from '../../src/dialects/index.js';
import { createClient, isAuthError } from '../../src/index.js';
import { track } from '../cleanup.js';
import { startProvisioning } from '../fixtures/dialects/provisioning.js';
import { eventually, next, reach } from '../helpers.js';
import { collect, quick } from './collect.js';

const start = async (opts?: Parameters<typeof startProvisioning>[0]) => track(await startProvisioning(opts).start());
const client = (url: string, extra: Partial<Parameters<typeof createClient>[0]> = {}) =>
  track(createClient({ url, token: 'jwt', dialect: provisioning(), signals: false, backoff: quick, ...extra }));

describe('provisioning dialect (seed 003)', () => {
  it('client.on(name) gets events; the names it listens to go on the URL as events=', async () => {
    const server = await start();
    const c = client(server.url);
    const got = collect((h) => c.on('TaskStatusChanged', h));
    await reach(c, 'open');
    server.publish('TaskStatusChanged', { task_id: 't1', status: 'Running' });
    await got.until(1);
    expect(got.seen[0]?.data).toEqual({ task_id: 't1', status: 'Running' });
    expect(server.history[0]?.url.searchParams.get('events')).toBe('TaskStatusChanged');
  });

  it('subscribe() with filters: the server filters by data keys, each handle by its own filters', async () => {
    const server = await start();
    const c = client(server.url);
    const errors = collect((h) => c.subscribe('LogEntry', { filters: { level: ['ERROR'] } }).on(h));
    const warns = collect((h) =>
      c.subscribe('LogEntry', { filters: { level: 'WARN', 'metadata.source': 'api' } }).on(h),
    );
    await eventually(() => (server.history[0]?.received.length ?? 0) >= 2);
    expect(server.history[0]?.received).toEqual([
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

  it('unsubscribe() narrows the server side, keeping what other handles still need', async () => {
    const server = await start();
    const c = client(server.url);
    const logs = c.subscribe(['LogEntry', 'TaskStatusChanged']);
    c.subscribe('TaskStatusChanged');
    await eventually(() => (server.history[0]?.received.length ?? 0) >= 2);
    logs.unsubscribe();
    await eventually(() => (server.history[0]?.received.length ?? 0) >= 3);
    expect(server.history[0]?.received[2]).toEqual({ type: 'unsubscribe', events: ['LogEntry'] });
    const tasks = collect((h) => c.on('TaskStatusChanged', h));
    server.publish('LogEntry', {});
    server.publish('TaskStatusChanged', {});
    await tasks.until(1);
    expect(server.history[0]?.state.batch ?? []).toEqual([]);
  });

  it('batches and gzip: batch_size and compression on the URL, every member delivered in order', async () => {
    const server = await start();
    const c = client(server.url, { compression: true, batchSize: 5 });
    const got = collect((h) => c.on('Tick', h));
    await reach(c, 'open');
    for (let i = 0; i < 12; i++) server.publish('Tick', { i });
    await got.until(12);
    expect(got.seen.map((e) => (e.data as { i: number }).i)).toEqual([...Array(12).keys()]);
    const url = server.history[0]?.url;
    expect([url?.searchParams.get('compression'), url?.searchParams.get('batch_size')]).toEqual(['true', '5']);
  });

  it('a reconnect resumes by time from the last delivered event: nothing missed, nothing twice', async () => {
    const server = await start();
    const c = client(server.url);
    const sub = c.subscribe('Tick');
    const got = collect((h) => sub.on(h));
    await reach(c, 'open');
    for (let i = 0; i < 5; i++) server.publish('Tick', { i });
    await got.until(5);
    server.dropAll(); // 1006
    await next(c, 'reconnecting');
    for (let i = 5; i < 10; i++) server.publish('Tick', { i }); // nobody is connected to receive these
    await got.until(10);
    expect(got.seen.map((e) => (e.data as { i: number }).i)).toEqual([...Array(10).keys()]);
    const resubscribe = server.history[1]?.received[0] as { filters: { since: string } };
    expect(resubscribe.filters.since).toBe(got.seen[4]?.timestamp);
  });

  it('client pings are answered: an idle link stays open', async () => {
    const server = await start();
    const c = client(server.url, { heartbeat: { interval: 30, timeout: 200 } });
    await reach(c, 'open');
    await eventually(
      () => (server.history[0]?.received.filter((m) => (m as { type: string }).type === 'ping').length ?? 0) >= 5,
    );
    expect(c.state).toBe('open');
    expect(server.history).toHaveLength(1);
  });

  it('close 4001 and 1008 refresh the token; an HTTP 401 on the upgrade stops with AuthError', async () => {
    const server = await start({ tokens: ['jwt-1', 'jwt-2', 'jwt-3'] });
    let n = 0;
    const c = client(server.url, { token: () => `jwt-${++n}` });
    await reach(c, 'open');
    server.expire(4001);
    await eventually(() => server.history.length === 2 && c.state === 'open');
    server.expire(1008);
    await eventually(() => server.history.length === 3 && c.state === 'open');
    expect(server.history.map((h) => h.url.searchParams.get('token'))).toEqual(['jwt-1', 'jwt-2', 'jwt-3']);
    server.dropAll(); // jwt-4 is refused with HTTP 401
    const error = await next(c, 'error', isAuthError);
    expect(isAuthError(error)).toBe(true);
    expect(c.state).toBe('closed');
  });
});
