import { describe, expect, it } from 'vitest';
import { createHeartbeat, createServerPacedHeartbeat } from '../src/core/link/heartbeat.js';
import type { Clock } from '../src/core/util/clock.js';
import { createTestServer } from '../src/testing/index.js';
import { track } from './cleanup.js';
import { runFixture } from './helpers.js';

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

/** A manual clock and a heartbeat's io that records each death's silence. */
function deaths() {
  const t = manualClock();
  const dead: number[] = [];
  return { t, dead, io: { ping: () => {}, dead: (ms: number) => void dead.push(ms) } };
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

  it('declares the link dead `timeout` (and a 50 ms grace) after an unanswered ping', () => {
    const t = manualClock();
    let deadAt: number | undefined;
    createHeartbeat(options, t.clock, { ping: () => {}, dead: () => (deadAt = t.clock.now()) });
    t.advance(25_000); // ping
    t.advance(10_049);
    expect(deadAt).toBeUndefined();
    t.advance(1);
    expect(deadAt).toBe(35_050);
    // the grace is at most the timeout
    const t2 = manualClock();
    let deadAt2: number | undefined;
    createHeartbeat({ interval: 100, timeout: 20 }, t2.clock, {
      ping: () => {},
      dead: () => (deadAt2 = t2.clock.now()),
    });
    t2.advance(139);
    expect(deadAt2).toBeUndefined();
    t2.advance(1);
    expect(deadAt2).toBe(140); // ping at 100, deadline at 120, grace 20
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
    t.advance(120_000, 50_000); // the deadline timer fires 50 s late, and so does the grace it gives
    expect(silent).toBe(110_050); // 10 s deadline + 50 ms grace + 2 x 50 s of throttling: the real gap
  });

  it('check() after the tab wakes declares a dead link 50 ms later, without waiting for the heartbeat', () => {
    const t = manualClock();
    let dead = false;
    const hb = createHeartbeat(options, t.clock, { ping: () => {}, dead: () => (dead = true) });
    t.advance(25_000); // ping sent
    t.set(200_000); // the tab slept; no timer has fired yet
    hb.check();
    expect(dead).toBe(false); // frames that came while it slept may wait to be read
    t.advance(49);
    expect(dead).toBe(false);
    t.advance(1);
    expect(dead).toBe(true);
  });

  it('a deadline timer that finds silence gives the frames that came meanwhile 50 ms: a pong then keeps the link', () => {
    for (const answered of [true, false]) {
      const { t, dead, io } = deaths();
      const hb = createHeartbeat(options, t.clock, io);
      t.advance(25_000); // ping; its deadline is at 35 s
      t.advance(15_000, 5_000); // the process was busy: the deadline timer runs at 40 s, before the pong is read
      expect(dead).toEqual([]);
      if (answered) hb.pong();
      t.advance(50); // the grace it gave
      expect(dead).toEqual(answered ? [] : [15_050]);
      hb.stop();
    }
  });

  it('two checks in a row (visibilitychange, then online) wait for the grace the first gave', () => {
    for (const answered of [true, false]) {
      const { t, dead, io } = deaths();
      const hb = createHeartbeat(options, t.clock, io);
      t.advance(25_000); // ping
      t.set(200_000); // asleep
      hb.check();
      hb.check();
      expect(dead).toEqual([]);
      if (answered) hb.pong();
      t.advance(50);
      expect(dead).toEqual(answered ? [] : [175_050]);
      hb.stop();
      const paced = createServerPacedHeartbeat(options, t.clock, io);
      t.set(300_000);
      paced.check();
      paced.check();
      expect(dead).toEqual(answered ? [] : [175_050]);
      if (answered) paced.received();
      t.advance(50);
      expect(dead).toEqual(answered ? [] : [175_050, 100_000]);
      paced.stop();
    }
  });

  it('server-paced: a check that finds silence gives frames 50 ms too, once', () => {
    for (const answered of [true, false]) {
      const { t, dead, io } = deaths();
      const hb = createServerPacedHeartbeat(options, t.clock, io);
      t.advance(30_000); // checks at 10, 20, 30 s: silent, not yet interval + timeout
      t.advance(15_000, 5_000); // the 40 s check runs at 45 s: 45 s of silence, but late
      expect(dead).toEqual([]);
      if (answered) hb.received();
      t.advance(50);
      expect(dead).toEqual(answered ? [] : [45_050]);
      hb.stop();
    }
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
      t.advance(10_050);
      expect(dead).toEqual([10_050]);
    });
  });
});

describe('timers in a busy real process', () => {
  it('a Node script busy for 2 s (twice heartbeat.timeout) right after a ping keeps its link: the pong waiting unread counts', async () => {
    const server = await createTestServer();
    track({ close: () => server.stop() });
    // heartbeat 300 / 1000 ms in the child: its deadline passes during the 2 s stall
    const { code, out } = await runFixture('stall-after-ping.ts', [server.url, server.token, '2000']);
    expect(code).toBe(0);
    expect(JSON.parse(out)).toEqual(['open']); // no close, no reconnect
  }, 60_000);

  it('the same with the server in the same process (eventwire/testing in a test): the ping waits unread too', async () => {
    const { code, out } = await runFixture('stall-after-ping.ts', ['here', '-', '2000']);
    expect(code).toBe(0);
    expect(JSON.parse(out)).toEqual(['open']); // one loop turn answers the ping, the next reads the pong
  }, 60_000);

  it('a request whose response came while the process was busy past its timeout resolves (no TimeoutError)', async () => {
    const server = await createTestServer();
    track({ close: () => server.stop() });
    const { code, out } = await runFixture('stall-after-request.ts', [server.url, server.token, '1500']);
    expect(code).toBe(0);
    expect(JSON.parse(out)).toEqual({ result: 'hi' }); // timeout 500 ms, stalled 1.5 s, answered at once
  }, 60_000);
});
