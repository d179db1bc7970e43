/**
 * The rate limit: the limiter as pure timing logic (an injected time), the option's checks, and
 * the limit on real links: every frame counted (a call that writes several, answers to a ping
 * flood), on a monotonic clock (wall-clock steps change nothing).
 */
import { randomUUID } from 'node:crypto';
import { describe, expect, it, vi } from 'vitest';
import { WebSocket } from 'ws';
import { RateLimiter } from '../src/core/outbox/rate.js';
import { systemClock } from '../src/core/util/clock.js';
import { forge, provisioning, querri } from '../src/dialects/index.js';
import { createClient, isOptionsError } from '../src/index.js';
import { resolveOptions } from '../src/options.js';
import { track } from './cleanup.js';
import { startForge } from './fixtures/dialects/forge.js';
import { startProvisioning } from './fixtures/dialects/provisioning.js';
import { startServer } from './fixtures/server.js';
import { reach } from './helpers.js';

/** A promise and its resolve (Promise.withResolvers is Node 22). */
function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve = () => {};
  const promise = new Promise<void>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

/**
 * `ws`'s WebSocket, passed as the `WebSocket` option, that notes the moment the client writes
 * each frame (its sends, and its answers to protocol pings). The limit is timed there: arrival
 * times at the server add the event loop's delays, and on a loaded machine a frame read 60 ms
 * late and the next one read on time would put 11 in a window the client kept to 10.
 */
function writes(times: number[]): typeof WebSocket {
  type Write = (this: WebSocket, ...args: unknown[]) => void;
  const noted = (write: unknown): Write =>
    function (this: WebSocket, ...args: unknown[]) {
      times.push(performance.now());
      (write as Write).apply(this, args);
    };
  class Noting extends WebSocket {}
  Object.assign(Noting.prototype, { send: noted(WebSocket.prototype.send), pong: noted(WebSocket.prototype.pong) });
  return Noting;
}

/** A client on `url` limited to 10 messages a second, open, noting in `times` when it writes each frame. */
async function limited(url: string, times: number[]) {
  const client = track(
    createClient({ url, signals: false, rateLimit: { messages: 10, per: 1000 }, WebSocket: writes(times) }),
  );
  await reach(client, 'open');
  return client;
}

/** The most arrivals (ms times) in any window of `ms` starting at an arrival. */
function busiest(arrivals: readonly number[], ms = 1000): number {
  let most = 0;
  for (const start of arrivals) most = Math.max(most, arrivals.filter((t) => t >= start && t < start + ms).length);
  return most;
}

describe('rate limiter', () => {
  it('never lets more than `messages` go in any window of `per` ms, wherever the window starts', () => {
    const rate = new RateLimiter({ messages: 10, per: 1000 });
    const sent: number[] = [];
    // a sender that tries every 7 ms for 10 s
    for (let t = 0; t <= 10_000; t += 7) if (rate.take(t)) sent.push(t);
    expect(busiest(sent)).toBe(10);
    // and it is not stingy: close to 10 a second (the margin costs 5 %)
    expect(sent.length).toBeGreaterThanOrEqual(90);
  });

  it('wait() says when the next token comes back', () => {
    const rate = new RateLimiter({ messages: 2, per: 100 });
    expect(rate.wait(0)).toBe(0);
    expect(rate.take(0)).toBe(true);
    expect(rate.take(10)).toBe(true);
    expect(rate.take(20)).toBe(false);
    expect(rate.wait(20)).toBe(85); // 100 ms + a 5 ms margin after t=0
    expect(rate.take(105)).toBe(true);
    expect(rate.wait(105)).toBe(10); // the token spent at t=10 comes back at 115
  });

  it('one token per frame: a full bucket lets `messages` frames through, never more', () => {
    const rate = new RateLimiter({ messages: 3, per: 100 });
    const taken = Array.from({ length: 10 }, () => rate.take(0));
    expect(taken.filter(Boolean)).toHaveLength(3);
  });

  it('a clock that steps back holds the sender one window at most, not the length of the step', () => {
    const rate = new RateLimiter({ messages: 3, per: 1000 });
    for (let i = 0; i < 3; i++) rate.take(10_000);
    // an injected clock went back 10 s (performance.now() cannot): the ring moves back with it
    expect(rate.wait(0)).toBe(1050);
    expect(rate.take(1049)).toBe(false);
    expect(rate.take(1050)).toBe(true);
  });

  it('systemClock, which times the limit (and every duration: heartbeat, backoff, timeouts), ignores wall-clock steps', () => {
    const realNow = Date.now.bind(Date);
    const before = systemClock.now();
    const wall = vi.spyOn(Date, 'now').mockImplementation(() => realNow() - 3_600_000);
    try {
      const during = systemClock.now();
      expect(during).toBeGreaterThanOrEqual(before);
      expect(during - before).toBeLessThan(1_000);
    } finally {
      wall.mockRestore();
    }
  });

  it('rateLimit is { messages, per } or false; the dialect default applies when absent', () => {
    const limit = (rateLimit: unknown) =>
      resolveOptions({ url: 'ws://x', dialect: querri(), signals: false, rateLimit } as never).rateLimit;
    expect(limit(undefined)).toEqual({ messages: 10, per: 1000 });
    expect(limit(false)).toBeUndefined();
    expect(limit({ messages: 5, per: 200 })).toEqual({ messages: 5, per: 200 });
    const bad: Array<[unknown, string]> = [
      [{ messages: 0, per: 1 }, 'rateLimit.messages must be an integer >= 1, got 0'],
      [{ messages: 1.5, per: 1 }, 'rateLimit.messages must be an integer >= 1, got 1.5'],
      [{ messages: 1, per: 0 }, 'rateLimit.per must be a number > 0, got 0'],
      [{ messages: 1 }, 'rateLimit.per must be a number > 0, got undefined'],
      ['fast', 'rateLimit must be { messages, per } or false, got "fast"'],
      [null, 'rateLimit must be { messages, per } or false, got null'],
    ];
    for (const [rateLimit, message] of bad) {
      let error: unknown;
      try {
        limit(rateLimit);
      } catch (e) {
        error = e;
      }
      expect(isOptionsError(error) && error.message).toBe(message);
    }
  });
});

