/** The rate limiter as pure timing logic (an injected time), and the option's checks. */
import { describe, expect, it } from 'vitest';
import { checkRateLimit, RateLimiter } from '../src/core/outbox/rate.js';
import { provisioning, querri } from '../src/dialects/index.js';
import { createClient } from '../src/index.js';
import { track } from './cleanup.js';
import { startServer } from './fixtures/server.js';
import { reach } from './helpers.js';

describe('rate limiter', () => {
  it('never lets more than `messages` go in any window of `per` ms, wherever the window starts', () => {
    const rate = new RateLimiter({ messages: 10, per: 1000 });
    const sent: number[] = [];
    // a sender that tries every 7 ms for 10 s
    for (let t = 0; t <= 10_000; t += 7) if (rate.take(t)) sent.push(t);
    for (const start of sent) expect(sent.filter((t) => t >= start && t < start + 1000).length).toBeLessThanOrEqual(10);
    // and it is not stingy: close to 10 a second (the margin costs 5 %)
    expect(sent.length).toBeGreaterThanOrEqual(90);
  });

  it('wait() says when the next token comes back; available() counts free tokens', () => {
    const rate = new RateLimiter({ messages: 2, per: 100 });
    expect(rate.wait(0)).toBe(0);
    expect(rate.take(0)).toBe(true);
    expect(rate.take(10)).toBe(true);
    expect(rate.available(20)).toBe(0);
    expect(rate.take(20)).toBe(false);
    expect(rate.wait(20)).toBe(85); // 100 ms + a 5 ms margin after t=0
    expect(rate.take(105)).toBe(true);
    expect(rate.available(115)).toBe(1);
  });

  it('several frames at once need as many tokens, unless the bucket is full (a frame set larger than the limit still goes)', () => {
    const rate = new RateLimiter({ messages: 3, per: 100 });
    expect(rate.take(0, 2)).toBe(true);
    expect(rate.take(1, 2)).toBe(false);
    expect(rate.take(200, 5)).toBe(true);
  });

  it('rateLimit is { messages, per } or false; the dialect default applies when absent', () => {
    const fallback = { messages: 10, per: 1000 };
    expect(checkRateLimit(undefined, fallback)).toEqual(fallback);
    expect(checkRateLimit(false, fallback)).toBeUndefined();
    expect(checkRateLimit({ messages: 5, per: 200 }, undefined)).toEqual({ messages: 5, per: 200 });
    for (const bad of [{ messages: 0, per: 1 }, { messages: 1.5, per: 1 }, { messages: 1, per: 0 }, 'fast', null])
      expect(() => checkRateLimit(bad, undefined)).toThrow(/rateLimit must be/);
  });
});

describe('rateLimit on a real link', () => {
  it('100 requests at { messages: 10, per: 1000 }: never more than 10 in any 1 s at the server, all answered, in order', async () => {
    const server = track(await startServer());
    const arrivals: Array<{ at: number; n: number }> = [];
    server.on('message', (_conn, message) => {
      const msg = message as { method?: string; params?: { n: number } };
      if (msg.method === 'echo' && msg.params) arrivals.push({ at: performance.now(), n: msg.params.n });
    });
    const client = track(createClient({ url: server.url, signals: false, rateLimit: { messages: 10, per: 1000 } }));
    await reach(client, 'open');
    const answers = Array.from({ length: 100 }, (_, n) => client.request('echo', { n }));
    const stats = client.stats().rateLimit;
    expect(stats?.waitMs).toBeGreaterThan(0); // the bucket is spent: the rest wait in the outbox
    expect(client.stats().queued).toBeGreaterThan(80);
    const results = await Promise.all(answers);
    expect(results).toEqual(Array.from({ length: 100 }, (_, n) => ({ n })));
    expect(arrivals.map((a) => a.n)).toEqual(Array.from({ length: 100 }, (_, n) => n)); // in order
    for (const first of arrivals) {
      const inWindow = arrivals.filter((a) => a.at >= first.at && a.at < first.at + 1000).length;
      expect(inWindow).toBeLessThanOrEqual(10);
    }
    expect(client.stats().rateLimit?.pauses).toBeGreaterThanOrEqual(9); // one pause per spent bucket at least
  }, 20_000);

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
