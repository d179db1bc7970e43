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
import { type CloseFacts, type Decision, decide as decideOf, type RetryPolicy } from './core/link/decide.js';
import { kind } from './errors/base.js';
import { fail, num, refuseUnknown } from './protocol/option-rules.js';

export { browserSignals } from './core/link/signals.js';
export { systemClock } from './core/util/clock.js';
export { type CloseAction, CloseCode, type CloseCodeValue, closeAction } from './protocol/close-codes.js';
export type { CloseFacts, Decision, RetryPolicy };
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

/** The keys of a list of `key:rule` words, as a union: `FieldsOf<'a:int b:string'>` is `'a' | 'b'`. */
type FieldsOf<S extends string> = S extends `${infer K}:${string} ${infer T}`
  ? K | FieldsOf<T>
  : S extends `${infer K}:${string}`
    ? K
    : never;
/** `true` when the rules name exactly the keys of `T` (the compiler keeps them from drifting apart). */
type Covers<T, S extends string> = [FieldsOf<S>, keyof T] extends [keyof T, FieldsOf<S>] ? true : never;

/**
 * What each field of {@link CloseFacts} and {@link RetryPolicy} must be: `int` an integer >= 0, `num` a
 * number >= 0, `*` anything, else a `typeof`; `?` when it may be absent.
 */
const FACTS =
  'code:int reason:string error:* status:int? attempt:int uptime:num? lastWasRefresh:boolean lastWasRefusal:boolean? refreshable:boolean?';
const POLICY = 'backoff:* random:function? shouldRetry:function? classify:function?';
true satisfies Covers<CloseFacts, typeof FACTS> & Covers<RetryPolicy, typeof POLICY>;

/** `value` an object of the fields `rules` lists, each as its rule says; else an `OptionsError` naming the field. */
function checkFields(name: string, value: unknown, rules: string, carried: string[] = []): void {
  if (kind(value) !== 'an object') fail(name, 'an object', value);
  const fields = rules.split(' ').map((word) => word.split(':') as [string, string]);
  refuseUnknown(`${name}.`, value, [...fields.map(([key]) => key), ...carried]);
  for (const [key, rule] of fields) {
    const field = (value as Record<string, unknown>)[key];
    const type = rule.replace('?', '');
    if (type === '*' || (field === undefined && type !== rule)) continue;
    if (type === 'int' || type === 'num') num(`${name}.${key}`, field, 0, false, type === 'int');
    else if (typeof field !== type) fail(`${name}.${key}`, `a ${type}`, field);
  }
}

/**
 * The one decision after every close or failed attempt, as the client makes it (see the core's
 * `decide` for the rules), its input checked first: facts and a policy missing a field, or with
 * one of the wrong kind, are an `OptionsError` naming it (`facts.attempt must be an integer >= 0,
 * got undefined`), where `decide({})` was a TypeError. The policy's `backoff` is checked as the
 * client's `backoff` option is (its missing keys are {@link DEFAULT_BACKOFF}'s); `random` defaults
 * to `Math.random`.
 *
 * @example
 * ```ts
 * decide(
 *   { code: 1006, reason: '', attempt: 0, uptime: undefined, lastWasRefresh: false },
 *   { backoff: DEFAULT_BACKOFF, random: Math.random },
 * ); // { retryIn: 0..500, attempt: 1, lastWasRefresh: false, lastWasRefusal: false }
 * ```
 */
export function decide(facts: CloseFacts, policy: RetryPolicy): Decision {
  // `{ ...decision, code, reason, uptime }`: the previous Decision carried in, its own fields with it
  checkFields('facts', facts, FACTS, ['retryIn', 'stop', 'hookError']);
  checkFields('policy', policy, POLICY);
  return decideOf(facts, { ...policy, backoff: checkedPolicy(policy.backoff, 'policy.backoff', 'policy.backoff.') });
}
