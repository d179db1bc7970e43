/**
 * Seed 003, the Provisioning orchestrator, as the Axum handler it quotes reads (seed lines
 * 636-762), not as its prose says:
 * - `WsQuery {token: String, events, batch_size: Option<usize>, compression: Option<bool>}`
 *   (636-642): no `token`, or a value that does not parse, is Axum's HTTP 400; a token that does
 *   not validate is HTTP 401 "Unauthorized" (656-661).
 * - `?events=` is split on commas, trimmed, empties dropped (675-680), and fixed for the
 *   socket's life; empty means every event (699).
 * - Role checks (754-761): `SystemHealthUpdate` needs `admin`, `LogEntry` `admin` or
 *   `developer`; the rest pass. What fails is skipped without a word.
 * - A batch is sent only when full: `batch.len() >= batch_size`, default 10, no timer (696,
 *   706-711). Every frame is `{type:"batch", events}` (744-747), text; `compression` is read
 *   and never used.
 * - `handle_client_message` matches `subscribe`, `unsubscribe`, `auth` with empty arms, and
 *   nothing else (727-742): `{type:"ping"}` is never answered; `since` is never read.
 * - WebSocket pings are answered by the WebSocket layer (Axum/tungstenite; `ws` does so here).
 * - The server never sends a close code; `expire(code)` is the document's 1008/4001 (803, 818).
 *
 * Options beyond the code, for tests: `docPong` answers `{type:"ping"}` with `{type:"pong"}`
 * as the document's client expects (862); `flushMs` flushes a partial batch after that long,
 * as the handler's comment hopes (707). Both are off by default.
 */
import { type Conn, Emulator } from './emulator.js';

export interface ProvisioningEvent {
  event_type: string;
  timestamp: string;
  data: Record<string, unknown>;
  metadata: Record<string, string>;
}

export interface ProvisioningOptions {
  /** Tokens that validate. @default ['jwt'] */
  tokens?: string[];
  /** `claims.role` per token. @default ['admin'] for every token */
  roles?: Record<string, string[]>;
  /** Answer `{type:"ping"}` with `{type:"pong"}` (the document; the code does not). */
  docPong?: boolean;
  /** Flush a partial batch after this many ms (the handler's comment; the code does not). */
  flushMs?: number;
}

const usize = /^\d+$/;

/** `has_event_permission` (seed 754-761). */
function permitted(roles: readonly string[], eventType: string): boolean {
  if (eventType === 'SystemHealthUpdate') return roles.includes('admin');
  if (eventType === 'LogEntry') return roles.includes('admin') || roles.includes('developer');
  return true;
}

export function startProvisioning({
  tokens = ['jwt'],
  roles = {},
  docPong = false,
  flushMs,
}: ProvisioningOptions = {}) {
  const valid = new Set(tokens);
  let micros = 0;
  const wants = (conn: Conn, event: ProvisioningEvent) => {
    const requested = conn.state.requested as string[];
    if (requested.length > 0 && !requested.includes(event.event_type)) return false;
    return permitted(conn.state.roles as string[], event.event_type);
  };
  const flush = (conn: Conn) => {
    const batch = conn.state.batch as ProvisioningEvent[];
    if (batch.length === 0) return;
    conn.state.batch = [];
    emulator.send(conn, { type: 'batch', events: batch });
  };
  const queue = (conn: Conn, event: ProvisioningEvent) => {
    const batch = conn.state.batch as ProvisioningEvent[];
    batch.push(event);
    if (batch.length >= (conn.state.batchSize as number)) flush(conn);
    else if (flushMs !== undefined && batch.length === 1) emulator.later(conn, flushMs, () => flush(conn));
  };
  const emulator = new Emulator({
    refuse(url) {
      const token = url.searchParams.get('token');
      const size = url.searchParams.get('batch_size');
      const compression = url.searchParams.get('compression');
      if (token === null || (size !== null && !usize.test(size))) return 400;
      if (compression !== null && compression !== 'true' && compression !== 'false') return 400;
      return valid.has(token) ? undefined : 401;
    },
    open(conn) {
      const token = conn.url.searchParams.get('token') ?? '';
      conn.state.roles = roles[token] ?? ['admin'];
      conn.state.requested = (conn.url.searchParams.get('events') ?? '')
        .split(',')
        .map((s) => s.trim())
        .filter((s) => s.length > 0);
      conn.state.batchSize = Number(conn.url.searchParams.get('batch_size') ?? 10);
      conn.state.batch = [];
    },
    message(conn, msg) {
      // handle_client_message: subscribe, unsubscribe and auth do nothing; anything else neither.
      if (docPong && (msg as { type?: unknown }).type === 'ping') emulator.send(conn, { type: 'pong' });
    },
  });
  return Object.assign(emulator, {
    tokens: valid,
    /** Publishes an event to every connection that wants it, stamped as chrono does (µs, `Z`). */
    publish(event_type: string, data: Record<string, unknown> = {}, metadata: Record<string, string> = {}) {
      const micro = String(++micros % 1000).padStart(3, '0');
      const timestamp = new Date().toISOString().replace('Z', `${micro}Z`);
      const event: ProvisioningEvent = { event_type, timestamp, data, metadata };
      for (const conn of emulator.conns) if (!conn.state.frozen && wants(conn, event)) queue(conn, event);
      return event;
    },
    /** Closes every connection with `code` (the document's 1008 or 4001; the code sends none). */
    expire(code = 4001) {
      emulator.dropAll(code, 'token expired');
    },
  });
}
