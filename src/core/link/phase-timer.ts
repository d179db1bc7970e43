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
 * The link's {@link Attempts} extends it, so that the slot is no object of its own.
 */
export abstract class PhaseTimer {
  #handle: unknown;
  /** The clock that times it (the extending class's: no field of its own). */
  protected abstract get clock(): Clock;

  /** Calls `fn` in `ms`. */
  setTimer(fn: () => void, ms: number): void {
    this.clearTimer();
    this.#handle = this.clock.setTimeout(fn, ms);
  }

  /**
   * A deadline: `fn` runs `ms` and then {@link graceOf}(ms) later, once. The grace's timer takes
   * the slot, so what ends the phase meanwhile (an open read from the socket) still wins.
   */
  deadline(fn: () => void, ms: number): void {
    this.setTimer(() => this.setTimer(fn, graceOf(ms)), ms);
  }

  /** Cancels the timer and lets its handle go (an open link holds none). */
  clearTimer(): void {
    this.clock.clearTimeout(this.#handle);
    this.#handle = undefined;
  }
}
