/**
 * Close codes of protocol v1 and their meaning.
 *
 * Why: one table, shared by the client's retry decision, the reference server and the
 * docs, so none of them can drift.
 *
 * @example
 * ```ts
 * server.close(CloseCode.TokenExpired, 'token expired');
 * ```
 */
export const CloseCode = {
  /** Normal closure. The client reconnects unless it closed the connection itself. */
  Normal: 1000,
  /** Server going away (restart, deploy). The client reconnects with backoff. */
  GoingAway: 1001,
  /** Protocol error. Fatal. */
  ProtocolError: 1002,
  /** Unsupported data. Fatal. */
  UnsupportedData: 1003,
  /** No close frame (connection lost). The client reconnects with backoff. */
  Abnormal: 1006,
  /** Policy violation, used by some servers for auth failures. Fatal, `AuthError`. */
  PolicyViolation: 1008,
  /** Message too big. The client reconnects with backoff. */
  MessageTooBig: 1009,
  /** Server error. The client reconnects with backoff. */
  InternalError: 1011,
  /** The token expired: the client fetches a fresh token and reconnects at once. */
  TokenExpired: 4001,
  /** The token is invalid or forbidden. Fatal, `AuthError`. */
  Forbidden: 4003,
} as const;

/** One of the named close codes. @example `const c: CloseCodeValue = CloseCode.Forbidden` */
export type CloseCodeValue = (typeof CloseCode)[keyof typeof CloseCode];

/**
 * What the client does after a connection ends with a given close code.
 * - `retry`: reconnect after a backoff delay.
 * - `refresh` and `auth`: the server refused the credentials (4001 token expired; 4003, 1008,
 *   an HTTP 401/403). Both follow one rule: with a token function, ask it once more and
 *   reconnect at once; a second refusal in a row (no open link in between), or any refusal of
 *   a static token, stops in `closed` with an `AuthError`.
 * - `fatal`: stop in `closed` with a `ClosedError` (1002, 1003, 1007, 1010, 4400).
 *
 * @example `closeAction(4001) // 'refresh'`
 */
export type CloseAction = 'retry' | 'refresh' | 'auth' | 'fatal';

/**
 * The codes that do not mean `retry`, by number: what {@link CloseCode} says of each, written out so
 * that the client's first load holds this small table and not the named one (test/close-codes.test.ts
 * holds the two to each other). 1007 invalid payload, 1010 missing extension, 4400 bad request.
 */
const NOT_RETRY: Readonly<Record<number, Exclude<CloseAction, 'retry'>>> = {
  4001: 'refresh',
  4003: 'auth',
  1008: 'auth',
  1002: 'fatal',
  1003: 'fatal',
  1007: 'fatal',
  1010: 'fatal',
  4400: 'fatal',
};

/**
 * What protocol v1 does on its own for a close code: the table the client's retry decision (`decide`) starts from.
 *
 * Why a table: the client's retry decision, the reference server and the docs read the same
 * codes, so none of them can drift.
 *
 * @example
 * ```ts
 * closeAction(1006); // 'retry'
 * closeAction(4003); // 'auth'
 * ```
 */
export function closeAction(code: number): CloseAction {
  return NOT_RETRY[code] ?? 'retry'; // a number: never a key of Object.prototype
}

/**
 * Whether a close frame carries this code, as `ws` sends it (1004, 1005 and 1006 never go on the wire;
 * a browser's WebSocket sends 1000 and 3000-4999 alone). Why: `client.close()` and the test server's
 * `close()` check a code against this one rule before it reaches a socket that would throw.
 *
 * @example
 * ```ts
 * closeFrameCarries(1001); // true
 * closeFrameCarries(1006); // false: a connection cut without a close frame
 * ```
 */
export const closeFrameCarries = (code: number): boolean =>
  Number.isInteger(code) &&
  ((code >= 3000 && code < 5000) || (code >= 1000 && code <= 1014 && code !== 1004 && code !== 1005 && code !== 1006));
