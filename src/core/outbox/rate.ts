import { OptionsError } from '../../errors/errors.js';
import type { RateLimit } from '../../protocol/rate-limit.js';

/**
 * @internal A token bucket of `messages` tokens in which each token comes back `per` ms after
 * it was spent (plus a margin of 5 %, at most 50 ms, for the network's jitter). Unlike a
 * bucket refilled at a steady rate, it never lets more than `messages` go out in any window
 * of `per` ms, however the window is placed. It keeps the last `messages` send times in a ring.
 */
export class RateLimiter {
  readonly messages: number;
  readonly per: number;
  readonly #window: number;
  readonly #stamps: number[] = [];
  #oldest = 0;
  /** Times the outbox paused for a token (`stats().rateLimit.pauses`). */
  pauses = 0;

  constructor({ messages, per }: RateLimit) {
    this.messages = messages;
    this.per = per;
    this.#window = per + Math.min(50, Math.ceil(per * 0.05));
  }

  /** Tokens free at `now`. */
  available(now: number): number {
    const n = this.#stamps.length;
    let free = this.messages - n;
    for (let i = 0; i < n; i++) {
      if (now - (this.#stamps[(this.#oldest + i) % n] as number) < this.#window) break;
      free++;
    }
    return free;
  }

  /** Spends `count` tokens at `now` if there are that many (or the bucket is full); false otherwise. */
  take(now: number, count = 1): boolean {
    const free = this.available(now);
    if (free < count && free < this.messages) return false;
    for (let i = 0; i < count; i++) {
      if (this.#stamps.length < this.messages) this.#stamps.push(now);
      else {
        this.#stamps[this.#oldest] = now;
        this.#oldest = (this.#oldest + 1) % this.messages;
      }
    }
    return true;
  }

  /** Ms until the next token comes back (0: one is free now). */
  wait(now: number): number {
    if (this.#stamps.length < this.messages) return 0;
    return Math.max(0, (this.#stamps[this.#oldest] as number) + this.#window - now);
  }
}

/** Validates `rateLimit` (`false`: none, even where the dialect sets one). */
export function checkRateLimit(value: unknown, fallback: RateLimit | undefined): RateLimit | undefined {
  if (value === false) return undefined;
  if (value === undefined) return fallback;
  const { messages, per } = (value ?? {}) as Partial<RateLimit>;
  if (
    typeof value !== 'object' ||
    !Number.isInteger(messages) ||
    (messages as number) < 1 ||
    typeof per !== 'number' ||
    !(per > 0)
  )
    throw new OptionsError('rateLimit must be { messages: an integer >= 1, per: ms > 0 }, or false');
  return { messages: messages as number, per };
}
