import type { DecodeError } from '../errors/errors.js';
import type { CloseAction } from '../protocol/close-codes.js';
import type { EventwireEvent } from '../protocol/event.js';
import type { Filters } from '../protocol/filters.js';
import type { RateLimit } from '../protocol/rate-limit.js';

/**
 * What a subscription asks of the server, as a dialect sees it.
 * @example `{ id: 'sub-1', events: ['LogEntry'], filters: { level: 'ERROR' }, since: 1200 }`
 */
export interface SubscriptionSpec {
  /** The client's id for it (echoed by servers that confirm). */
  readonly id: string;
  /** Event names; empty for all. */
  readonly events: readonly string[];
  /** The validated filters (the SDK applies them to every event in any case). */
  readonly filters: Readonly<Filters>;
  /** Where to resume: a seq, an ISO time, or undefined for live only. */
  readonly since: number | string | undefined;
}

/**
 * Where a dialect reports what one decoded message means. One object per client: reporting
 * allocates nothing.
 * @example `sink.event({ event_type: msg.type, timestamp: msg.timestamp, data: msg })`
 */
export interface DialectSink {
  /** The most members a batch may have (`maxBatchSize`); a dialect with batches refuses larger ones whole. */
  readonly maxBatchSize: number;
  /** An event for listeners and subscriptions. */
  event(event: EventwireEvent): void;
  /** The greeting that marks the link open, with what it says of the session. */
  greeting(sessionId?: string, heartbeatInterval?: number): void;
  /** The server refused the credentials on an open socket (a failed auth command): stop, `AuthError`. */
  authFailed(reason: string): void;
  /** A ping from the server, and the frame to answer it with, if the dialect answers. */
  ping(reply?: object): void;
  /** The answer to the client's own ping. */
  pong(): void;
  /** The server confirmed subscription `id` (with the stream head and any gap it could not replay). */
  subscribed(id: string, seq?: number, gap?: { from: number; to: number }): void;
  /** The server ended subscription `id` (the answer to an unsubscribe). */
  unsubscribed?(id: string): void;
  /**
   * The answer to a request: by its id, or, for dialects without ids (`byMethod`), by the
   * method (route) it answers, oldest request first. Returns false when no request waits for it
   * (nor, by id, timed out or was aborted lately: a late answer is taken): the dialect reports it.
   */
  response(
    key: string,
    byMethod: boolean,
    ok: boolean,
    result: unknown,
    error?: { code: string; message: string },
  ): boolean;
  /** An error the server reported (with the subscription or request it concerns, if any). */
  serverError(code: string, message: string, id?: string): void;
  /** A message this dialect cannot read. */
  error(error: DecodeError): void;
}

/**
 * How a dialect judges that a link is alive.
 * - `client`: the client sends the dialect's ping every `interval`; any frame within `timeout` proves life.
 *   With `provenOnly`, for servers that may ignore the ping: a missing answer counts only once
 *   the server has answered one ({@link DialectSink.pong}) on the connection; until then pings
 *   go out and silence is not death.
 * - `server`: the server pings every `interval`; silence (in both directions) longer than `interval + timeout` is death.
 * - `ws`: WebSocket protocol pings where the socket can send them (`ws` in Node), else `fallback`.
 * - `keepalive`: the client sends the dialect's ping every `interval`, for servers that close a
 *   link on which the client sends nothing and never answer it. Where the socket can send
 *   WebSocket pings (`ws` in Node) one goes with it and any frame within `timeout` proves life;
 *   elsewhere no answer is awaited.
 * @example `{ mode: 'ws', fallback: { mode: 'client', provenOnly: true } }`
 */
export type Liveness =
  | { mode: 'client'; provenOnly?: boolean }
  | { mode: 'keepalive' }
  | { mode: 'server'; interval: number }
  | {
      mode: 'ws';
      fallback: { mode: 'server'; interval: number } | { mode: 'client'; provenOnly?: boolean } | { mode: 'none' };
    }
  | { mode: 'none' };