describe('rateLimit on a real link', () => {
  it('100 requests at { messages: 10, per: 1000 }: never more than 10 written in any 1 s, all answered, in order', async () => {
    const server = track(await startServer());
    const arrivals: number[] = [];
    server.on('message', (_conn, message) => {
      const msg = message as { method?: string; params?: { n: number } };
      if (msg.method === 'echo' && msg.params) arrivals.push(msg.params.n);
    });
    const written: number[] = [];
    const client = await limited(server.url, written);
    const answers = Array.from({ length: 100 }, (_, n) => client.request('echo', { n }));
    // the first request loads the request tracker (a chunk of its own): they are queued, in order, once it has
    // (its first import compiles it, seconds on a loaded machine: not vi.waitFor's default 1 s)
    await vi.waitFor(() => expect(client.stats().queued).toBeGreaterThan(0), { timeout: 10_000 });
    const stats = client.stats().rateLimit;
    expect(stats?.waitMs).toBeGreaterThan(0); // the bucket is spent: the rest wait in the outbox
    expect(client.stats().queued).toBeGreaterThan(80);
    const results = await Promise.all(answers);
    expect(results).toEqual(Array.from({ length: 100 }, (_, n) => ({ n })));
    expect(arrivals).toEqual(Array.from({ length: 100 }, (_, n) => n)); // in order, each once
    expect(written).toHaveLength(100); // the requests, and nothing else here
    expect(busiest(written)).toBeLessThanOrEqual(10);
    expect(client.stats().rateLimit?.pauses).toBeGreaterThanOrEqual(9); // one pause per spent bucket at least
  }, 20_000);

  it('forge() at 3 a second: one subscribe() naming 10 sessions writes 10 frames, spaced, all of them sent', async () => {
    const server = track(await startForge().start());
    const written: number[] = [];
    const client = track(
      createClient({
        url: server.url,
        dialect: forge(),
        signals: false,
        rateLimit: { messages: 3, per: 1000 },
        WebSocket: writes(written),
      }),
    );
    await reach(client, 'open');
    const conn = server.history[0];
    if (!conn) throw new Error('no connection at the server');
    const before = written.length; // what forge() writes on open, if anything
    let arrived = 0;
    const all = new Promise<void>((resolve) => conn.ws.on('message', () => ++arrived === 10 && resolve()));
    const sessions = Array.from({ length: 10 }, () => randomUUID());
    const sub = client.subscribe('checkpoint_created', { filters: { session_id: sessions } });
    expect(client.stats().rateLimit?.waitMs).toBeGreaterThan(0); // 3 went, 7 wait for tokens
    await all;
    const frames = written.slice(before);
    expect(frames).toHaveLength(10);
    expect(busiest(written)).toBeLessThanOrEqual(3);
    expect(frames.at(-1)! - frames[0]!).toBeGreaterThanOrEqual(3000); // 4 windows: 3 + 3 + 3 + 1
    const asked = conn.received.map((m) => (m as { params: { session_id: string } }).params.session_id);
    expect(asked).toEqual(sessions); // every session, in order, once
    sub.unsubscribe();
  }, 20_000);

  /** Ten requests go at once; then the wall clock steps; ten more follow. The times the client wrote them. */
  async function stepped(step: number): Promise<{ arrivals: number[]; waitAfterStep: number | undefined }> {
    const server = track(await startServer());
    const arrivals: number[] = []; // when the client wrote them (see writes())
    const client = await limited(server.url, arrivals);
    const first = Array.from({ length: 10 }, (_, n) => client.request('echo', { n }));
    await Promise.all(first);
    const realNow = Date.now.bind(Date);
    const clock = vi.spyOn(Date, 'now').mockImplementation(() => realNow() + step);
    try {
      const second = Array.from({ length: 10 }, (_, n) => client.request('echo', { n: 10 + n }));
      const waitAfterStep = client.stats().rateLimit?.waitMs;
      await Promise.all(second);
      return { arrivals, waitAfterStep };
    } finally {
      clock.mockRestore();
    }
  }

  it('a wall-clock step forward (+5 s) lets nothing through early', async () => {
    const { arrivals, waitAfterStep } = await stepped(5_000);
    expect(waitAfterStep).toBeGreaterThan(500); // the ten tokens come back 1 s after they went, not 5 s sooner
    expect(arrivals).toHaveLength(20);
    expect(busiest(arrivals)).toBeLessThanOrEqual(10);
    expect(arrivals[10]! - arrivals[0]!).toBeGreaterThanOrEqual(1000);
  }, 20_000);

  it('a wall-clock step back (-10 s) stops nothing: the next ten go a window after the first', async () => {
    const { arrivals, waitAfterStep } = await stepped(-10_000);
    expect(waitAfterStep).toBeLessThanOrEqual(1050); // not 11 s
    expect(arrivals).toHaveLength(20);
    expect(busiest(arrivals)).toBeLessThanOrEqual(10);
    expect(arrivals[19]! - arrivals[0]!).toBeLessThan(5_000); // one window and timer delays, far from 11 s
  }, 20_000);

  for (const kind of ['WebSocket protocol', 'JSON'] as const) {
    it(`a server pinging 400 times a second (${kind} pings) against provisioning()'s 100 a second: at most 100 frames in any 1 s, one pending answer, the client's own frames still go`, async () => {
      const server = track(await startProvisioning().start());
      const written: number[] = [];
      const client = track(
        createClient({
          url: server.url,
          token: 'jwt',
          dialect: provisioning(),
          signals: false,
          WebSocket: writes(written),
        }),
      );
      let closed = 0;
      client.on('close', () => closed++);
      await reach(client, 'open');
      const conn = server.history[0];
      if (!conn) throw new Error('no connection at the server');
      let pongs = 0;
      let notes = 0;
      const firstPong = deferred();
      const allNotes = deferred();
      const pong = () => {
        if (++pongs === 1) firstPong.resolve();
      };
      conn.ws.on('pong', pong);
      conn.ws.on('message', (data) => {
        if (JSON.parse(String(data)).type === 'pong') return pong();
        if (++notes === 150) allNotes.resolve();
      });
      let pings = 0;
      const pinged = deferred();
      const timer = setInterval(() => {
        if (kind === 'JSON') server.send(conn, { type: 'ping' });
        else conn.ws.ping();
        if (++pings === 600) {
          clearInterval(timer);
          pinged.resolve();
        }
      }, 2.5);
      try {
        await firstPong.promise;
        for (let n = 0; n < 150; n++) client.send({ type: 'note', n });
        await Promise.all([pinged.promise, allNotes.promise]);
      } finally {
        clearInterval(timer);
      }
      expect(written.length).toBeGreaterThanOrEqual(150 + pongs); // every frame the server saw was noted
      expect(busiest(written)).toBeLessThanOrEqual(100);
      expect(pongs).toBeGreaterThan(10); // it answers as it can
      expect(pongs).toBeLessThan(pings); // not once per ping: one answer pending at a time
      expect(conn.received.filter((m) => (m as { type: string }).type === 'note')).toEqual(
        Array.from({ length: 150 }, (_, n) => ({ type: 'note', n })),
      );
      expect([client.state, closed]).toEqual(['open', 0]);
    }, 20_000);
  }

  it('Querri and Provisioning set their published limits by default; rateLimit: false lifts them', () => {
    const q = createClient({ url: 'ws://127.0.0.1:1', dialect: querri(), lazy: true });
    const p = createClient({ url: 'ws://127.0.0.1:1', dialect: provisioning(), lazy: true });
    const off = createClient({ url: 'ws://127.0.0.1:1', dialect: querri(), rateLimit: false, lazy: true });
    const v1 = createClient({ url: 'ws://127.0.0.1:1', lazy: true });
    expect(q.stats().rateLimit).toMatchObject({ messages: 10, per: 1000 });
    expect(p.stats().rateLimit).toMatchObject({ messages: 100, per: 1000 });
    expect(off.stats().rateLimit).toBeUndefined();
    expect(v1.stats().rateLimit).toBeUndefined();
    for (const c of [q, p, off, v1]) c.close();
  });
});
