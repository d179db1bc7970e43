import { describe, expect, it } from 'vitest';
import { backoffCeiling } from '../src/advanced.js';
import {
  createClient,
  isAuthError,
  isClosedError,
  isReconnectExhaustedError,
  type LifecycleEvents,
  type NetworkSignal,
} from '../src/index.js';
import { track } from './cleanup.js';
import { collect, quick } from './dialects/collect.js';
import { startServer } from './fixtures/server.js';
import { eventually, loopStalls, next, reach } from './helpers.js';

const settle = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('reconnect', () => {
  it('reconnects after a server restart, waiting delays inside the jitter bounds', async () => {
    const server = track(await startServer());
    const policy = { minDelay: 40, maxDelay: 300, factor: 2, jitter: 'full' as const };
    const client = track(createClient({ url: server.url, backoff: policy, signals: false }));
    const errors: string[] = [];
    client.on('error', (e) => errors.push(e.code));
    await reach(client, 'open');

    const waits: Array<LifecycleEvents['reconnecting'] & { waited: number; probe: Promise<number> }> = [];
    let scheduledAt = 0;
    let pending: (LifecycleEvents['reconnecting'] & { probe: Promise<number> }) | undefined;
    client.on('reconnecting', (r) => {
      scheduledAt = performance.now();
      // a timer of the same delay, set at the same moment: how late this event loop ran timers
      // then (on a loaded machine, far more than the delays themselves)
      const at = scheduledAt;
      pending = { ...r, probe: new Promise((done) => setTimeout(() => done(performance.now() - at), r.delay)) };
    });
    client.on('state', ({ to }) => {
      if (to === 'connecting' && pending) waits.push({ ...pending, waited: performance.now() - scheduledAt });
    });

    const restarted = server.restart({ downtime: 700 });
    await next(client, 'close');
    await restarted;
    await reach(client, 'open');

    expect(waits.length).toBeGreaterThanOrEqual(3); // the server was down for several attempts
    for (const [i, w] of waits.entries()) {
      expect(w.attempt).toBe(i + 1);
      expect(w.delay).toBeGreaterThanOrEqual(0);
      expect(w.delay).toBeLessThanOrEqual(backoffCeiling(w.attempt, policy));
      expect(w.waited).toBeGreaterThanOrEqual(w.delay - 2);
      // it waited its delay, not more: no later than the probe timer of that delay (plus the
      // time to run the timers between them)
      expect(w.waited).toBeLessThanOrEqual((await w.probe) + 20);
    }
    // the drop is no error; each attempt while the server was down is one
    expect(errors).toEqual(waits.slice(1).map(() => 'ERR_CONNECTION'));
    expect(server.history.length).toBe(2);
  });

  it('resets the attempt count only after the link stayed up for minUptime', async () => {
    const server = track(await startServer());
    const client = track(
      createClient({ url: server.url, backoff: { minDelay: 5, maxDelay: 5, minUptime: 1_000 }, signals: false }),
    );
    await reach(client, 'open');
    const attempts: number[] = [];
    client.on('reconnecting', ({ attempt }) => void attempts.push(attempt));

    server.dropAll(); // after a short uptime: counts on
    await reach(client, 'reconnecting');
    await reach(client, 'open');
    server.dropAll();
    await reach(client, 'reconnecting');
    await reach(client, 'open');
    await settle(1_050); // now up longer than minUptime (the two links before lived far less: a stall of 1 s would be needed)
    server.dropAll();
    await reach(client, 'reconnecting');
    await reach(client, 'open');
    expect(attempts).toEqual([1, 2, 1]);
  });

  it('detects a frozen (half-open) link within interval + timeout + 1 s, then reconnects', async () => {
    const server = track(await startServer());
    const heartbeat = { interval: 300, timeout: 400 };
    const client = track(createClient({ url: server.url, heartbeat, backoff: { minDelay: 10 }, signals: false }));
    const first = await next(client, 'open');
    const frozenAt = performance.now();
    const stalls = loopStalls();
    server.freeze();
    const closed = await next(client, 'close');
    const detectedIn = performance.now() - frozenAt;
    expect(closed.reason).toMatch(/^heartbeat timeout: nothing received for \d+ ms$/);
    // plus the longest the event loop was held up: a loaded machine runs the timers late
    expect(detectedIn).toBeLessThanOrEqual(heartbeat.interval + heartbeat.timeout + 1000 + stalls.stop());
    expect(detectedIn).toBeGreaterThanOrEqual(heartbeat.timeout - 5);
    const second = await next(client, 'open');
    expect(second.sessionId).not.toBe(first.sessionId);
  });

  it('4001: fetches a fresh token and reconnects at once', async () => {
    const server = track(await startServer({ tokens: ['token-1', 'token-2'] }));
    let n = 0;
    const client = track(createClient({ url: server.url, token: async () => `token-${++n}`, signals: false }));
    await reach(client, 'open');
    const scheduled = next(client, 'reconnecting');
    server.expireToken('token-1');
    expect(await scheduled).toEqual({ attempt: 1, delay: 0 });
    await reach(client, 'open');
    expect(server.history.map((c) => c.token)).toEqual(['token-1', 'token-2']);
  });

  it('4003: closes with an AuthError and makes no further attempt', async () => {
    const server = track(await startServer({ tokens: ['good'] }));
    const client = track(
      createClient({ url: server.url, token: 'bad', backoff: { minDelay: 5, maxDelay: 5 }, signals: false }),
    );
    const error = await next(client, 'error');
    expect(isAuthError(error)).toBe(true);
    expect(error.code).toBe('ERR_AUTH');
    expect(client.state).toBe('closed');
    await settle(200); // forty retry delays
    expect(server.history).toHaveLength(1);
  });

  it('1008 (policy) is an auth failure too', async () => {
    const server = track(await startServer());
    const client = track(createClient({ url: server.url, backoff: { minDelay: 5, maxDelay: 5 }, signals: false }));
    await reach(client, 'open');
    const error = next(client, 'error');
    server.dropAll(1008, 'policy');
    expect(isAuthError(await error)).toBe(true);
    expect(client.state).toBe('closed');
  });

  it('shouldRetry overrides the built-in decision', async () => {
    const server = track(await startServer());
    const seen: number[] = [];
    const client = track(
      createClient({
        url: server.url,
        signals: false,
        shouldRetry: ({ code }) => {
          seen.push(code);
          return code !== 4321;
        },
      }),
    );
    await reach(client, 'open');
    const error = next(client, 'error');
    server.dropAll(4321, 'custom fatal');
    expect(isClosedError(await error)).toBe(true);
    expect(seen).toEqual([4321]);
    expect(client.state).toBe('closed');
  });

  it('gives up after maxRetries with ReconnectExhaustedError; connect() starts afresh', async () => {
    const server = track(await startServer());
    const url = server.url;
    await server.stop();
    const client = track(createClient({ url, backoff: { minDelay: 5, maxDelay: 10, maxRetries: 3 }, signals: false }));
    const attempts: number[] = [];
    client.on('reconnecting', ({ attempt }) => void attempts.push(attempt));
    const error = await next(client, 'error', isReconnectExhaustedError);
    expect(isReconnectExhaustedError(error) && error.attempts).toBe(3);
    expect(attempts).toEqual([1, 2, 3]);
    expect(client.state).toBe('closed');
    await server.start();
    client.connect();
    await reach(client, 'open');
  });

  it('close(): no reconnect after the server comes back, no timer left', async () => {
    const server = track(await startServer());
    const before = process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
    const client = createClient({ url: server.url, heartbeat: { interval: 50, timeout: 50 }, signals: false });
    await reach(client, 'open');
    const closed = next(client, 'close');
    client.close(1000, 'bye');
    expect(await closed).toEqual({ code: 1000, reason: 'bye', willReconnect: false });
    expect(client.state).toBe('closed');
    await server.restart();
    await settle(100);
    expect(server.history).toHaveLength(1);
    const after = process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
    expect(after).toBeLessThanOrEqual(before);
  });

  it('offline pauses attempts; online reconnects at once', async () => {
    const server = track(await startServer());
    let online = true;
    let emit: (s: NetworkSignal) => void = () => {};
    let subscribed = false;
    const signals = {
      isOnline: () => online,
      subscribe(listener: (s: NetworkSignal) => void) {
        emit = listener;
        subscribed = true;
        return () => {
          subscribed = false;
        };
      },
    };
    const client = track(createClient({ url: server.url, backoff: { minDelay: 5, maxDelay: 5 }, signals }));
    await reach(client, 'open');
    online = false;
    emit('offline');
    server.dropAll();
    await reach(client, 'reconnecting');
    await settle(100); // twenty retry delays: none may run while offline
    expect(server.history).toHaveLength(1);
    expect(client.state).toBe('reconnecting');
    online = true;
    emit('online');
    expect(client.state).toBe('connecting');
    await reach(client, 'open');
    expect(subscribed).toBe(true);
    client.close();
    expect(subscribed).toBe(false); // no listener left on the environment
  });

  it('reconnect() drops the link and connects again at once', async () => {
    const server = track(await startServer());
    const client = track(createClient({ url: server.url, signals: false }));
    const first = await next(client, 'open');
    client.reconnect();
    const second = await next(client, 'open');
    expect(second.sessionId).not.toBe(first.sessionId);
    expect(server.history).toHaveLength(2);
  });
});

