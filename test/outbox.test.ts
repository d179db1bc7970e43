/**
 * The outbox as a data structure: lanes, levels, the transport's answer, the one limit, and the
 * rate limit as it spends tokens frame by frame (timed by an injected clock: pure timing logic).
 */
import { describe, expect, it } from 'vitest';
import { type Held, Lane, Outbox } from '../src/core/outbox/outbox.js';
import type { Clock } from '../src/core/util/clock.js';

/** A link that records what it took, and refuses while `open` is false. */
function link() {
  const sent: string[] = [];
  return {
    sent,
    open: true,
    transmit(frame: string) {
      if (!this.open) return false;
      sent.push(frame);
      return true;
    },
  };
}

const held = (lane: Lane, text: () => string | string[] | undefined): Held => ({ lane, link: 0, frame: text });

/** A clock moved by hand: `advance(ms)` fires due timers in order. */
function manualClock() {
  let t = 0;
  let timers: Array<{ at: number; fn: () => void }> = [];
  const clock: Clock = {
    now: () => t,
    setTimeout: (fn, ms) => {
      const timer = { at: t + ms, fn };
      timers.push(timer);
      return timer;
    },
    clearTimeout: (handle) => {
      timers = timers.filter((x) => x !== handle);
    },
  };
  const advance = (ms: number) => {
    const end = t + ms;
    for (;;) {
      const due = timers.filter((x) => x.at <= end).sort((a, b) => a.at - b.at)[0];
      if (!due) break;
      timers = timers.filter((x) => x !== due);
      t = due.at;
      due.fn();
    }
    t = end;
  };
  return { clock, advance };
}

/** An open, ready outbox at `messages` frames per 100 ms (a 5 ms margin: tokens come back 105 ms after use). */
function paced(messages: number) {
  const l = link();
  const { clock, advance } = manualClock();
  const box = new Outbox(100, l, { messages, per: 100 }, clock);
  box.socketOpen();
  box.ready();
  return { l, box, advance };
}

describe('outbox', () => {
  it('flushes in lane order when the link opens: auth on the bare socket, the rest once ready', () => {
    const l = link();
    const box = new Outbox(10, l);
    expect(box.push(Lane.Send, 'send-1')).toBe('queued');
    box.hold(held(Lane.Request, () => 'request-1'));
    box.hold(held(Lane.Subscribe, () => 'subscribe-1'));
    box.push(Lane.Ack, 'ack-1');
    box.hold(held(Lane.Auth, () => 'auth'));
    expect(l.sent).toEqual([]);
    box.socketOpen();
    expect(l.sent).toEqual(['auth']);
    box.ready();
    expect(l.sent).toEqual(['auth', 'subscribe-1', 'ack-1', 'request-1', 'send-1']);
    expect(box.waiting).toBe(0);
    expect(box.push(Lane.Send, 'send-2')).toBe('sent');
  });

  it('sends held messages again on every new link (with a fresh frame), one-shot ones once', () => {
    const l = link();
    const box = new Outbox(10, l);
    let cursor = 1;
    box.hold(held(Lane.Subscribe, () => `subscribe since ${cursor}`));
    const request = held(Lane.Request, () => 'request-7');
    box.hold(request);
    box.push(Lane.Send, 'once');
    box.socketOpen();
    box.ready();
    cursor = 5;
    box.down();
    expect(box.waiting).toBe(1); // the request in flight waits for the next link
    box.socketOpen();
    box.ready();
    box.release(request);
    box.down();
    box.socketOpen();
    box.ready();
    expect(l.sent).toEqual([
      'subscribe since 1',
      'request-7',
      'once',
      'subscribe since 5',
      'request-7',
      'subscribe since 5',
    ]);
  });

  it('stops at the first frame the transport refuses, and keeps it and everything behind it, in order', () => {
    const l = link();
    const box = new Outbox(10, l);
    box.socketOpen();
    box.ready();
    l.open = false;
    expect(box.push(Lane.Send, 'a')).toBe('queued');
    l.open = true;
    expect(box.push(Lane.Send, 'b')).toBe('queued'); // behind 'a', not before it
    box.flush();
    expect(l.sent).toEqual(['a', 'b']);
    expect(box.push(Lane.Send, 'c')).toBe('sent');
  });

  it('outboxSize bounds what a user queued (acks, requests, sends), not subscriptions', () => {
    const box = new Outbox(2, link());
    expect(box.hold(held(Lane.Subscribe, () => 's1'))).toBe(true);
    expect(box.hold(held(Lane.Subscribe, () => 's2'))).toBe(true);
    expect(box.push(Lane.Send, 'a')).toBe('queued');
    const request = held(Lane.Request, () => 'r');
    expect(box.hold(request)).toBe(true);
    expect(box.push(Lane.Send, 'b')).toBe('refused');
    expect(box.hold(held(Lane.Request, () => 'r2'))).toBe(false);
    expect(box.waiting).toBe(2);
    box.release(request);
    expect(box.push(Lane.Send, 'b')).toBe('queued');
    box.clearQueued();
    expect(box.waiting).toBe(0);
  });

  it('a held message with nothing to say on this link (no token yet) is skipped, not retried', () => {
    const l = link();
    const box = new Outbox(10, l);
    let token: string | undefined;
    box.hold(held(Lane.Auth, () => token && `auth ${token}`));
    box.socketOpen();
    box.ready();
    box.down();
    token = 't2';
    box.socketOpen();
    expect(l.sent).toEqual(['auth t2']);
  });
});

