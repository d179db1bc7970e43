import { fail, num, oneOf, optionObject } from '../../protocol/option-rules.js';

/**
 * How the randomness is applied to an exponential delay.
 * - `full`: uniform in [0, base]. Spreads a herd of clients the most (AWS "full jitter").
 * - `equal`: uniform in [base/2, base]. Keeps a floor while still spreading.
 * - `none`: exactly base. Only for tests and single clients.
 *
 * @default 'full'
 * @example `createClient({ url, backoff: { jitter: 'equal' } })`
 */
export type Jitter = 'full' | 'equal' | 'none';

/**
 * The reconnect policy.
 *
 * @example
 * ```ts
 * createClient({ url, backoff: { minDelay: 1000, maxDelay: 60_000, maxRetries: 20 } });
 * ```
 */
export interface BackoffPolicy {
  /** Base delay of the first retry, in ms. @default 500 */
  minDelay: number;
  /** Cap on any delay, in ms. @default 30000 */
  maxDelay: number;
  /** Growth per attempt. @default 2 */
  factor: number;
  /** See {@link Jitter}. @default 'full' */
  jitter: Jitter;
  /** Consecutive failed attempts before giving up with `ReconnectExhaustedError`. @default Infinity */
  maxRetries: number;
  /** How long (ms) a connection must stay open before the attempt count resets. @default 5000 */
  minUptime: number;
}

/**
 * The default policy: full jitter, 500 ms growing by 2 up to 30 s, retrying forever.
 * @example `backoff(3, DEFAULT_BACKOFF)`
 */
export const DEFAULT_BACKOFF: Readonly<BackoffPolicy> = Object.freeze({
  minDelay: 500,
  maxDelay: 30_000,
  factor: 2,
  jitter: 'full',
  maxRetries: Number.POSITIVE_INFINITY,
  minUptime: 5_000,
});

/** The least value of each number of a policy (every one, its type says); `maxDelay` must besides be at least `minDelay`. */
const LEAST = { minDelay: 0, maxDelay: 0, minUptime: 0, factor: 1, maxRetries: 0 } as const satisfies {
  [K in keyof BackoffPolicy as BackoffPolicy[K] extends number ? K : never]-?: number;
};

/**
 * @internal A policy as the client takes its `backoff` option, and eventwire/advanced's functions
 * theirs: {@link DEFAULT_BACKOFF}'s keys under what is given (the frozen defaults themselves when
 * nothing is: one object for every client), each key known and in range, else an `OptionsError`
 * naming it as `${path}key` (`backoff.maxDelay`); unknown keys are `what` (see `optionObject`).
 */
export function checkedPolicy(given: unknown, name: string, path: string, what?: string): Readonly<BackoffPolicy> {
  const policy: Readonly<BackoffPolicy> =
    given === undefined
      ? DEFAULT_BACKOFF
      : {
          ...DEFAULT_BACKOFF,
          ...optionObject(name, given as Partial<BackoffPolicy>, Object.keys(DEFAULT_BACKOFF), what),
        };
  for (const key in LEAST) {
    const k = key as keyof typeof LEAST;
    num(`${path}${k}`, policy[k], LEAST[k]);
  }
  if (policy.maxRetries !== Number.POSITIVE_INFINITY && !Number.isInteger(policy.maxRetries))
    fail(`${path}maxRetries`, 'an integer >= 0, or Infinity', policy.maxRetries);
  if (policy.maxDelay < policy.minDelay)
    fail(`${path}maxDelay`, `>= ${path}minDelay (${policy.minDelay})`, policy.maxDelay);
  oneOf(`${path}jitter`, policy.jitter, ['full', 'equal', 'none']);
  return policy;
}

/**
 * The delay in ms before retry number `attempt` (1 for the first retry).
 *
 * Why pure: the policy can be tested and plotted without sockets or timers, and the
 * same function serves the client, the benchmarks and the docs.
 *
 * @param attempt - 1-based retry number
 * @param policy - the delays and jitter to apply
 * @param random - a source of numbers in [0, 1) @default Math.random
 * @example
 * ```ts
 * backoff(1, DEFAULT_BACKOFF, () => 0.5); // 250: half of the 500 ms base
 * ```
 */
export function backoff(
  attempt: number,
  policy: Pick<BackoffPolicy, 'minDelay' | 'maxDelay' | 'factor' | 'jitter'>,
  random: () => number = Math.random,
): number {
  const base = backoffCeiling(attempt, policy);
  switch (policy.jitter) {
    case 'none':
      return base;
    case 'equal':
      return Math.min(base, base / 2 + clamp01(random()) * (base / 2));
    default:
      return Math.min(base, clamp01(random()) * base);
  }
}

/**
 * The largest delay `backoff()` can return for `attempt`: `min(maxDelay, minDelay * factor^(attempt-1))`.
 * @example `backoffCeiling(3, DEFAULT_BACKOFF) // 2000`
 */
export function backoffCeiling(
  attempt: number,
  policy: Pick<BackoffPolicy, 'minDelay' | 'maxDelay' | 'factor'>,
): number {
  if (policy.minDelay === 0) return 0;
  const raw = policy.minDelay * policy.factor ** Math.max(0, attempt - 1);
  return Math.min(policy.maxDelay, raw); // raw may be Infinity for huge attempts: the cap applies
}

/** Into [0, 1]; what is not a number (NaN, a string) to 1, the full delay: as 0 it reconnected in a tight loop. */
function clamp01(n: number): number {
  return n >= 0 && n < 1 ? n : n < 0 ? 0 : 1;
}
