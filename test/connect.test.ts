import { once } from 'node:events';
import { describe, expect, it } from 'vitest';
import { createClient, isConnectionError } from '../src/index.js';
import { track } from './cleanup.js';
import { type ReferenceServer, startServer } from './fixtures/server.js';
import { next, nextEvent, reach, runFixture } from './helpers.js';

describe('connect', () => {
  let server: ReferenceServer;

  it('authenticates with ?token= (query mode) and gets a session', async () => {
    server = track(await startServer({ tokens: ['t1'] }));
    const client = track(createClient({ url: server.url, token: 't1', signals: false }));
    const opened = await next(client, 'open');
    expect(opened.sessionId).toMatch(/^s-\d+$/);
    expect(client.state).toBe('open');
    expect(server.history[0]?.url).toContain('token=t1');
  });

  it('authenticates with {type:"auth"} (message mode) before reporting open', async () => {
    server = track(await startServer({ tokens: ['t2'] }));
    const client = track(createClient({ url: server.url, token: async () => 't2', auth: 'message', signals: false }));
    await next(client, 'open');
    const conn = server.history[0];
    expect(conn?.url).not.toContain('token');
    expect(conn?.received[0]).toEqual({ type: 'auth', token: 't2' });
    expect(client.sessionId).toBe(`s-${conn?.id}`);
  });

  it('one connect timeout covers the token provider: a slow token fails the attempt at connectTimeout', async () => {
    server = track(await startServer({ tokens: ['late', 'fresh'] }));
    let calls = 0;
    let lateToken: (t: string) => void = () => {};
    const client = track(
      createClient({
        url: server.url,
        signals: false,
        connectTimeout: 200,
        backoff: { minDelay: 5, maxDelay: 20 },
        token: () => (++calls === 1 ? new Promise<string>((r) => (lateToken = r)) : 'fresh'),
      }),
    );
    const started = performance.now();
    const error = await next(client, 'error');
    expect(isConnectionError(error) && error.kind).toBe('timeout');
    expect(error.message).toBe(
      `cannot connect to ${server.url}/: no connection within 200 ms (token provider pending)`,
    );
    // the 200 ms timer, not the 10 s default (generous: a loaded machine runs timers late)
    expect(performance.now() - started).toBeLessThan(5_000);
    await next(client, 'open');
    lateToken('late'); // the abandoned attempt's token arrives: nothing uses it
    const probe = nextEvent(client, 'Probe');
    server.publish({ event_type: 'Probe', data: {} }); // a round trip after it proves time passed
    await probe;
    expect(server.history.map((c) => c.token)).toEqual(['fresh']);
  });

  it('delivers published events to `message` and to the event name', async () => {
    server = track(await startServer());
    const client = track(createClient({ url: server.url, signals: false }));
    await next(client, 'open');
    const byName = nextEvent(client, 'LogEntry');
    const any = next(client, 'message');
    const sent = server.publish({ event_type: 'LogEntry', data: { level: 'INFO', message: 'hi' } });
    expect(await byName).toEqual(sent);
    expect(await any).toEqual(sent);
  });

  it('accepts the `type` dialect for event names', async () => {
    server = track(await startServer());
    const client = track(createClient({ url: server.url, signals: false }));
    await next(client, 'open');
    const got = nextEvent(client, 'TaskStatusChanged');
    server.sendRaw(
      JSON.stringify({ type: 'TaskStatusChanged', timestamp: '2026-01-01T00:00:00Z', data: { status: 'Running' } }),
    );
    expect((await got).event_type).toBe('TaskStatusChanged');
  });

  it('answers server pings with pong', async () => {
    server = track(await startServer({ pingInterval: 20 }));
    const client = track(createClient({ url: server.url, signals: false }));
    await next(client, 'open');
    const [, msg] = await once(server, 'message');
    expect(msg).toMatchObject({ type: 'pong' });
  });

  it('measures the round-trip time of its own pings', async () => {
    server = track(await startServer());
    const client = track(createClient({ url: server.url, heartbeat: { interval: 20, timeout: 1000 }, signals: false }));
    await next(client, 'open');
    expect(client.rtt).toBeUndefined();
    await once(server, 'message'); // the first ping; the server's pong goes out right after it
    const marker = nextEvent(client, 'Marker');
    server.publish({ event_type: 'Marker' }); // sent after the pong, so handled after it
    await marker;
    expect(client.rtt).toBeGreaterThanOrEqual(0);
    expect(client.rtt).toBeLessThan(1000);
  });

  it('lazy: stays idle until a server event listener is added', async () => {
    server = track(await startServer());
    const client = track(createClient({ url: server.url, lazy: true, signals: false }));
    client.on('state', () => {});
    expect(client.state).toBe('idle');
    client.on('LogEntry', () => {});
    await reach(client, 'open');
  });

  it('listeners given in options see the very first state change', async () => {
    server = track(await startServer());
    const states: string[] = [];
    const client = track(
      createClient({
        url: server.url,
        signals: false,
        on: { state: ({ from, to }) => void states.push(`${from}->${to}`) },
      }),
    );
    await reach(client, 'open');
    expect(states).toEqual(['idle->connecting', 'connecting->open']);
  });
});

describe('timers in a busy real process: connecting', () => {
  // the child's timeout is 300 ms, its stall 1.5 s: the answer waits unread in the socket meanwhile
  for (const [phase, what] of [
    ['connect', 'the upgrade answer (connectTimeout)'],
    ['greeting', 'the greeting (handshakeTimeout)'],
  ] as const)
    it(`a Node script busy past the timeout while ${what} came keeps its attempt: no timeout, no reconnect`, async () => {
      const server = track(await startServer({ tokens: ['t-stall'] }));
      const { code, out } = await runFixture('stall-while-connecting.ts', [server.url, 't-stall', phase, '1500']);
      expect(code).toBe(0);
      expect(JSON.parse(out)).toEqual(['open']);
      expect(server.history).toHaveLength(1);
    }, 60_000);
});
