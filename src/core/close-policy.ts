import { CloseCode } from '../protocol/close-codes.js';

/**
 * What the client does after a connection ends with a given close code.
 * - `retry`: reconnect after a backoff delay.
 * - `refresh`: fetch a fresh token and reconnect at once (4001).
 * - `auth`: stop in `closed` with an `AuthError` (4003, 1008).
 * - `fatal`: stop in `closed` with a `ClosedError` (1002, 1003, 1007, 1010, 4400).
 *
 * @example `closeAction(4001) // 'refresh'`
 */
export type CloseAction = 'retry' | 'refresh' | 'auth' | 'fatal';

const AUTH = new Set<number>([CloseCode.Forbidden, CloseCode.PolicyViolation]);
const FATAL = new Set<number>([CloseCode.ProtocolError, CloseCode.UnsupportedData, 1007, 1010, 4400]);

/**
 * The one place that decides retry or stop for a close code. A `shouldRetry` option can
 * override its answer.
 *
 * @example
 * ```ts
 * closeAction(1006); // 'retry'
 * closeAction(4003); // 'auth'
 * ```
 */
export function closeAction(code: number): CloseAction {
  if (code === CloseCode.TokenExpired) return 'refresh';
  if (AUTH.has(code)) return 'auth';
  if (FATAL.has(code)) return 'fatal';
  return 'retry';
}
