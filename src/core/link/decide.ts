import { words } from '#words';
import { type EventwireError, kind } from '../../errors/base.js';
import {
  AuthError,
  ClosedError,
  DialectMismatchError,
  HookError,
  ReconnectExhaustedError,
} from '../../errors/errors.js';
import { type CloseAction, closeAction } from '../../protocol/close-codes.js';
import { type BackoffPolicy, backoff } from './backoff.js';

/**
 * What `shouldRetry` is told.
 * @example `shouldRetry: ({ code, attempt }) => code !== 4000 && attempt < 5`
 */
export interface RetryContext {
  /** The close code (1006 for a failed attempt or a dead link). */
  code: number;
  reason: string;
  /** Consecutive failed attempts so far, this one included. */
  attempt: number;
  /** What eventwire would do on its own. */
  action: CloseAction;
  /**
   * The error behind a failed attempt, if any: its `ConnectionError` (the network error as its
   * `cause`), `TokenProviderError` or `DialectMismatchError`.
   */
  error?: unknown;
}

/**
 * The facts of one close or failed attempt, as the connection hands them to {@link decide}.
 * @example `{ code: 4001, reason: 'token expired', attempt: 0, uptime: 60_000, lastWasRefresh: false }`
 */
export interface CloseFacts {
  code: number;
  reason: string;
  /** The error behind a failed attempt (token provider, timeout, network), if any. */
  error?: unknown;
  /** The HTTP status the server answered the upgrade with, if it refused it. */
  status?: number | undefined;
  /** Consecutive failed attempts before this one. */
  attempt: number;
  /** How long (ms) the link was open; undefined when the attempt never opened. */
  uptime: number | undefined;
  /** Whether an immediate token refresh was already spent since the link was last stable. */
  lastWasRefresh: boolean;
  /** Whether the attempt before this one ended in a refusal of the credentials. @default false */
  lastWasRefusal?: boolean;
  /** Whether the token comes from a function (a refusal can be answered with a fresh token). @default false */
  refreshable?: boolean;
}

/**
 * The policy {@link decide} applies (the client takes it from its options): these fields and no
 * others (`decide` of eventwire/advanced refuses an unknown key, as a misspelt one).
 * @example `{ backoff: DEFAULT_BACKOFF, random: Math.random, shouldRetry: ({ code }) => code !== 4009 }`
 */
export interface RetryPolicy {
  backoff: BackoffPolicy;
  random: () => number;
  shouldRetry?: ((context: RetryContext) => boolean) | undefined;
  /** The close-code table (the dialect's). @default closeAction */
  classify?: ((code: number, status: number | undefined) => CloseAction) | undefined;
}

/**
 * What to do next, with the state to carry into the next {@link CloseFacts}.
 * @example `if ('stop' in decision) report(decision.stop); else setTimeout(connect, decision.retryIn);`
 */
export type Decision = (
  | { /** Reconnect after this many whole ms. */ retryIn: number }
  | { /** Stop in `closed` and report this. */ stop: EventwireError }
) & {
  /** Consecutive failed attempts, this one included. */
  attempt: number;
  /** The next close's `lastWasRefresh`. */
  lastWasRefresh: boolean;
  /** The next close's `lastWasRefusal`. */
  lastWasRefusal: boolean;
  /** `shouldRetry` threw: report it (the table's answer was used). */
  hookError?: EventwireError;
};

/**
 * The one decision after every close or failed attempt: retry (after how long), refresh the
 * token, or stop with the error to report. Pure: no clock, no socket, so it is tested as a
 * table (close code x attempt x uptime).
 *
 * - A link that stayed open `minUptime` or longer resets the failure count and the refresh rule.
 * - A refusal of the credentials (`refresh` or `auth`): a static token stops with `AuthError`.
 *   With a token function, the next attempt asks it again: at once, once per stable link
 *   (until a link stays open `minUptime` again, later refreshes wait their backoff delay, so a
 *   server that accepts and then refuses every fresh token meets backoff, not a loop). A
 *   refusal right after a refusal, with no link opened in between, stops with `AuthError`.
 * - `shouldRetry` overrides the table; if it throws, the table's answer stands and the error
 *   is returned as `hookError` for the client to report.
 * - A server that speaks another dialect (`error` is a `DialectMismatchError`) stops with that
 *   error: no retry can fix it (`shouldRetry` may still insist).
 * - More than `backoff.maxRetries` consecutive failures stop with `ReconnectExhaustedError`,
 *   whose `cause` is the last failure's error.
 *
 * @example
 * ```ts
 * decide({ code: 1006, reason: '', attempt: 0, uptime: undefined, lastWasRefresh: false }, policy);
 * // { retryIn: 0..500, attempt: 1, lastWasRefresh: false, lastWasRefusal: false }
 * ```
 */
export function decide(facts: CloseFacts, policy: RetryPolicy): Decision {
  const { code, reason, error } = facts;
  const fresh = facts.uptime !== undefined && facts.uptime >= policy.backoff.minUptime;
  const attempt = fresh ? 1 : facts.attempt + 1;
  const lastWasRefresh = fresh ? false : facts.lastWasRefresh;
  const refusedBefore = facts.uptime === undefined && facts.lastWasRefusal === true;
  let action: CloseAction;
  let verdict: boolean | undefined;
  let hookError: EventwireError | undefined;
  const mismatch = error instanceof DialectMismatchError ? error : undefined;
  try {
    action = mismatch ? 'fatal' : policy.classify ? policy.classify(code, facts.status) : closeAction(code);
  } catch (cause) {
    action = closeAction(code);
    hookError = new HookError('classify', cause);
  }
  if (policy.shouldRetry) {
    try {
      const said: unknown = policy.shouldRetry({ code, reason, attempt, action, error });
      // a path that forgot its `return` would stop the client with a ClosedError that never named the hook
      if (typeof said !== 'boolean')
        throw new TypeError(
          `returned ${kind(said)}, not a boolean${words && said instanceof Promise ? ': it must be synchronous' : ''}`,
        );
      verdict = said;
      if (!verdict) action = action === 'auth' || action === 'refresh' ? 'auth' : 'fatal';
      else if (action === 'auth' || action === 'fatal') action = 'retry';
    } catch (cause) {
      hookError = new HookError('shouldRetry', cause);
    }
  }
  const refusal = action === 'auth' || action === 'refresh';
  const carry = { attempt, lastWasRefresh, lastWasRefusal: refusal, ...(hookError && { hookError }) };
  if (refusal && verdict === undefined && (!facts.refreshable || refusedBefore)) action = 'auth';
  else if (refusal && verdict !== false) action = 'refresh';
  if (action === 'auth') return { stop: new AuthError(code, reason, facts.status), ...carry };
  if (action === 'fatal') return { stop: mismatch ?? new ClosedError(code, reason), ...carry };
  if (attempt > policy.backoff.maxRetries) return { stop: new ReconnectExhaustedError(attempt - 1, error), ...carry };
  if (action === 'refresh' && !lastWasRefresh) return { retryIn: 0, ...carry, lastWasRefresh: true };
  return { retryIn: Math.round(backoff(attempt, policy.backoff, policy.random)), ...carry };
}
