/**
 * An event as handlers receive it: the wire object itself, with the name normalised
 * into `event_type` (servers of the other dialect put it in `type`).
 *
 * Why no copy: the hot path hands handlers the object `JSON.parse` made; the SDK adds
 * nothing per event but the name when it was missing.
 *
 * @example
 * ```ts
 * client.on('message', (ev: EventwireEvent) => console.log(ev.event_type, ev.seq, ev.data));
 * ```
 */
export interface EventwireEvent<Name extends string = string, Data = unknown> {
  /** The event name. */
  event_type: Name;
  /** ISO 8601 time the server stamped. */
  timestamp: string;
  /** The payload; typed by the schema given for this name in `options.events`. */
  data: Data;
  /** Free-form metadata from the server. */
  metadata?: Record<string, unknown>;
  /** Position in the server's stream (protocol v1 sends it on every event). */
  seq?: number;
  /** Set with `requires_ack` on events the server wants acknowledged. */
  message_id?: string;
  /** True when the server waits for `{type:"ack", message_id}`. */
  requires_ack?: boolean;
  /** Present when the server used the `type` dialect. */
  type?: string;
}

/** Message `type` values that are protocol control messages, never event names. */
export const CONTROL_TYPES: ReadonlySet<string> = new Set([
  'batch',
  'ping',
  'pong',
  'welcome',
  'subscribed',
  'unsubscribed',
  'error',
  'auth',
  'ack',
  'subscribe',
  'unsubscribe',
]);
