import type { Clock } from '../util/clock.js';

/**
 * @internal The ms a deadline found passed waits before it counts (at most the timeout itself):
 * Node runs due timers before it reads sockets, so after a long synchronous job or a starved
 * process, what the timer waits for (a pong, the socket's open, a greeting) may be waiting
 * unread. The heartbeat's silence and the connect and handshake timeouts take this grace; the
 * request tracker (a chunk loaded on demand) keeps its own 50.
 */
const GRACE = 50;

/** @internal The grace of a deadline `ms` long: {@link GRACE}, at most `ms`. */
export const graceOf = (ms: number): number => Math.min(GRACE, ms);

/**
 * @internal The link's one timer slot, for the phase it is in (retry delay, connect timeout,
 * greeting timeout): setting it cancels what it held, and so does anything that ends the phase.
 */
export class PhaseTimer {
  readonly #clock: Clock;
  #handle: unknown;

  constructor(clock: Clock) {
    this.#clock = clock;
  }

  /** Calls `fn` in `ms`. */
  set(fn: () => void, ms: number): void {
    this.clear();
    this.#handle = this.#clock.setTimeout(fn, ms);
  }

  /**
   * A deadline: `fn` runs `ms` and then {@link graceOf}(ms) later, once. The grace's timer takes
   * the slot, so what ends the phase meanwhile (an open read from the socket) still wins.
   */
  deadline(fn: () => void, ms: number): void {
    this.set(() => this.set(fn, graceOf(ms)), ms);
  }

  /** Cancels the timer and lets its handle go (an open link holds none). */
  clear(): void {
    this.#clock.clearTimeout(this.#handle);
    this.#handle = undefined;
  }
}
