import { EventwireError, guardFor } from './base.js';

/** @internal The first line of a message, at most 200 characters (OpenSSL's run over several lines). */
export function firstLine(text: string): string {
  const line = text.split('\n', 1)[0]?.trim() ?? '';
  return line.length > 200 ? `${line.slice(0, 199)}…` : line;
}

/**
 * Why an attempt to connect failed: the `kind` of a {@link ConnectionError}.
 *
 * - `refused`: nothing listens there (ECONNREFUSED);
 * - `dns`: the host name does not resolve (ENOTFOUND, EAI_AGAIN);
 * - `tls`: the TLS handshake failed (a plain server behind `wss://`, a certificate refused);
 * - `http`: the server answered the upgrade with an HTTP status (`status`) instead of a WebSocket;
 * - `timeout`: no connection within `connectTimeout`, or no greeting within `handshakeTimeout`;
 * - `closed`: the server closed the socket before the link was open;
 * - `dropped`: the server accepted the socket and dropped it at once, with no close frame;
 * - `network`: any other network failure (reset, unreachable; in browsers, every failure: they
 *   do not say why).
 *
 * Why a union: alert rules key on it, so a new kind is a visible change to this type.
 *
 * @example
 * ```ts
 * import { type ConnectionFailure, isConnectionError } from 'eventwire';
 * const yours: ReadonlySet<ConnectionFailure> = new Set(['dns', 'tls', 'http']);
 * const isConfigMistake = (e: unknown) => isConnectionError(e) && yours.has(e.kind);
 * ```
 */
export type ConnectionFailure = 'refused' | 'dns' | 'tls' | 'http' | 'timeout' | 'closed' | 'dropped' | 'network';

/**
 * What a {@link ConnectionError} knows besides its message.
 * @example `new ConnectionError('cannot connect to ws://127.0.0.1:9/: connection refused (ECONNREFUSED)', 1, { kind: 'refused', url: 'ws://127.0.0.1:9/' })`
 */
export interface ConnectionErrorDetails {
  /** Why it failed. @default 'network' */
  kind?: ConnectionFailure;
  /** The server, without its query (where tokens travel). @default undefined */
  url?: string;
  /** The HTTP status that answered the upgrade (kind `http`). @default undefined */
  status?: number;
  /** The underlying error (Node's network error, `TimeoutError`...). @default undefined */
  cause?: unknown;
}

/**
 * An attempt to connect failed: refused, a name that does not resolve, TLS, an HTTP answer to
 * the upgrade, a timeout, a socket closed or dropped before the link opened. Each failed
 * attempt is one, with a one-line message that names the server (never the token) and the
 * cause; `close` and `reconnecting` carry it too. The client backs off and retries, unless
 * the retry decision stops it (then the error that stopped it is reported instead, this one
 * as its `cause`). An open link the client drops because its socket took none of what it held
 * unsent (a server that stopped reading) is one too, of kind `network` (`write stalled`).
 *
 * Why reported on every attempt: a client whose server is unreachable must not be silent for
 * as long as it retries. Without an `error` listener the console shows the first failure of a
 * run, not one line per attempt (`attempts` counts them).
 *
 * @example
 * ```ts
 * import { createClient, isConnectionError } from 'eventwire';
 * const client = createClient({ url: 'ws://127.0.0.1:9' });
 * client.on('error', (e) => {
 *   if (isConnectionError(e)) console.warn(`attempt ${e.attempts} (${e.kind}): ${e.message}`);
 * });
 * ```
 */
export class ConnectionError extends EventwireError {
  override name = 'ConnectionError';
  /** Consecutive failed attempts when it was reported, this one included. */
  declare readonly attempts: number;
  /** Why the attempt failed. */
  declare readonly kind: ConnectionFailure;
  /** The server, without its query. */
  declare readonly url: string | undefined;
  /** The HTTP status that answered the upgrade, for kind `http`. */
  declare readonly status: number | undefined;
  constructor(message: string, attempts: number, details: ConnectionErrorDetails = {}) {
    super('ERR_CONNECTION', message, details.cause === undefined ? undefined : { cause: details.cause });
    this.attempts = attempts;
    this.kind = details.kind ?? 'network';
    this.url = details.url;
    this.status = details.status;
  }
}

/**
 * The server speaks another dialect than the client's. Two ways to know it:
 * - protocol v1 (`eventwire()`, the default) offers the WebSocket subprotocol `eventwire.v1`,
 *   which every v1 server selects: a server that selects none is not one. The client stops
 *   (retrying cannot fix it) in state `closed`.
 * - frames in a row that the client's dialect cannot read, and that one of the built-in
 *   dialects reads (`reads`): reported once; further such frames are counted in
 *   `stats().mismatchedFrames` instead of a `DecodeError` each. The client goes on.
 * - two that name the server, and stop the client: the reference server's `welcome` read by
 *   querri, mdb, forge or buster (`reads` 'eventwire'); with a dialect whose greeting is required
 *   (mdb, forge given a token), a greeting that never comes from a server whose messages another
 *   built-in dialect's server sends.
 *
 * @example
 * ```ts
 * import { createClient, isDialectMismatchError } from 'eventwire';
 * const client = createClient({ url: 'wss://querri.example.com/ws' });
 * client.on('error', (e) => {
 *   if (isDialectMismatchError(e)) console.error(`${e.dialect} is the wrong dialect; try ${e.reads ?? 'another'}`);
 * });
 * ```
 */
export class DialectMismatchError extends EventwireError {
  override name = 'DialectMismatchError';
  /** The client's dialect. */
  declare readonly dialect: string;
  /** The built-in dialect that reads the server's frames, when one does. */
  declare readonly reads: string | undefined;
  constructor(message: string, dialect: string, reads?: string) {
    super('ERR_DIALECT_MISMATCH', message);
    this.dialect = dialect;
    this.reads = reads;
  }
}

/** Is this a {@link ConnectionError} (from any copy of the package)? Like `err.code === 'ERR_CONNECTION'`. @example `isConnectionError(e)` */
export const isConnectionError = /* @__PURE__ */ guardFor(ConnectionError, 'ConnectionError');
/** Is this a {@link DialectMismatchError} (from any copy of the package)? Like `err.code === 'ERR_DIALECT_MISMATCH'`. @example `isDialectMismatchError(e)` */
export const isDialectMismatchError = /* @__PURE__ */ guardFor(DialectMismatchError, 'DialectMismatchError');
