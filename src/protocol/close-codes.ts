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
