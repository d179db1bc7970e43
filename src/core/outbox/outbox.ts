import type { Clock } from '../util/clock.js';
import type { RateLimiter } from './rate.js';

/**
 * Lanes of the outbox, flushed in this order when a link opens: the auth message first
 * (before the server's greeting, on the bare socket), then subscriptions, acks, requests
 * (with their ids unchanged) and plain `send()`s.
 */
export const Lane = { Auth: 0, Subscribe: 1, Ack: 2, Request: 3, Send: 4 } as const;
/** One of {@link Lane}. */
export type Lane = (typeof Lane)[keyof typeof Lane];

/**
 * @internal A message the outbox keeps across links and sends again on each new one (the
 * auth message, a subscription, a request awaiting its answer) until its owner releases it.
 */
export interface Held {
  readonly lane: Lane;
  /** The link it was last sent on; the outbox writes it (0: none yet). */
  link: number;
  /** Its frame(s) for the current link, or undefined to send nothing on this one. */
  frame(): string | string[] | undefined;
  /** Called once it went out on a link (all its frames taken by the socket). */
  sent?(): void;
}

/**
 * A link-level frame: the client's ping (or keepalive), or its answer to the server's ping.
 * They go in the control lane, ahead of every {@link Lane}; at most one of each kind waits.
 */
export type Control = 'ping' | 'pong';

/**
 * @internal Where the outbox sends: the link's one door out (the rate limit is applied before
 * it). The transport's answer says whether the socket took the frame.
 */
export interface OutboxLink {
  transmit(frame: string): boolean;
}

/**
 * What the rate limit is doing (`stats().rateLimit`).
 * @example `const { waitMs, pauses } = client.stats().rateLimit ?? { waitMs: 0, pauses: 0 }`
 */
export interface RateLimitStats {
  /** The limit: `messages` in any `per` ms. */
  messages: number;
  per: number;
  /** Ms until the next message may go (0: now). */
  waitMs: number;
  /** Times so far the outbox paused for the limit (a message was due and no token was free). */
  pauses: number;
}

/** @internal The server's rate limit, with the clock that times it. */
export interface OutboxPace {
  rate: RateLimiter;
  clock: Clock;
}

/** Lanes whose waiting messages count against `outboxSize`: what a user queued. */
const counted = (lane: Lane) => lane >= Lane.Ack;

/**
 * @internal The one queue of everything that waits for the link, bounded by `outboxSize`
 * (the only place that limit is applied) and drained in lane order, after the control lane
 * (pings and pongs). Every frame the client writes leaves through it: the rate limit applies
 * to all of them, then the link's `transmit`, the one door out. It stops at the first frame
 * the transport refuses, keeping it and everything behind it for the next link. Lanes are
 * allocated on first use: an idle client holds none.
 */
export class Outbox {
  readonly #limit: number;
  readonly #link: OutboxLink;
  /** Held messages by lane (auth, subscriptions, requests). */
  readonly #held: Array<Set<Held> | undefined> = [];
  /** One-shot frames by lane (unsubscribes, acks, sends). */
  readonly #queued: Array<string[] | undefined> = [];
  /** 0: no socket; 1: socket open (auth lane only); 2: link ready (every lane). */
  #level = 0;
  /** The current link (held messages carry the one they were last sent on; 0: none). */
  #linkId = 1;
  /** Counted messages not sent on the current link. */
  #waiting = 0;
  /** A flush stopped early: new messages must queue behind what waits. */
  #stalled = false;
  readonly #pace: OutboxPace | undefined;
  /** The flush scheduled for when the rate limit gives the next token. */
  #paceTimer: unknown;
  /** The control lane: the ping and the pong waiting (for a rate-limit token or the socket). */
  #ping: string | undefined;
  #pong: string | undefined;

  constructor(limit: number, link: OutboxLink, pace?: OutboxPace) {
    this.#limit = limit;
    this.#link = link;
    this.#pace = pace;
  }

  /** The rate limit's figures for `stats()`, or undefined without one. */
  pace(): RateLimitStats | undefined {
    const pace = this.#pace;
    if (!pace) return undefined;
    const { rate, clock } = pace;
    return { messages: rate.messages, per: rate.per, waitMs: rate.wait(clock.now()), pauses: rate.pauses };
  }