/**
 * Everything about one server's wire format, so that the core never names a field. The core
 * decodes each frame (JSON, gzip, size, depth and `__proto__` guards, none of which a
 * dialect can skip) and hands the value to {@link Dialect.read}; the dialect builds every
 * frame the client sends. Built-in dialects live in `eventwire/dialects`; a custom one is an
 * object of this shape (see README, "A sixth server"): `createClient()` refuses one without a
 * hook or a `liveness` mode, or with a field outside its type (`protocols: 'x'`, a `greeting` or
 * `resume` not listed here, a `rateLimit` of 0 messages when the client's own `rateLimit` option does not
 * replace it), with an `OptionsError` naming the field.
 *
 * @example
 * ```ts
 * import { eventwire } from 'eventwire/dialects';
 * const v1 = eventwire();
 * // protocol v1, but a bare "pong" string answers a ping
 * const mine: Dialect = { ...v1, name: 'mine', read: (value, sink) => (value === 'pong' ? sink.pong() : v1.read(value, sink)) };
 * ```
 */
export interface Dialect {
  /** Named in decode errors and stats. */
  readonly name: string;
  /** Query parameters of one attempt: the token (when it travels on the URL) and negotiation. */
  params(context: {
    token: string | undefined;
    /** The event names the client listens to, or undefined when it wants them all. */
    events: readonly string[] | undefined;
    compression: boolean;
    batchSize: number | undefined;
    batchInterval: number | undefined;
  }): Array<[string, string]>;
  /** Whether the token travels in a first message (`auth`) rather than on the URL. */
  readonly tokenIn: 'query' | 'message';
  /**
   * The WebSocket subprotocols to offer, for a server that selects one of its own. When the
   * server selects none of them it is another server: the client stops with a
   * `DialectMismatchError`. When it selects one, an optional greeting becomes required (the
   * server promised one). Protocol v1 offers `eventwire.v1`; a dialect made by spreading
   * `eventwire()` does not copy it (it is not enumerable) and offers none unless it says so.
   * @default none offered
   */
  readonly protocols?: readonly string[];
  /**
   * What marks the link open: a greeting the server always sends (`required`, waited for up
   * to `handshakeTimeout`), one it may send (`optional`: the first frame of any kind, or
   * `greetingGrace` ms of silence, opens the link), the answer to the auth message (`auth`:
   * required when a token is sent, `none` without one), or the socket opening (`none`).
   */
  readonly greeting: 'required' | 'optional' | 'auth' | 'none';
  /** With an optional greeting: how long (ms) a silent server is given before the link opens anyway. */
  readonly greetingGrace: number;
  readonly liveness: Liveness;
  /** Whether the server confirms subscriptions; if not, one is active once sent. */
  readonly confirms: boolean;
  /** How a stream resumes after a reconnect: after a seq, from a time, or not at all (`gap`). */
  readonly resume: 'seq' | 'time' | 'none';
  /**
   * The server's published limit on what a client sends, applied by the outbox unless the
   * client's `rateLimit` option says otherwise. Undefined: none published.
   */
  readonly rateLimit?: RateLimit;
  /** Reads one decoded JSON value and reports what it means. */
  read(value: unknown, sink: DialectSink): void;
  /** The first message on every socket, carrying the token (`tokenIn: 'message'`). */
  auth(token: string): object;
  /** The subscribe message(s) for one subscription, or undefined when the server has none. */
  subscribe(spec: SubscriptionSpec): object | object[] | undefined;
  /**
   * The message that ends `spec`, or undefined. `others` are the subscriptions that stay,
   * for servers that keep one union per connection.
   */
  unsubscribe(spec: SubscriptionSpec, others: readonly SubscriptionSpec[]): object | undefined;
  /** The client's ping (liveness `client`), or its keepalive (liveness `keepalive`). */
  ping(): object | undefined;
  /**
   * Why the server cannot be asked for event `name`, or undefined when it can. Called by
   * `subscribe()` and `client.on(name)`, which throw a `FilterError` with the reason.
   * Optional: without it every name is accepted.
   */
  checkName?(name: string): string | undefined;
  /** The ack of an event that asked for one. */
  ack(messageId: string): object | undefined;
  /** A request frame, or undefined when the server takes no requests. */
  request(id: string, method: string, params: unknown): object | undefined;
  /** What a close code (or an HTTP answer to the upgrade, `status`) means. */
  close(code: number, status: number | undefined): CloseAction;
}
