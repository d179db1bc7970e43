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
import {
  type BackoffPolicy,
  backoff as backoffOf,
  backoffCeiling as ceilingOf,
  checkedPolicy,
  DEFAULT_BACKOFF,
} from './core/link/backoff.js';
import { num } from './protocol/option-rules.js';

export { type CloseFacts, type Decision, decide, type RetryPolicy } from './core/link/decide.js';
export { browserSignals } from './core/link/signals.js';
export { systemClock } from './core/util/clock.js';
export { type CloseAction, CloseCode, type CloseCodeValue, closeAction } from './protocol/close-codes.js';
export { DEFAULT_BACKOFF };

/** The attempt a number >= 0, the policy as the client takes its `backoff` option (see `checkedPolicy`). */
function checked(attempt: number, policy: Partial<BackoffPolicy> | undefined): Readonly<BackoffPolicy> {
  num('attempt', attempt, 0);
  return checkedPolicy(policy ?? undefined, 'policy', '', 'backoff policy key');
}

/**
 * The delay in ms before retry number `attempt` (1 for the first retry), as the client waits it.
 * The policy's missing keys are {@link DEFAULT_BACKOFF}'s.
 *
 * @param attempt - 1-based retry number
 * @param policy - the delays and jitter to apply @default DEFAULT_BACKOFF
 * @param random - a source of numbers in [0, 1) @default Math.random
 * @example
 * ```ts
 * backoff(1, DEFAULT_BACKOFF, () => 0.5); // 250: half of the 500 ms base
 * ```
 */
export const backoff = (attempt: number, policy?: Partial<BackoffPolicy>, random?: () => number): number =>
  backoffOf(attempt, checked(attempt, policy), random);

/**
 * The largest delay {@link backoff} can return for `attempt`: `min(maxDelay, minDelay * factor^(attempt-1))`.
 * The policy's missing keys are {@link DEFAULT_BACKOFF}'s.
 * @example `backoffCeiling(5, { minDelay: 1000 }) // 16000`
 */
export const backoffCeiling = (attempt: number, policy?: Partial<BackoffPolicy>): number =>
  ceilingOf(attempt, checked(attempt, policy));
