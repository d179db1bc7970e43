import { words } from '#words';
import { clipped, describe, EventwireError, kind, shown } from './base.js';

export {
  ConnectionError,
  type ConnectionErrorDetails,
  type ConnectionFailure,
  DialectMismatchError,
  isConnectionError,
  isDialectMismatchError,
} from './connection.js';
export { DecodeError, type DecodeErrorOptions, type DecodeReason, isDecodeError } from './decode.js';

/**
 * Thrown by `createClient()` when an option is invalid; the message names the option (its full path,
 * `backoff.maxRetries`) and what it got.
 *
 * Why: a typo in an option should fail at construction, not as a silent misbehaviour an hour later.
 *
 * @example
 * ```ts
 * createClient({ url: 'ftp://x' }); // throws OptionsError: url must be an absolute ws:// or wss:// URL without a #fragment, got "ftp://x"
 * ```
 */
export class OptionsError extends EventwireError {
  override name = 'OptionsError';
  /**
   * @param message The message; with `rule`, the option it names (`backoff.maxRetries`).
   * @param rule What the option must be: the message is then `option must be rule, got value`, one
   *   wording for every refused value (an object or a function shown by its kind: it may hold a secret).
   * @param got The value refused.
   */
  constructor(message: string, rule?: string, got?: unknown) {
    super('ERR_OPTIONS', rule === undefined ? message : `${message} must be ${rule}, got ${shown(got)}`);
  }
}

/**
 * The server refused the credentials (close 4003 or 1008). The client stops in state
 * `closed` and does not retry, because retrying a rejected token only hammers the server.
 *
 * @example
 * ```ts
 * client.on('error', (e) => { if (isAuthError(e)) showLogin(); });
 * ```
 */
export class AuthError extends EventwireError {
  override name = 'AuthError';
  /** The close code the server sent (1006 for an HTTP refusal of the upgrade without one in its headers). */
  declare readonly closeCode: number;
  /** The HTTP status of a refused upgrade (401, 403), where the platform reports it: Node does, a browser says 1006 alone. */
  declare readonly status: number | undefined;
  constructor(closeCode: number, reason: string, status?: number) {
    const close = `(close ${closeCode}${reason ? `: ${reason}` : ''})`; // Starlette refuses a wrong path with 403 too
    super(
      'ERR_AUTH',
      words
        ? `authentication rejected by the server ${close}${/\bHTTP 403\b/.test(reason) ? '; an HTTP 403 may also mean that no WebSocket route has this path: check the URL as well as the token' : ''}`
        : `rejected ${close}`,
    );
    this.closeCode = closeCode;
    this.status = status;
  }
}

/**
 * The `token` provider threw or rejected: the attempt failed and is retried with backoff; emitted so you see why.
 *
 * @example
 * ```ts
 * client.on('error', (e) => isTokenProviderError(e) && console.warn('token refresh failed', e.cause));
 * ```
 */
export class TokenProviderError extends EventwireError {
  override name = 'TokenProviderError';
  constructor(cause: unknown) {
    super('ERR_TOKEN_PROVIDER', `token provider failed: ${describe(cause)}`, { cause });
  }
}

/**
 * Reconnecting gave up after `backoff.maxRetries` failed attempts in a row: `closed`, `connect()` starts over.
 *
 * @example
 * ```ts
 * client.on('error', (e) => isReconnectExhaustedError(e) && showRetryButton());
 * ```
 */
export class ReconnectExhaustedError extends EventwireError {
  override name = 'ReconnectExhaustedError';
  /** How many reconnect attempts were made (`backoff.maxRetries`); `cause` is the last failure. */
  declare readonly attempts: number;
  constructor(attempts: number, cause?: unknown) {
    const after = !words
      ? `gave up after ${attempts} retries`
      : attempts // maxRetries 0: one attempt failed, and none was made to reconnect
        ? `gave up reconnecting after ${attempts} ${plural(attempts)}`
        : 'did not reconnect (backoff.maxRetries is 0)';
    super('ERR_RECONNECT_EXHAUSTED', `${after}${cause === undefined ? '' : `: ${describe(cause)}`}`, { cause });
    this.attempts = attempts;
  }
}

/**
 * The server closed with a code that must not be retried (1002 protocol error...), or `shouldRetry` returned false;
 * after `close()`, what still waited on the client (a request, `ready()`) rejects with it (code 1000). Why one class:
 * each says the link is over and will not come back by itself. In `eventwire/testing`, a test server's calls after its
 * `stop()` throw it (code 1000), rather than doing nothing.
 *
 * @example
 * ```ts
 * client.on('error', (e) => isClosedError(e) && console.error('closed for good', e.closeCode));
 * ```
 */
export class ClosedError extends EventwireError {
  override name = 'ClosedError';
  /** The close code that ended the connection. */
  declare readonly closeCode: number;
  constructor(closeCode: number, reason: string) {
    const closed = `${closeCode}${reason ? ` (${reason})` : ''}`;
    super('ERR_CLOSED', words ? `connection closed with ${closed} and will not be retried` : `closed ${closed}`);
    this.closeCode = closeCode;
  }
}

