import type { RateLimit } from '../../protocol/rate-limit.js';
import { type Clock, systemClock } from '../util/clock.js';
import { RateLimiter } from './rate.js';

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
  /**
   * Its frame(s) for the current link, or undefined to send nothing on this one. Several
   * frames go one by one, each with its own rate-limit token (asked once per link).
   */
  frame(): string | string[] | undefined;
  /** Called once it went out on a link (all its frames taken by the socket). */
  sent?(): void;
}

/**
 * A link-level frame: the client's ping (or keepalive), its answer to the server's ping, or
 * (`ws-pong`) its answer to the server's WebSocket protocol ping, a control frame of the
 * socket. They go in the control lane, ahead of every {@link Lane}; at most one of each kind
 * waits (a newer one replaces it: RFC 6455 5.5.3 lets a pong answer only the latest ping).
 */
export type Control = 'ping' | 'pong' | 'ws-pong';

/**
 * @internal Where the outbox sends: the link's one door out (the rate limit is applied before
 * it). The transport's answer says whether the socket took the frame.
 */
export interface OutboxLink {
  transmit(frame: string): boolean;
  /**
   * Whether the socket holds too much unsent to be given a frame (asked before each, and before
   * its token is spent): then every frame waits, a control frame as the one of its kind, and the
   * link calls {@link Outbox.flush} once the socket drains. Absent: never.
   */
  backedUp?(): boolean;
}

/**
 * What the rate limit is doing (`stats().rateLimit`).
 * @example `const { waitMs, pauses } = client.stats().rateLimit ?? { waitMs: 0, pauses: 0 }`
 */
export interface RateLimitStats {
  /** The limit: `messages` frames in any `per` ms, every frame the client writes counted. */
  messages: number;
  per: number;
  /** Ms until the next frame may go (0: now). */
  waitMs: number;
  /** Times so far the outbox paused for the limit (a frame was due and no token was free). */
  pauses: number;
}

/** One slot per {@link Lane}, made at its size (an empty array written at index 3 grows to 17 slots). */
const lanes = <T>(): Array<T | undefined> => [undefined, undefined, undefined, undefined, undefined];

/** Lanes whose waiting messages count against `outboxSize`: what a user queued. */
const counted = (lane: Lane) => lane >= Lane.Ack;

/**
 * @internal The one queue of everything that waits for the link, bounded by `outboxSize`
 * (the only place that limit is applied) and drained in lane order, after the control lane
 * (pings and pongs). Every frame the client writes leaves through it, one at a time: the rate
 * limit takes one token per frame, then the link's `transmit`, the one door out. Control
 * frames jump the queue but not the limit, and never twice in a row while a lane frame
 * waits, so a server that pings faster than the limit cannot starve the client's own frames.
 * It stops at the first frame the transport refuses, keeping it and everything behind it for
 * the next link. Lanes are allocated on first use: an idle client holds none.
 */
export class Outbox {
  readonly #limit: number;
  readonly #link: OutboxLink;
  /** Held messages by lane (auth, subscriptions, requests), made on the first. */
  #held: Array<Set<Held> | undefined> | undefined;
  /** One-shot frames by lane (unsubscribes, acks, sends), made on the first. */
  #queued: Array<string[] | undefined> | undefined;
  /** 0: no socket; 1: socket open (auth lane only); 2: link ready (every lane). */
  #level = 0;
  /** The current link (held messages carry the one they were last sent on; 0: none). */
  #linkId = 1;
  /** Counted messages not sent on the current link. */
  #waiting = 0;
  /** Lane frames written so far (control frames not counted): `stats().messagesOut`. */
  #sent = 0;
  /** A flush stopped early: new messages must queue behind what waits. */
  #stalled = false;
  /** The rate limit, if any, and the clock that times it (monotonic: `performance.now()` by default). */
  readonly #rate: RateLimiter | undefined;
  readonly #clock: Clock;
  /** The flush scheduled for when the rate limit gives the next token. */
  #paceTimer: unknown;
  /** The control lane: the ping, the pong and the protocol pong's sender, waiting (for a token or the socket). */
  #ping: string | undefined;
  #pong: string | undefined;
  #wsPong: (() => boolean) | undefined;
  /** The last frame out was a control frame: the next token goes to a lane frame, if one waits. */
  #jumped = false;
  /** A held message whose frames went out in part on this link: its frames, the rest from `next` (made when one does). */
  #partial: { readonly entry: Held; readonly frames: readonly string[]; readonly next: number } | undefined;

