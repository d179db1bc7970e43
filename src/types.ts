/**
 * The public types of a client: its states and lifecycle events, how events are typed by
 * their schemas, and what `stats()` and `send()` return. No runtime code.
 */

import type { RateLimitStats } from './core/outbox/outbox.js';
import type { AckMode } from './core/streams/delivery.js';
import type { ClientMetrics } from './core/util/metrics.js';
import type { EventwireError } from './errors/base.js';
import type { EventwireEvent } from './protocol/event.js';
import type { StandardSchemaV1 } from './protocol/standard-schema.js';

/**
 * The connection state.
 * - `idle`: created, never connected (or `lazy` and not used yet).
 * - `connecting`: an attempt is in flight (token, TCP, handshake, auth).
 * - `open`: connected and authenticated.
 * - `reconnecting`: waiting for the backoff delay (or for the network) before the next attempt.
 * - `closed`: stopped by `close()`, a fatal close code, or exhausted retries. `connect()` restarts.
 *
 * @example `if (client.state === 'open') ...`
 */
export type ConnectionState = 'idle' | 'connecting' | 'open' | 'reconnecting' | 'closed';

/** Schemas for event data, by event name. @example `{ LogEntry: z.object({ level: z.string() }) }` */
export type EventSchemas = Record<string, StandardSchemaV1>;

/** The data type of event `K` under schemas `E`. */
type DataOf<E extends EventSchemas, K extends string> = K extends keyof E
  ? StandardSchemaV1.InferOutput<E[K]>
  : unknown;

/**
 * Names a client may listen to for server events: the schema keys, or any string without schemas.
 * @example `type Name = ServerEventName<typeof schemas> // 'TaskStatusChanged' | 'LogEntry'`
 */
export type ServerEventName<E extends EventSchemas> = string extends keyof E ? string : keyof E & string;

/**
 * What an event carries to answer an ack, by the client's `acks` mode. In `manual` mode an
 * event with `requires_ack: true` has `ack()` and `nack()` (narrow on `requires_ack`); in
 * `auto` mode the client acks by itself and events carry neither. A client whose mode is not
 * known statically gets both as optional.
 * @example `if (ev.requires_ack) ev.ack()` // with `acks: 'manual'`
 */
export type AckHandles<M extends AckMode> = [M] extends ['manual']
  ? ManualAck
  : [M] extends ['auto']
    ? unknown
    : { ack?: () => void; nack?: () => void };

type ManualAck =
  | {
      requires_ack: true;
      message_id: string;
      /** Handled: the ack goes out, and re-deliveries of this id are acked without a handler. */
      ack(): void;
      /** Not handled: no ack, and the server's re-delivery reaches the handlers again. */
      nack(): void;
    }
  | { requires_ack?: false; ack?: undefined; nack?: undefined };

/**
 * The event handed to listeners of `name`: data typed by its schema, else `unknown`. A union of
 * names gives a union of events, so `switch (ev.event_type)` narrows `data`.
 * @example `function render(ev: ServerEvent<typeof schemas, 'LogEntry'>) { return ev.data.message }`
 */
export type ServerEvent<E extends EventSchemas, Name extends string, M extends AckMode = 'auto'> = Name extends string
  ? EventwireEvent<Name, DataOf<E, Name>> & AckHandles<M>
  : never;

/**
 * Events about the connection itself. A server event whose name is one of these keys is
 * still delivered to `message`, but not under its own name.
 * @example `client.on('close', ({ code, willReconnect }) => console.log(code, willReconnect))`
 */
export interface LifecycleEvents {
  /** The connection is open (and authenticated). */
  open: { sessionId: string | undefined };
  /**
   * A connection or attempt ended. `error`: why, when it failed (the attempt's
   * `ConnectionError`, or the error that stops the client); absent when a link closed.
   */
  close: { code: number; reason: string; willReconnect: boolean; error?: EventwireError };
  /** A retry is scheduled after `delay` whole ms; `error` is the failure it follows, if one did. */
  reconnecting: { attempt: number; delay: number; error?: EventwireError };
  /** The state changed. */
  state: { from: ConnectionState; to: ConnectionState };
  /** Something failed; the client keeps going unless the state became `closed`. */
  error: EventwireError;
  /** Every event the server sent, whatever its name. */
  message: EventwireEvent;
}