/**
 * Something did not happen in time: the auth handshake, a request, a subscription's confirmation; in
 * `eventwire/testing`, `nextMessage()` or `connected()` past its `timeout`. Why typed: a wait that failed is told
 * apart from a refusal (`RequestError`) or a lost link (`ClosedError`).
 *
 * @example
 * ```ts
 * client.on('error', (e) => isTimeoutError(e) && console.warn(e.message));
 * ```
 */
export class TimeoutError extends EventwireError {
  override name = 'TimeoutError';
  constructor(message: string) {
    super('ERR_TIMEOUT', message);
  }
}

/**
 * An event failed the schema given for its name in `options.events`. The event is not delivered to handlers.
 *
 * @example
 * ```ts
 * client.on('error', (e) => { if (isValidationError(e)) console.warn(e.eventType, e.issues) });
 * ```
 */
export class ValidationError extends EventwireError {
  override name = 'ValidationError';
  /** The event name whose schema rejected it. */
  declare readonly eventType: string;
  /** The event's seq, when it had one: where to find it in the server's log. */
  declare readonly seq: number | undefined;
  /** The issues reported by the schema (Standard Schema format). */
  declare readonly issues: ReadonlyArray<Issue>;
  /**
   * `event`: the event refused (its `seq` names it). With its `data`, each issue also says what the schema expected
   * (the issue's `expected`, as zod gives) and the type the data had there, never its value; without, the issue alone.
   */
  constructor(eventType: string, issues: ReadonlyArray<Issue>, event?: { seq?: number; data?: unknown }) {
    const seq = event?.seq;
    const at = seq === undefined ? '' : ` (seq ${seq})`;
    super(
      'ERR_VALIDATION',
      `event ${eventType}${at} failed its schema: ${issues.map((i) => formatIssue(i, event)).join('; ')}`,
    );
    this.eventType = eventType;
    this.seq = seq;
    this.issues = issues;
  }
}

/**
 * A handler you registered threw or rejected. Other handlers and the connection carry on.
 *
 * @example
 * ```ts
 * client.on('error', (e) => isHandlerError(e) && report(e.cause));
 * ```
 */
export class HandlerError extends EventwireError {
  override name = 'HandlerError';
  /** The event the handler was called for. */
  declare readonly eventType: string;
  constructor(eventType: string, cause: unknown) {
    super('ERR_HANDLER', `a handler for ${eventType} threw: ${describe(cause)}`, { cause });
    this.eventType = eventType;
  }
}

/**
 * A hook you gave the client threw: `shouldRetry` or `classify` (the decision falls back to
 * the default for that close code), the `logger` (reported once; its lines go on being tried), or a hook of a custom dialect (`params`, `auth`,
 * `subscribe`, `ping`, …: its result falls back to "no message"). The client goes on.
 *
 * Why not a `HandlerError`: a handler is called with an event; a hook is called to make one
 * of the client's decisions, and a bug in it is a bug in configuration, worth telling apart.
 *
 * @example
 * ```ts
 * import { createClient, isHookError } from 'eventwire';
 * const client = createClient({ url: 'wss://events.example.com/ws' });
 * client.on('error', (e) => {
 *   if (isHookError(e)) console.error(`${e.hook} threw`, e.cause);
 * });
 * ```
 */
export class HookError extends EventwireError {
  override name = 'HookError';
  /** The hook that threw: `shouldRetry`, `classify`, or a dialect's hook (`params`, `auth`, …). */
  declare readonly hook: string;
  /** For a dialect's hook: the dialect's `name`; undefined for the client's own options. */
  declare readonly dialect: string | undefined;
  constructor(hook: string, cause: unknown, dialect?: string) {
    const where = dialect === undefined ? `the ${hook} hook` : `the ${dialect} dialect's ${hook}()`;
    const said = describe(cause); // a TypeError saying what it returned: the client found its result wrong, no throw
    const verb = cause instanceof TypeError && said.startsWith('returned ') ? '' : 'threw: ';
    super('ERR_HOOK', `${where} ${verb}${said}`, { cause });
    this.hook = hook;
    this.dialect = dialect;
  }
}

/**
 * A subscription ended (`unsubscribe()`, or `close()` of its client) before what you waited for: its `ready()`
 * rejects with this. The connection may be fine.
 *
 * Why not a `ClosedError`: that one says the connection closed for good; this says only that one subscription is
 * over, and which.
 *
 * @example
 * ```ts
 * import { createClient, isSubscriptionEndedError } from 'eventwire';
 * const client = createClient({ url: 'wss://events.example.com/ws' });
 * const sub = client.subscribe('LogEntry');
 * sub.unsubscribe();
 * await sub.ready().catch((e) => isSubscriptionEndedError(e) && console.log(e.subscriptionId, 'ended'));
 * ```
 */