  /**
   * Sends frames if the rate limit has tokens for all of them and the socket takes them. When
   * the limit says wait, a flush is scheduled for the moment a token comes back.
   */
  #transmit(frames: string | string[]): boolean {
    const pace = this.#pace;
    if (pace) {
      const count = typeof frames === 'string' ? 1 : frames.length;
      const now = pace.clock.now();
      if (!pace.rate.take(now, count)) {
        pace.rate.pauses++;
        if (this.#paceTimer === undefined) {
          this.#paceTimer = pace.clock.setTimeout(
            () => {
              this.#paceTimer = undefined;
              if (this.#level > 0) this.flush();
            },
            Math.max(1, pace.rate.wait(now)),
          );
        }
        return false;
      }
    }
    return typeof frames === 'string' ? this.#link.transmit(frames) : frames.every((f) => this.#link.transmit(f));
  }

  /** Counted messages waiting for a link (`stats().queued`). */
  get waiting(): number {
    return this.#waiting;
  }

  /** Whether one more counted message fits. */
  #hasRoom(): boolean {
    return this.#waiting < this.#limit;
  }

  /** Sends a one-shot frame now, or queues it for the link; refuses it when the outbox is full. */
  push(lane: Lane, frame: string): 'sent' | 'queued' | 'refused' {
    if (this.#level === 2 && !this.#stalled && this.#transmit(frame)) return 'sent';
    const count = counted(lane);
    if (count && !this.#hasRoom()) return 'refused';
    if (count) this.#waiting++;
    const queue = this.#queued[lane] ?? [];
    this.#queued[lane] = queue;
    queue.push(frame);
    this.#stalled ||= this.#level === 2;
    return 'queued';
  }

  /**
   * Sends a link-level frame ({@link Control}) ahead of every lane, through the same door
   * (rate limit, log). On a socket it goes now, or waits first in line; a newer one of the
   * same kind replaces the one waiting (one pending pong answers the server). Without a
   * socket it is dropped: it means nothing on the next link.
   */
  control(kind: Control, frame: string): 'sent' | 'queued' | 'dropped' {
    if (this.#level === 0) return 'dropped';
    if (this.#ping === undefined && this.#pong === undefined && this.#transmit(frame)) return 'sent';
    if (kind === 'ping') this.#ping = frame;
    else this.#pong = frame;
    this.#stalled ||= this.#level === 2;
    return 'queued';
  }

  /** Keeps `entry` until {@link release}, sending it on this link (when ready) and on every new one. */
  hold(entry: Held): boolean {
    const count = counted(entry.lane);
    if (count && !this.#hasRoom()) return false;
    const held = this.#held[entry.lane] ?? new Set();
    this.#held[entry.lane] = held;
    held.add(entry);
    entry.link = 0;
    if (count) this.#waiting++;
    if (this.#level >= (entry.lane === Lane.Auth ? 1 : 2) && !this.#stalled) this.#sendHeld(entry, count);
    return true;
  }

  /** Forgets a held message. */
  release(entry: Held): void {
    if (this.#held[entry.lane]?.delete(entry) && counted(entry.lane) && entry.link !== this.#linkId) this.#waiting--;
  }

  /** A socket opened: a new link, on which only the auth lane may flow yet. */
  socketOpen(): void {
    this.#level = 1;
    this.#linkId++;
    this.#recount();
    this.flush();
  }

  /** The link is ready (greeting received, or none expected): everything flows. */
  ready(): void {
    this.#level = 2;
    this.flush();
  }

  /** The link is gone: held messages will be sent again on the next one. */
  down(): void {
    this.#pace?.clock.clearTimeout(this.#paceTimer);
    this.#paceTimer = undefined;
    this.#ping = this.#pong = undefined;
    this.#level = 0;
    this.#stalled = false;
    this.#linkId++;
    this.#recount();
  }

  /** Drops every one-shot frame (the client closed for good). Held messages stay with their owners. */
  clearQueued(): void {
    this.#queued.length = 0;
    this.#ping = this.#pong = undefined;
    this.#recount();
  }

  /** Sends what waits, the control lane then the lanes in order, as far as the level and the transport allow. */
  flush(): void {
    this.#stalled = false;
    if (!this.#flushControl()) {
      this.#stalled = true;
      return;
    }
    for (let lane = 0; lane <= Lane.Send; lane++) {
      if (lane > Lane.Auth && this.#level < 2) return;
      const held = this.#held[lane];
      if (held) {
        for (const entry of held) {
          if (entry.link !== this.#linkId && !this.#sendHeld(entry, counted(lane as Lane))) return;
        }
      }
      const queue = this.#queued[lane];
      while (queue && queue.length > 0) {
        if (!this.#transmit(queue[0] as string)) {
          this.#stalled = true;
          return;
        }
        queue.shift();
        if (counted(lane as Lane)) this.#waiting--;
      }
    }
  }

  /** Sends the waiting pong, then the waiting ping; false when one must wait on. */
  #flushControl(): boolean {
    if (this.#pong !== undefined) {
      if (!this.#transmit(this.#pong)) return false;
      this.#pong = undefined;
    }
    if (this.#ping !== undefined) {
      if (!this.#transmit(this.#ping)) return false;
      this.#ping = undefined;
    }
    return true;
  }

  #sendHeld(entry: Held, count: boolean): boolean {
    const frame = entry.frame();
    if (frame !== undefined && !this.#transmit(frame)) {
      this.#stalled = true;
      return false;
    }
    entry.link = this.#linkId;
    if (count) this.#waiting--;
    entry.sent?.();
    return true;
  }

  #recount(): void {
    let waiting = 0;
    for (let lane = Lane.Ack; lane <= Lane.Send; lane++) {
      waiting += this.#queued[lane]?.length ?? 0;
      const held = this.#held[lane];
      if (held) for (const entry of held) if (entry.link !== this.#linkId) waiting++;
    }
    this.#waiting = waiting;
  }
}