/**
 * Listeners that may be given in `options.on`: lifecycle events, and server events, typed by `events`' schemas.
 * Without schemas any server event's name is taken, as `client.on(name)` takes it (the event is delivered
 * unvalidated); annotate its parameter, `(ev: EventwireEvent) => …`, since a type with an index signature beside
 * the lifecycle names cannot give one to infer.
 * @example `{ open: () => console.log('open'), TaskStatusChanged: (ev) => render(ev.data) }`
 */
export type InitialListeners<E extends EventSchemas, M extends AckMode = AckMode> = {
  [K in keyof LifecycleEvents]?: (payload: LifecycleEvents[K]) => unknown;
} & (string extends keyof E
  ? // biome-ignore lint/suspicious/noExplicitAny: the lifecycle listeners above must fit the index signature too
    { [name: string]: ((payload: any) => unknown) | undefined } & { [K in OtherLifecycleName]?: never }
  : { [K in keyof E & string]?: (payload: ServerEvent<E, K, M>) => unknown });

/**
 * @internal Other SDKs' lifecycle names (socket.io-client's, and `disconnected`, `connecting`), which `client.on()` and
 * the `on` option refuse without a schema of that name: a listener for one would wait for ever.
 */
export type OtherLifecycleName =
  | 'connect'
  | 'reconnect'
  | 'disconnect'
  | 'disconnected'
  | 'reconnect_failed'
  | 'connect_error'
  | 'reconnect_error'
  | 'reconnect_attempt'
  | 'connecting';

/** What `client.send()` did with a message. @example `if (client.send(msg) === 'refused') retryLater()` */
export type SendResult = 'sent' | 'queued' | 'refused';

/**
 * How a client shares its connection (`stats().share`, present with the `share` option).
 * - `leader`: this tab holds the connection for the others (`tabs`: links to it, its own included).
 * - `follower`: this tab's client runs over the leader's connection.
 * - `own socket`: this tab does not share (`reason` says why: no Web Locks here, or a tab of
 *   this origin runs an eventwire whose share protocol cannot talk to this one's), so it has its own.
 * @example `if (client.stats().share?.role === 'own socket') console.warn(client.stats().share?.reason)`
 */
export interface ShareStats {
  role: 'leader' | 'follower' | 'own socket';
  tabs?: number;
  reason?: string;
  /**
   * Messages from other pages this tab refused on the share's channels: malformed, out of
   * bounds, of another protocol, or for this tab's link from a page that is not its hub (the
   * 1st, 2nd, 4th, 8th… are also reported as a `DecodeError`). Like `queued` and `share`,
   * absent where Web Locks or `BroadcastChannel` are missing.
   */
  rejected?: number;
  /** This tab's `send()`s accepted (`'queued'`) and not yet written by the leading tab. */
  queued?: number;
  /** How many of its sends may wait: its share of the leading tab's outbox (`outboxSize` / tabs, at least 1). */
  share?: number;
}

/**
 * Sizes of the client's bounded structures, for dashboards and leak checks, and the figures
 * operators watch ({@link ClientMetrics}: connection time, reconnects, messages per second,
 * errors by code). @example `client.stats().queued`
 */
export interface ClientStats extends ClientMetrics {
  /** Live subscriptions. */
  subscriptions: number;
  /** Requests awaiting a response (sent or not). */
  pendingRequests: number;
  /** Messages and requests waiting in the outbox for the link to open. */
  queued: number;
  /**
   * Ack bookkeeping: message ids remembered as acked or failed (bounded by `dedupeWindow`), and
   * events whose handlers still run or await `ack()` (bounded separately, at the same size).
   * `messageIdBytes` is the UTF-8 size of the remembered ids: at most `messageIds` × 256, since
   * an id over 256 bytes is refused (`DecodeError`, `invalid_event`).
   */
  acks: { messageIds: number; messageIdBytes: number; inFlight: number };
  /** Listeners registered on the client, all events together. */
  listeners: number;
  /**
   * Frames dropped unread after a `DialectMismatchError` named the dialect that reads them:
   * counted here instead of a `DecodeError` each (until the dialect reads 3 frames in a row again).
   */
  mismatchedFrames: number;
  /** The rate limit at work (`rateLimit` option or the dialect's), or undefined without one. */
  rateLimit: RateLimitStats | undefined;
  /** With the `share` option: this tab's part (leader, follower, or its own socket and why). */
  share?: ShareStats;
}
