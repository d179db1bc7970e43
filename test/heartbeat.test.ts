import { describe, expect, it } from 'vitest';
import { createHeartbeat } from '../src/core/link/heartbeat.js';
import type { Clock } from '../src/core/util/clock.js';

/** A manual clock: timers fire only when the test advances time. */
function manualClock() {
  let now = 0;
  let timers: Array<{ at: number; fn: () => void; id: number }> = [];
  let ids = 0;
  const clock: Clock = {
    now: () => now,
    setTimeout: (fn, ms) => {
      const id = ++ids;
      timers.push({ at: now + ms, fn, id });
      return id;
    },
    clearTimeout: (id) => {
      timers = timers.filter((t) => t.id !== id);
    },
  };
  return {
    clock,
    /** Moves time forward, firing due timers in order. `throttle` delays every firing (a background tab). */
    advance(ms: number, throttle = 0) {
      const end = now + ms;
      for (;;) {
        timers.sort((a, b) => a.at - b.at);
        const t = timers[0];
        if (!t || t.at + throttle > end) break;
        timers.shift();
        now = t.at + throttle;
        t.fn();
      }
      now = end;
    },
    set(ms: number) {
      now = ms;
    },
    pending: () => timers.length,
  };
}

describe('heartbeat', () => {
  const options = { interval: 25_000, timeout: 10_000 };

  it('pings every interval while the link answers', () => {
    const t = manualClock();
    const pings: number[] = [];
    const hb = createHeartbeat(options, t.clock, {
      ping: () => void pings.push(t.clock.now()),
      dead: () => expect.fail('dead'),
    });
    for (let i = 0; i < 4; i++) {
      t.advance(25_000);
      hb.received();
    }
    expect(pings).toEqual([25_000, 50_000, 75_000, 100_000]);
    hb.stop();
    expect(t.pending()).toBe(0);
  });

  it('declares the link dead `timeout` after an unanswered ping', () => {
    const t = manualClock();
    let deadAt: number | undefined;
    createHeartbeat(options, t.clock, { ping: () => {}, dead: () => (deadAt = t.clock.now()) });
    t.advance(25_000); // ping
    t.advance(9_999);
    expect(deadAt).toBeUndefined();
    t.advance(1);
    expect(deadAt).toBe(35_000);
  });

  it('any frame counts as life, not only pong', () => {
    const t = manualClock();
    let dead = false;
    const hb = createHeartbeat(options, t.clock, { ping: () => {}, dead: () => (dead = true) });
    t.advance(25_000);
    t.advance(5_000);
    hb.received();
    t.advance(60_000, 0);
    expect(dead).toBe(true); // the later pings went unanswered
    const t2 = manualClock();
    let dead2 = false;
    const hb2 = createHeartbeat(options, t2.clock, { ping: () => {}, dead: () => (dead2 = true) });
    t2.advance(25_000);
    t2.advance(5_000);
    hb2.received();
    t2.advance(5_000);
    expect(dead2).toBe(false);
    hb.stop();
    hb2.stop();
  });

  it('uses wall-clock time, so a throttled timer still sees the real silence', () => {
    const t = manualClock();
    let silent: number | undefined;
    createHeartbeat(options, t.clock, { ping: () => {}, dead: (ms) => (silent = ms) });
    t.advance(25_000); // ping at 25 s
    t.advance(120_000, 50_000); // the deadline timer fires 50 s late
    expect(silent).toBe(60_000); // 10 s deadline + 50 s of throttling: it reports the real gap
  });

  it('check() after the tab wakes declares a dead link at once, without waiting for a timer', () => {
    const t = manualClock();
    let dead = false;
    const hb = createHeartbeat(options, t.clock, { ping: () => {}, dead: () => (dead = true) });
    t.advance(25_000); // ping sent
    t.set(200_000); // the tab slept; no timer has fired yet
    hb.check();
    expect(dead).toBe(true);
  });

  it('check() on a healthy link sends a probe ping', () => {
    const t = manualClock();
    let pings = 0;
    const hb = createHeartbeat(options, t.clock, { ping: () => void pings++, dead: () => {} });
    t.advance(1_000);
    hb.check();
    expect(pings).toBe(1);
    hb.stop();
  });

  it('measures rtt from the last ping to its pong', () => {
    const t = manualClock();
    const hb = createHeartbeat(options, t.clock, { ping: () => {}, dead: () => {} });
    t.advance(25_000);
    t.advance(42);
    hb.pong();
    expect(hb.rtt).toBe(42);
    hb.stop();
  });

  describe('provenOnly (a server that may ignore the ping)', () => {
    it('keeps pinging and never declares death while no pong has come', () => {
      const t = manualClock();
      const pings: number[] = [];
      createHeartbeat(
        options,
        t.clock,
        { ping: () => void pings.push(t.clock.now()), dead: () => expect.fail('dead before any pong') },
        true,
      );
      t.advance(200_000); // eight periods of silence
      expect(pings).toEqual([25_000, 50_000, 75_000, 100_000, 125_000, 150_000, 175_000, 200_000]);
    });

    it('check() on an unproven link probes instead of declaring it dead', () => {
      const t = manualClock();
      let pings = 0;
      const hb = createHeartbeat(options, t.clock, { ping: () => void pings++, dead: () => expect.fail('dead') }, true);
      t.advance(25_000);
      t.set(90_000);
      hb.check();
      expect(pings).toBe(2);
    });

    it('once a pong arrived, a missing one is death `timeout` after the ping', () => {
      const t = manualClock();
      const dead: number[] = [];
      const hb = createHeartbeat(options, t.clock, { ping: () => {}, dead: (silent) => void dead.push(silent) }, true);
      t.advance(25_000);
      t.advance(5);
      hb.pong();
      t.advance(24_995); // the next ping, at 50 s, goes unanswered
      t.advance(10_000);
      expect(dead).toEqual([10_000]);
    });
  });
});