describe('outbox under a rate limit', () => {
  it('a held message of several frames spends one token per frame: the rest follow as tokens come back, in order', () => {
    const { l, box, advance } = paced(3);
    let asked = 0;
    const frames = Array.from({ length: 10 }, (_, n) => `session-${n}`);
    let sent = false;
    const frame = () => {
      asked++;
      return frames;
    };
    box.hold({ lane: Lane.Subscribe, link: 0, frame, sent: () => (sent = true) });
    expect(l.sent).toEqual(frames.slice(0, 3));
    expect(box.pace()).toMatchObject({ messages: 3, per: 100, waitMs: 105, pauses: 1 });
    expect(box.push(Lane.Send, 'after')).toBe('queued'); // behind the rest of the set
    advance(105);
    expect(l.sent).toEqual(frames.slice(0, 6));
    advance(105);
    expect(l.sent).toEqual(frames.slice(0, 9));
    expect(sent).toBe(false); // `sent()` once all its frames are out
    advance(105);
    expect(l.sent).toEqual([...frames, 'after']);
    expect(sent).toBe(true);
    expect(asked).toBe(1); // its frames were asked once for the link, not at every token
  });

  it('a held message released part way sends no more of its frames; a new link asks for them all again', () => {
    const { l, box, advance } = paced(2);
    const a = held(Lane.Subscribe, () => ['a0', 'a1', 'a2']);
    const b = held(Lane.Subscribe, () => ['b0', 'b1', 'b2']);
    box.hold(a);
    box.hold(b);
    box.release(a);
    advance(105);
    expect(l.sent).toEqual(['a0', 'a1', 'b0', 'b1']);
    box.down();
    advance(1_000);
    box.socketOpen();
    box.ready();
    advance(105);
    expect(l.sent).toEqual(['a0', 'a1', 'b0', 'b1', 'b0', 'b1', 'b2']);
  });

  it('control frames jump the queue, not the limit, and never twice in a row while a lane frame waits', () => {
    const { l, box, advance } = paced(1);
    for (const frame of ['s1', 's2', 's3']) box.push(Lane.Send, frame);
    expect(l.sent).toEqual(['s1']);
    // a server pinging far faster than the limit: a pong is always pending, the newer replacing it
    for (let n = 1; n <= 8; n++) {
      expect(box.control('pong', `pong-${n}`)).toBe('queued');
      advance(105 / 2);
    }
    expect(l.sent).toEqual(['s1', 'pong-2', 's2', 'pong-6', 's3']);
    expect(box.pace()?.pauses).toBe(5); // one per wait for a token, however many frames waited
  });

  it("a WebSocket protocol pong waits as one answer: the socket's function is called once per token it gets", () => {
    const { l, box, advance } = paced(1);
    box.push(Lane.Send, 'spend');
    let answers = 0;
    const answer = () => {
      answers++;
      return true;
    };
    for (let n = 0; n < 5; n++) expect(box.control('ws-pong', answer)).toBe('queued');
    advance(104);
    expect(answers).toBe(0);
    advance(1);
    expect(answers).toBe(1);
    expect(box.control('ws-pong', answer)).toBe('queued'); // the last token went to the pong
    advance(105);
    expect(answers).toBe(2);
    expect(l.sent).toEqual(['spend']);
  });

  it('without a socket, control frames are dropped; the link going down forgets one waiting', () => {
    const { l, box, advance } = paced(1);
    box.push(Lane.Send, 'spend');
    expect(box.control('ping', 'ping-1')).toBe('queued');
    box.down();
    expect(box.control('pong', 'pong-1')).toBe('dropped');
    box.socketOpen();
    box.ready();
    advance(105);
    expect(l.sent).toEqual(['spend']);
  });
});
