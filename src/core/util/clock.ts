/**
 * Time and timers, injectable so that timing logic (backoff, heartbeat deadlines, the rate
 * limit) can be tested without waiting. Production code uses {@link systemClock}.
 *
 * `now()` measures durations only, never the time of day: it must be monotonic, so that a
 * wall-clock step (NTP, a user changing the time, a VM resumed) changes no deadline and no
 * rate. Wall time is read only where a timestamp is sent or shown.
 *
 * @example
 * ```ts
 * let t = 0; // a test's time, moved by hand
 * const queue: Array<[number, () => void]> = [];
 * const clock: Clock = { now: () => t, setTimeout: (fn, ms) => queue.push([t + ms, fn]), clearTimeout: () => {} };
 * ```
 */
export interface Clock {
  /** Monotonic milliseconds from an arbitrary origin (`performance.now()` semantics). */
  now(): number;
  /** Schedules `fn` after `ms`. */
  setTimeout(fn: () => void, ms: number): unknown;
  /** Cancels a handle returned by `setTimeout`. */
  clearTimeout(handle: unknown): void;
}

/**
 * The real clock: `performance.now()` (monotonic, in Node and browsers; it keeps counting in a
 * background tab whose timers are throttled) and the global timers. A delay past what timers hold
 * (2^31 - 1 ms, about 24.8 days; `Infinity` for "never") waits that long: Node and browsers would
 * fire it at once, and `connectTimeout: Infinity` would time out every attempt.
 * @example `createHeartbeat(opts, systemClock, io)`
 */
export const systemClock: Clock = {
  now: () => performance.now(),
  setTimeout: (fn, ms) => setTimeout(fn, Math.min(ms, 2_147_483_647)),
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};
