/**
 * Time and timers, injectable so that timing logic (backoff, heartbeat deadlines) can be
 * tested without waiting. Production code uses {@link systemClock}.
 *
 * @example
 * ```ts
 * let t = 0; // a test's time, moved by hand
 * const queue: Array<[number, () => void]> = [];
 * const clock: Clock = { now: () => t, setTimeout: (fn, ms) => queue.push([t + ms, fn]), clearTimeout: () => {} };
 * ```
 */
export interface Clock {
  /** Wall-clock milliseconds (Date.now semantics: keeps counting while a tab sleeps). */
  now(): number;
  /** Schedules `fn` after `ms`. */
  setTimeout(fn: () => void, ms: number): unknown;
  /** Cancels a handle returned by `setTimeout`. */
  clearTimeout(handle: unknown): void;
}

/** The real clock: `Date.now` and the global timers. @example `createHeartbeat(opts, systemClock, io)` */
export const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};