export class SubscriptionEndedError extends EventwireError {
  override name = 'SubscriptionEndedError';
  /** The id of the subscription that ended. */
  declare readonly subscriptionId: string;
  constructor(subscriptionId: string) {
    super('ERR_SUBSCRIPTION_ENDED', `subscription ${subscriptionId} ended`);
    this.subscriptionId = subscriptionId;
  }
}

/**
 * The server sent `{type:"error"}`.
 *
 * @example
 * ```ts
 * client.on('error', (e) => isServerError(e) && console.warn(e.serverCode));
 * ```
 */
export class ServerError extends EventwireError {
  override name = 'ServerError';
  /** The `code` field of the server's message. */
  declare readonly serverCode: string;
  constructor(serverCode: string, message: string) {
    serverCode = clipped(serverCode, 100);
    super('ERR_SERVER', `server error ${serverCode}: ${clipped(message, 1000)}`);
    this.serverCode = serverCode;
  }
}

/**
 * Thrown by `subscribe()` for invalid filters; the message names the offending key.
 *
 * @example
 * ```ts
 * client.subscribe('LogEntry', { filters: { 'a..b': 1 } }); // FilterError: filter key "a..b": empty path segment
 * ```
 */
export class FilterError extends EventwireError {
  override name = 'FilterError';
  constructor(message: string) {
    super('ERR_FILTER', message);
  }
}

/**
 * A server request failed: the server answered `{success:false, error}`.
 *
 * @example
 * ```ts
 * try { await client.request('tasks.retry', { id }) } catch (e) { if (isRequestError(e)) toast(e.serverCode) }
 * ```
 */
export class RequestError extends EventwireError {
  override name = 'RequestError';
  /** The server's error code. */
  declare readonly serverCode: string;
  /** The method that was called. */
  declare readonly method: string;
  constructor(method: string, serverCode: string, message: string) {
    serverCode = clipped(serverCode, 100);
    super('ERR_REQUEST', `${method} failed: ${serverCode}: ${clipped(message, 1000)}`);
    this.serverCode = serverCode;
    this.method = method;
  }
}

/**
 * A request was cancelled through its `AbortSignal`.
 *
 * @example
 * ```ts
 * const ctl = new AbortController();
 * client.request('report.build', {}, { signal: ctl.signal }).catch((e) => isAbortError(e) && console.log('cancelled'));
 * ctl.abort();
 * ```
 */
export class AbortError extends EventwireError {
  override name = 'AbortError';
  constructor(reason?: unknown) {
    super('ERR_ABORTED', words ? 'the operation was aborted' : 'aborted', { cause: reason });
  }
}

/**
 * A message could not be encoded for the wire, so nothing is sent: `send()` throws it, a request
 * rejects with it. The codec threw (JSON: a BigInt, a cycle) or gave no frame, or `send()` got no
 * message object (a string: its JSON, where the message itself is wanted).
 * @example `try { client.send({ n: 1n }) } catch (e) { if (isEncodeError(e)) console.warn(e.message) }`
 */
export class EncodeError extends EventwireError {
  override name = 'EncodeError';
  constructor(message: string, cause?: unknown) {
    super('ERR_ENCODE', cause === undefined ? message : `${message}: ${describe(cause)}`, { cause });
  }
}

/**
 * A bounded queue is full: the outbox while disconnected, or a subscription's iterator
 * buffer that its consumer does not drain. Nothing is dropped silently: this is the signal.
 *
 * @example
 * ```ts
 * client.request('x', {}).catch((e) => isQueueFullError(e) && retryLater());
 * ```
 */
export class QueueFullError extends EventwireError {
  override name = 'QueueFullError';
  /** The limit that was reached. */
  declare readonly limit: number;
  constructor(what: string, limit: number) {
    super('ERR_QUEUE_FULL', `${what} is full (${limit} ${limit === 1 ? 'entry' : 'entries'})`);
    this.limit = limit;
  }
}

const plural = (n: number): string => (n === 1 ? 'attempt' : 'attempts');

/** One problem a schema found (Standard Schema's issue). */
type Issue = { readonly message: string; readonly path?: ReadonlyArray<unknown> };

/** An issue's path and message, and with the event: what the schema expected and the type the data had there. */
function formatIssue(issue: Issue & { readonly expected?: unknown }, event?: { data?: unknown }): string {
  const keys = issue.path?.map((p) => (typeof p === 'object' && p !== null && 'key' in p ? p.key : p)) ?? [];
  let message = issue.message;
  if (event && 'data' in event && !/expected/i.test(message)) {
    const v = keys.reduce<unknown>((at, k) => (Object(at) === at ? Object(at)[k as string] : undefined), event.data);
    message += ` (${typeof issue.expected === 'string' ? `expected ${issue.expected}, ` : ''}got ${kind(v)})`;
  }
  return keys.length ? `${keys.map(String).join('.')}: ${message}` : message;
}