  /** `limit`: `outboxSize`; `rateLimit`: at most `messages` frames out in any `per` ms. */
  constructor(limit: number, link: OutboxLink, rateLimit?: Readonly<RateLimit>, clock: Clock = systemClock) {
    this.#limit = limit;
    this.#link = link;
    this.#rate = rateLimit && new RateLimiter(rateLimit);
    this.#clock = clock;
  }

  /** The rate limit's figures for `stats()`, or undefined without one. */
  pace(): RateLimitStats | undefined {
    const rate = this.#rate;
    if (!rate) return undefined;
    return { messages: rate.messages, per: rate.per, waitMs: rate.wait(this.#clock.now()), pauses: rate.pauses };
  }

  /**
   * Whether the rate limit has a token for one more frame (spending it). When not, a flush is
   * scheduled for the moment one comes back (one pause).
   */
  #token(): boolean {
    const rate = this.#rate;
    if (!rate) return true;
    const now = this.#clock.now();
    if (rate.take(now)) return true;
    if (this.#paceTimer === undefined) {
      rate.pauses++;
      this.#paceTimer = this.#clock.setTimeout(() => this.#paced(), Math.max(1, rate.wait(now)));
    }
    return false;
  }

  #paced(): void {
    this.#paceTimer = undefined;
    if (this.#level > 0) this.flush();
  }

  /** Sends one frame if the socket is not backed up, the rate limit has a token for it and the socket takes it. */
  #transmit(frame: string, lane = true): boolean {
    if (this.#link.backedUp?.() || !this.#token() || !this.#link.transmit(frame)) return false;
    if (lane) this.#sent++;
    return true;
  }

  /** Lane frames written so far: every frame but pings and pongs. */
  get sent(): number {
    return this.#sent;
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
    if (this.#level === 2 && !this.#stalled && this.#transmit(frame)) {
      this.#jumped = false;
      return 'sent';
    }
    const count = counted(lane);
    if (count && !this.#hasRoom()) return 'refused';
    if (count) this.#waiting++;
    this.#queued ??= lanes();
    const queue = this.#queued[lane] ?? [];
    this.#queued[lane] = queue;
    queue.push(frame);
    this.#stalled ||= this.#level === 2;
    return 'queued';
  }

  /**
   * Sends a link-level frame ({@link Control}) ahead of every lane, with the same rate limit:
   * `frame` is the ping or pong's text, or for a `ws-pong` the socket's function that sends
   * it (text frames go through the link's door, and its log). On a socket it goes now, or
   * waits first in line; a newer one of the same kind replaces the one waiting (one pending
   * answer answers the server). Without a socket it is dropped: it means nothing on the next
   * link.
   */
  control(kind: Control, frame: string | (() => boolean)): 'sent' | 'queued' | 'dropped' {
    if (this.#level === 0) return 'dropped';
    const first = this.#ping === undefined && this.#pong === undefined && this.#wsPong === undefined;
    if (first && !(this.#jumped && this.#stalled) && this.#sendControl(frame)) return 'sent';
    if (typeof frame === 'function') this.#wsPong = frame;
    else if (kind === 'ping') this.#ping = frame;
    else this.#pong = frame;
    this.#stalled ||= this.#level === 2;
    return 'queued';
  }

  /** Sends one control frame (a token first); a protocol pong the socket cannot send is spent all the same. */
  #sendControl(frame: string | (() => boolean)): boolean {
    if (typeof frame === 'function') {
      if (this.#link.backedUp?.() || !this.#token()) return false;
      frame();
    } else if (!this.#transmit(frame, false)) return false;
    this.#jumped = true;
    return true;
  }

  /** Keeps `entry` until {@link release}, sending it on this link (when ready) and on every new one. */
  hold(entry: Held): boolean {
    const count = counted(entry.lane);
    if (count && !this.#hasRoom()) return false;
    this.#held ??= lanes();
    const held = this.#held[entry.lane] ?? new Set();
    this.#held[entry.lane] = held;
    held.add(entry);
    entry.link = 0;
    if (count) this.#waiting++;
    if (this.#level >= (entry.lane === Lane.Auth ? 1 : 2) && !this.#stalled) this.#sendHeld(entry, count);
    return true;
  }

  /** Forgets a held message (the frames of it not sent yet too). */
  release(entry: Held): void {
    if (this.#partial?.entry === entry) this.#partial = undefined;
    if (this.#held?.[entry.lane]?.delete(entry) && counted(entry.lane) && entry.link !== this.#linkId) this.#waiting--;
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
    if (this.#paceTimer !== undefined) this.#clock.clearTimeout(this.#paceTimer);
    this.#paceTimer = undefined;
    this.#clearControl();
    this.#partial = undefined;
    this.#level = 0;
    this.#stalled = false;
    this.#linkId++;
    this.#recount();
  }

  /** Drops every one-shot frame (the client closed for good). Held messages stay with their owners. */
  clearQueued(): void {
    this.#queued = undefined;
    this.#clearControl();
    this.#recount();
  }

  /**
   * Sends what waits, the control lane then the lanes in order, as far as the level, the rate
   * limit and the transport allow. After a control frame, one lane frame goes before the next.
   */
  flush(): void {
    this.#stalled = false;
    /** Whether the control lane had its turn (after a control frame, it waits for one lane frame). */
    let control = !this.#jumped;
    if (control && !this.#flushControl()) return;
    for (let lane = 0; lane <= Lane.Send; lane++) {
      if (lane > Lane.Auth && this.#level < 2) break;
      const held = this.#held?.[lane];
      if (held) {
        for (const entry of held) {
          if (entry.link === this.#linkId) continue;
          if (!this.#sendHeld(entry, counted(lane as Lane))) return;
          if (!control && !this.#flushControl()) return;
          control = true;
        }
      }
      const queue = this.#queued?.[lane];
      while (queue && queue.length > 0) {
        if (!this.#transmit(queue[0] as string)) return void this.#stall();
        this.#jumped = false;
        queue.shift();
        if (counted(lane as Lane)) this.#waiting--;
        if (!control && !this.#flushControl()) return;
        control = true;
      }
    }
    if (!control) this.#flushControl();
  }

  /** Sends the waiting protocol pong, pong and ping, in that order; false (stalled) when one must wait on. */
  #flushControl(): boolean {
    if (this.#wsPong !== undefined) {
      if (!this.#sendControl(this.#wsPong)) return this.#stall();
      this.#wsPong = undefined;
    }
    if (this.#pong !== undefined) {
      if (!this.#sendControl(this.#pong)) return this.#stall();
      this.#pong = undefined;
    }
    if (this.#ping !== undefined) {
      if (!this.#sendControl(this.#ping)) return this.#stall();
      this.#ping = undefined;
    }
    return true;
  }

  #clearControl(): void {
    this.#ping = this.#pong = this.#wsPong = undefined;
    this.#jumped = false;
  }

  /**
   * Sends a held message's frames, one token each, carrying on from where it stopped on this
   * link; false (the outbox stalled) when one must wait.
   */
  #sendHeld(entry: Held, count: boolean): boolean {
    const partial = this.#partial?.entry === entry ? this.#partial : undefined;
    const frames = partial ? partial.frames : entry.frame();
    let next = partial ? partial.next : 0;
    if (typeof frames === 'string') {
      if (!this.#transmit(frames)) return this.#stallAt(entry, undefined, 0);
      this.#jumped = false;
    } else if (frames) {
      for (; next < frames.length; next++) {
        if (!this.#transmit(frames[next] as string)) return this.#stallAt(entry, frames, next);
        this.#jumped = false;
      }
    }
    if (this.#partial?.entry === entry) this.#partial = undefined;
    entry.link = this.#linkId;
    if (count) this.#waiting--;
    entry.sent?.();
    return true;
  }

  /** The outbox waits for a token or the socket (false): what comes next queues behind. */
  #stall(): false {
    this.#stalled = true;
    return false;
  }

  /** A held message waits (false), its frames from `next` on kept for the next flush on this link. */
  #stallAt(entry: Held, frames: readonly string[] | undefined, next: number): false {
    if (frames) this.#partial = { entry, frames, next };
    return this.#stall();
  }

  #recount(): void {
    let waiting = 0;
    for (let lane = Lane.Ack; lane <= Lane.Send; lane++) {
      waiting += this.#queued?.[lane]?.length ?? 0;
      const held = this.#held?.[lane];
      if (held) for (const entry of held) if (entry.link !== this.#linkId) waiting++;
    }
    this.#waiting = waiting;
  }
}
