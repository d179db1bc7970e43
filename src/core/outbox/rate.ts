import type { RateLimit } from '../../protocol/rate-limit.js';

/**
 * @internal A token bucket of `messages` tokens, one per frame, in which each token comes back
 * `per` ms after it was spent (plus a margin of 5 %, at most 50 ms, for the network's jitter).
 * Unlike a bucket refilled at a steady rate, it never lets more than `messages` frames go out
 * in any window of `per` ms, however the window is placed. It keeps the last `messages` send
 * times in a ring, oldest first.
 *
 * Times come from a monotonic clock (`performance.now()`, see `systemClock`): a wall-clock
 * step changes nothing. Should an injected clock step back all the same, the ring moves back
 * with it, so a step back never holds the sender longer than one window.
 */
export class RateLimiter {
  readonly messages: number;
  readonly per: number;
  readonly #window: number;
  readonly #stamps: number[] = [];
  /** Index of the oldest stamp once the ring is full. */
  #oldest = 0;
  /** The newest stamp (to notice a clock that went back). */
  #newest = Number.NEGATIVE_INFINITY;
  /** Times the outbox paused for a token (`stats().rateLimit.pauses`). */
  pauses = 0;

  constructor({ messages, per }: RateLimit) {
    this.messages = messages;
    this.per = per;
    this.#window = per + Math.min(50, Math.ceil(per * 0.05));
  }

  /** Spends one token (one frame) at `now` if one is free; false otherwise. */
  take(now: number): boolean {
    this.#rewind(now);
    const stamps = this.#stamps;
    this.#newest = now;
    if (stamps.length < this.messages) {
      stamps.push(now);
      return true;
    }
    if (now - (stamps[this.#oldest] as number) < this.#window) return false;
    stamps[this.#oldest] = now;
    this.#oldest = (this.#oldest + 1) % this.messages;
    return true;
  }

  /** Ms until the next token comes back (0: one is free now). */
  wait(now: number): number {
    if (this.#stamps.length < this.messages) return 0;
    this.#rewind(now);
    return Math.max(0, (this.#stamps[this.#oldest] as number) + this.#window - now);
  }

  /** A clock that went back (an injected one: `performance.now()` cannot): the ring moves back as far. */
  #rewind(now: number): void {
    const back = this.#newest - now;
    if (!(back > 0)) return;
    const stamps = this.#stamps;
    for (let i = 0; i < stamps.length; i++) stamps[i] = (stamps[i] as number) - back;
    this.#newest = now;
  }
}
