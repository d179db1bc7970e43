/** Conformance: the mdb_engine dialect against an emulator of seed 004 (and the account of it). */
import { describe, expect, it } from 'vitest';
import { mdb } from '../../src/dialects/index.js';
import { createClient, isAuthError } from '../../src/index.js';
import { track } from '../cleanup.js';
import { startMdb } from '../fixtures/dialects/mdb.js';
import { eventually, next, reach } from '../helpers.js';
import { collect, quick } from './collect.js';

const start = async (opts?: Parameters<typeof startMdb>[0]) => track(await startMdb(opts).start());
const client = (url: string, extra: Partial<Parameters<typeof createClient>[0]> = {}) =>
  track(
    createClient({ url: `${url}/my_app/ws`, token: 'jwt', dialect: mdb(), signals: false, backoff: quick, ...extra }),
  );

describe('mdb dialect (seed 004)', () => {
  it('the connected greeting opens the link; {type, data} messages are events, app_slug in metadata', async () => {
    const server = await start();
    const c = client(server.url);
    const created = collect((h) => c.on('item_created', h));
    const opened = await next(c, 'open');
    expect(opened.sessionId).toBe('c-1');
    server.broadcast({ type: 'item_created', data: { id: 'i-1' } });
    await created.until(1);
    expect(created.seen[0]).toMatchObject({
      event_type: 'item_created',
      data: { id: 'i-1' },
      metadata: { app_slug: 'my_app' },
    });
  });

  it('subscribe with a channel sends {type:"subscribe", channel}; the echo to every connection is not an event', async () => {
    const server = await start();
    const c = client(server.url);
    const everything = collect((h) => c.on('message', h));
    const sub = c.subscribe('notification', { filters: { 'metadata.channel': 'alerts' } });
    await new Promise<void>((r) => sub.on('state', ({ to }) => to === 'active' && r()));
    await eventually(() => server.history[0]?.received.length === 1);
    expect(server.history[0]?.received).toEqual([{ type: 'subscribe', channel: 'alerts' }]);
    const got = collect((h) => sub.on(h));
    server.broadcast({ type: 'notification', channel: 'alerts', data: { message: 'Hello' } });
    await got.until(1);
    expect(everything.seen.map((e) => e.event_type)).toEqual(['notification']); // no "subscribed" event
    sub.unsubscribe();
    await eventually(() => server.history[0]?.received.length === 2);
    expect(server.history[0]?.received[1]).toEqual({ type: 'unsubscribe', channel: 'alerts' });
  });

  it('an idle link stays open on the server keepalive (browsers) and WebSocket pings (Node)', async () => {
    const server = await start({ pingInterval: 60 });
    const c = client(server.url, { dialect: mdb({ pingInterval: 60 }), heartbeat: { interval: 40, timeout: 150 } });
    await reach(c, 'open');
    const pings = collect<number>((h) => {
      let n = 0;
      server.history[0]?.ws.on('ping', () => h(++n));
    });
    await pings.until(6);
    expect(c.state).toBe('open');
    expect(server.history).toHaveLength(1);
  });

  it('a reconnect greets again and restores the channel subscription', async () => {
    const server = await start();
    const c = client(server.url);
    const sub = c.subscribe('notification', { filters: { 'metadata.channel': 'alerts' } });
    await reach(c, 'open');
    server.dropAll();
    await eventually(() => server.history[1]?.received.length === 1);
    expect(server.history[1]?.received).toEqual([{ type: 'subscribe', channel: 'alerts' }]);
    await eventually(() => sub.state === 'active');
  });

  it('headers (Node): the token can travel in a cookie, as mdb_engine also reads it', async () => {
    const server = await start();
    const c = track(
      createClient({
        url: `${server.url}/my_app/ws`,
        dialect: mdb(),
        headers: { cookie: 'theme=dark; mdb_token=jwt' },
        signals: false,
      }),
    );
    const opened = await next(c, 'open');
    expect(opened.sessionId).toBe('c-1');
    expect(server.history[0]?.url.searchParams.get('token')).toBeNull();
    expect(server.history[0]?.headers.cookie).toBe('theme=dark; mdb_token=jwt');
  });

  it('a bad token (close 1008 after accept) stops with AuthError', async () => {
    const server = await start();
    const c = client(server.url, { token: 'bad' });
    expect(isAuthError(await next(c, 'error', isAuthError))).toBe(true);
    expect(c.state).toBe('closed');
  });
});
