/** The outbox as a data structure: lanes, levels, the transport's answer, the one limit. */
import { describe, expect, it } from 'vitest';
import { type Held, Lane, Outbox } from '../src/core/outbox/outbox.js';

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

const held = (lane: Lane, text: () => string | undefined): Held => ({ lane, link: 0, frame: text });

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
