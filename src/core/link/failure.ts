import { platform } from '#platform';
import { words } from '#words';
import { EventwireError } from '../../errors/base.js';
import { type ConnectionFailure, firstLine } from '../../errors/connection.js';
import { ConnectionError, DialectMismatchError } from '../../errors/errors.js';

/** @internal The server an attempt went to, without its query (where tokens travel) or credentials. */
export function serverOf(url: string): string {
  try {
    const { protocol, host, pathname } = new URL(url);
    return `${protocol}//${host}${pathname}`;
  } catch {
    return '(an invalid URL)';
  }
}

/** @internal The facts of an attempt that ended before the link was open. */
export interface AttemptFacts {
  /** The attempt's URL (its query is left out of every message). */
  url: string;
  code: number;
  reason: string;
  /** What the transport gave: a network error, or an error of the client's own (timeout, token). */
  error: unknown;
  /** The HTTP status that answered the upgrade, if the server refused it. */
  status: number | undefined;
  /** Whether the socket had opened. */
  opened: boolean;
  /** Consecutive failed attempts, this one included. */
  attempt: number;
}

/** What kind of failure a transport's error is, and its cause in a few words. */
function classify(error: unknown, url: string): [ConnectionFailure, string] {
  const code = (error as { code?: unknown } | null)?.code;
  const message = error instanceof Error ? firstLine(error.message) : '';
  if (typeof code !== 'string') return ['network', message || 'the connection failed'];
  // Node's codes (DNS, TLS, refused) are read where Node runs; elsewhere errors carry none
  return platform.classify?.(code, error as object, message, url) ?? ['network', message || code];
}

/**
 * @internal The error of one failed attempt: a `ConnectionError` with a one-line message that
 * names the server (never its query, where tokens travel) and the cause. An error of the
 * client's own (a token provider's, a dialect mismatch) is returned as it is.
 */
export function attemptError(facts: AttemptFacts): EventwireError {
  const { error, url, status } = facts;
  if (error instanceof EventwireError) return error;
  const server = serverOf(url);
  let kind: ConnectionFailure;
  let cause: string;
  if (status !== undefined) {
    kind = 'http';
    if (error instanceof Error) cause = error.message;
    else cause = words ? `the server answered the upgrade with HTTP ${status}` : `HTTP ${status}`;
    // what a 400 or 404 usually means: Axum answers a missing or unreadable query (Provisioning's token)
    // with 400; a wrong path is 404
    if (words && (status === 400 || status === 404))
      cause += ": check the URL (its path; its query: a token?) and that the dialect is this server's";
  } else if (facts.opened) {
    kind = facts.code === 1006 ? 'dropped' : 'closed';
    const said = facts.reason ? `: ${firstLine(facts.reason)}` : '';
    if (facts.code === 1006)
      cause = words
        ? 'the server accepted the connection and dropped it before it was open, with no close frame'
        : 'dropped before open (1006)';
    else
      cause = words
        ? `the server closed the connection before it was open (${facts.code}${said})`
        : `closed before open (${facts.code}${said})`;
  } else [kind, cause] = classify(error ?? new Error(`close ${facts.code} ${facts.reason}`), url);
  return new ConnectionError(`cannot connect to ${server}: ${cause}`, facts.attempt, {
    kind,
    url: server,
    status,
    cause: error,
  });
}

/** @internal A timed-out attempt (no socket within `connectTimeout`, or no greeting within `handshakeTimeout`). */
export function timedOut(url: string, attempt: number, what: string): ConnectionError {
  const server = serverOf(url);
  return new ConnectionError(`cannot connect to ${server}: ${what}`, attempt, { kind: 'timeout', url: server });
}

/** @internal A server that selected none of the dialect's subprotocols: it speaks another dialect. */
export function notSelected(url: string, dialect: string, protocols: readonly string[]): DialectMismatchError {
  const server = serverOf(url);
  const offered = protocols.join(', ');
  return new DialectMismatchError(
    words
      ? `${server} did not select subprotocol ${offered}: it is not ${dialect === 'eventwire' ? 'an eventwire v1 server' : `a ${dialect} server`}; ` +
          'pass its dialect (eventwire/dialects: querri(), mdb(), buster(), forge(), provisioning())'
      : `${server} did not select ${offered} (${dialect})`,
    dialect,
  );
}

/**
 * @internal An open link whose socket took none of the `held` bytes waiting in it for `ms` (a
 * server that reads nothing): dropped, to reconnect. A `ConnectionError` of kind `network`.
 */
export function stuckLink(url: string, attempt: number, held: number, ms: number): ConnectionError {
  const server = serverOf(url);
  const took = Math.round(ms);
  return new ConnectionError(
    words
      ? `the link to ${server} is stuck: its socket has held ${held} bytes unsent (over 1 MiB) for ${took} ms, ` +
          'the server taking none of them (it reads nothing): the link is dropped, and the client reconnects'
      : `${server}: write stalled (${held} bytes unsent for ${took} ms)`,
    attempt,
    { kind: 'network', url: server },
  );
}
