/**
 * `eventwire/advanced`: the parts the client is built from, for code that reproduces or tests
 * its behaviour (a retry table in a dashboard, a custom transport or dialect that wants the
 * defaults): the retry decision, the backoff, the close-code table, the real clock and the
 * browser's network signals. The main entry keeps the client's API; nothing here is needed to
 * use it, and these names may change in a minor release when the client's internals do.
 *
 * @example
 * ```ts
 * import { backoffCeiling, DEFAULT_BACKOFF } from 'eventwire/advanced';
 * const worst = backoffCeiling(5, DEFAULT_BACKOFF); // 8000: the longest wait before the 5th retry
 * ```
 */
export { backoff, backoffCeiling, DEFAULT_BACKOFF } from './core/link/backoff.js';
export { type CloseFacts, type Decision, decide, type RetryPolicy } from './core/link/decide.js';
export { browserSignals } from './core/link/signals.js';
export { systemClock } from './core/util/clock.js';
export { type CloseAction, CloseCode, type CloseCodeValue, closeAction } from './protocol/close-codes.js';