describe('reconnect: the limits', () => {
  it('a server that answers 4001 after its welcome, forever, meets backoff, not a loop', async () => {
    const server = track(await startServer());
    server.on('authed', () => setImmediate(() => server.dropAll(4001, 'token expired')));
    let tokens = 0;
    const client = track(
      createClient({
        url: server.url,
        token: () => `t${++tokens}`,
        signals: false,
        backoff: { minDelay: 50, maxDelay: 200, jitter: 'none' },
      }),
    );
    client.on('error', () => {});
    await eventually(() => server.history.length >= 6, 10_000);
    const started = performance.now();
    const before = server.history.length;
    await eventually(() => server.history.length >= before + 3, 10_000);
    // three more refusals took backoff delays (200 ms each by now), not microseconds (321 per second before)
    expect(performance.now() - started).toBeGreaterThan(400);
    expect(tokens - server.history.length).toBeLessThanOrEqual(1); // one token per attempt (one may be in flight)
  });

  it('the last close before maxRetries stops says willReconnect: false', async () => {
    const server = track(await startServer());
    const url = server.url;
    await server.close();
    const client = track(createClient({ url, signals: false, backoff: { ...quick, maxRetries: 2 } }));
    client.on('error', () => {});
    const closes = collect<{ willReconnect: boolean }>((h) => client.on('close', h));
    await reach(client, 'closed');
    expect(closes.seen.map((c) => c.willReconnect)).toEqual([true, true, false]);
  });
});
