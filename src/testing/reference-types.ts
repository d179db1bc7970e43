/**
 * The reference server's types: its options, what it knows of a connection, an event as
 * published and as sent.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { WebSocket } from 'ws';
import { type FilterPredicate, subscriptionMatches } from '../protocol/filters.js';
import type { ClientMessage, EventMessage } from '../protocol/types.js';
import type { Encoding } from './encoder.js';
import type { ReferenceMethod } from './reference-methods.js';

/** Options of the reference server (`ReferenceServer`). */
export interface ServerOptions {
  /** @default 0 (any free port) */
  port?: number;
  /** @default '127.0.0.1' */
  host?: string;
  /** Valid tokens. When absent, no auth is required. */
  tokens?: Iterable<string>;
  /** How long a connection may stay unauthenticated (ms). @default 5000 */
  authTimeout?: number;
  /** Advertised in the welcome (ms). @default 25000 */
  heartbeatInterval?: number;
  /** When set, the server also pings each client this often (ms). */
  pingInterval?: number;
  /** Methods answered to `{id, method, params}` requests (`echo` is built in). */
  methods?: Record<string, ReferenceMethod>;
  /** Methods whose answer (computed and cached at once) is sent only after this many ms. */
  slowMethods?: Record<string, number>;
  /** Events kept for replay to resuming subscriptions. @default 1000 */
  bufferSize?: number;
  /** An event with `requires_ack` is sent again after this many ms without an ack. @default 1000 */
  ackTimeout?: number;
  /** Answers plain HTTP requests on the same port (the demo serves its dashboard so). @default 426 */
  http?: (req: IncomingMessage, res: ServerResponse) => void;
}

/** An event as the reference server sends it: named, numbered and stamped. */
export type ServerEvent = EventMessage & { event_type: string; seq: number; timestamp: string };

/** What the server knows of one connection. */
export interface ConnectionInfo {
  id: number;
  url: string;
  token: string | undefined;
  authed: boolean;
  frozen: boolean;
  openedAt: number;
  received: ClientMessage[];
  /** Live subscriptions by id. A connection that never subscribed gets every event. */
  subscriptions: Map<string, { events: Set<string>; predicate: FilterPredicate }>;
  everSubscribed: boolean;
  /** Frames sent, by kind. */
  sent: { text: number; binary: number };
}

/** A connection as the server holds it. */
export interface Conn extends ConnectionInfo {
  ws: WebSocket;
  socket: Socket;
  timers: Set<ReturnType<typeof setTimeout>>;
  encoding: Encoding;
  batch: object[];
  batchTimer: ReturnType<typeof setTimeout> | undefined;
}

/** Whether a connection's subscriptions match an event (every event before a first subscribe). */
export const wants = (conn: ConnectionInfo, event: ServerEvent): boolean => {
  if (!conn.everSubscribed) return true;
  for (const sub of conn.subscriptions.values()) {
    if (subscriptionMatches(sub.events, sub.predicate, event.event_type, event)) return true;
  }
  return false;
};

/** One event to publish: only `event_type` is required. */
export interface PublishInput {
  event_type: string;
  data?: unknown;
  metadata?: Record<string, unknown>;
  timestamp?: string;
  message_id?: string;
  requires_ack?: boolean;
}

/**
 * What a subscription resuming from `since` gets: the buffered events after it (a seq, or a
 * time: events at or after it) and, for a seq older than the buffer, the gap it cannot replay.
 */
export function replayPlan(
  buffer: readonly ServerEvent[],
  head: number,
  since: number | string | undefined,
): { replay: ServerEvent[]; gap: { from: number; to: number } | undefined } {
  if (typeof since === 'number') {
    const oldest = buffer[0]?.seq ?? head + 1;
    const gap = since + 1 < oldest && since < head ? { from: since + 1, to: oldest - 1 } : undefined;
    return { replay: buffer.filter((e) => e.seq > since), gap };
  }
  if (typeof since === 'string') {
    const bound = Date.parse(since);
    return { replay: buffer.filter((e) => Date.parse(e.timestamp) >= bound), gap: undefined };
  }
  return { replay: [], gap: undefined };
}

/** Runs `fn` after `ms`, unless the connection is dropped first (its timers are cleared). */
export function later(conn: Conn, ms: number, fn: () => void): void {
  const t = setTimeout(() => {
    conn.timers.delete(t);
    fn();
  }, ms);
  conn.timers.add(t);
}

/** Ends a connection: a close frame with `code`, or a reset (no close frame) for 1006. */
export function drop(conn: Conn, code: number, reason = ''): void {
  conn.authed = false; // nothing more is sent to a connection being dropped
  for (const t of conn.timers) clearTimeout(t);
  if (code === 1006) conn.ws.terminate();
  else conn.ws.close(code, reason);
  // A frozen socket does not read the close handshake: cut it.
  if (conn.frozen) conn.ws.terminate();
}
