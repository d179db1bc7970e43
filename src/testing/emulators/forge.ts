/**
 * forge_reasoning's WebSocket server as its code reads (oldnordic/forge,
 * `forge-reasoning/src/websocket.rs` at 86ccee2, = seed 002; `service.rs` for the service):
 * - `WebSocketConfig::default()`: `require_auth: false`, `auth_token: None`,
 *   `max_connections: 100` (27-34). `authenticate` succeeds only when `auth_token` is set and
 *   equal (466-474), so with the defaults it always answers "Invalid authentication token",
 *   and every command works anyway (`authenticated: !require_auth`, 293).
 * - Past `max_connections` (checked before registering, 279): `{id:"init", success:false,
 *   error:"Server at capacity"}`, then the stream is dropped without a close frame (280-286).
 * - Commands `{id, method, params}`, `params` required (39-43); what does not parse is
 *   `{id:"unknown", ..., "Invalid JSON: …"}` (426-433). Authentication is checked before the
 *   method (437-442), so even an unknown method is "Authentication required" then.
 * - `subscribe {session_id}` (a UUID; any, known or not: service.rs 284-291) is answered once
 *   the event task wired it (555-607); events `{event_type, data}` with `data.timestamp` as
 *   chrono's `to_rfc3339` (`+00:00`, 84-126).
 * - Ping frames are answered by the server (395-399) and by tungstenite itself: two pongs.
 * - Binary frames are ignored (405); a close frame ends the loop (391-394).
 */
import { randomUUID } from 'node:crypto';
import { Emulator } from './emulator.js';

export interface ForgeOptions {
  /** `require_auth`. @default false */
  requireAuth?: boolean;
  /** `auth_token`. @default undefined (None) */
  authToken?: string | undefined;
  /** `max_connections`. @default 100 */
  maxConnections?: number;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** chrono's `Utc::now().to_rfc3339()`: nanoseconds and `+00:00`. */
const rfc3339 = () => new Date().toISOString().replace('Z', '123456+00:00');

interface Summary {
  id: string;
  timestamp: string;
  sequence_number: number;
  message: string;
  trigger: string;
  tags: string[];
  has_notes: boolean;
}

export function startForge({ requireAuth = false, authToken, maxConnections = 100 }: ForgeOptions = {}) {
  const sessions = new Map<string, Summary[]>(); // session id -> checkpoints
  let sequence = 0;
  const emulator = new Emulator({
    open(conn) {
      if (emulator.conns.size > maxConnections) {
        emulator.conns.delete(conn); // never registered
        conn.ws.send(JSON.stringify({ id: 'init', success: false, error: 'Server at capacity' }), () =>
          conn.ws.terminate(),
        );
        return;
      }
      conn.state.authenticated = !requireAuth;
      conn.state.sessions = new Set<string>();
      conn.ws.on('ping', (data) => conn.ws.pong(data)); // the handler's own Pong, besides ws's
    },
    message(conn, msg) {
      const cmd = msg as { id?: unknown; method?: unknown; params?: unknown };
      if (typeof cmd.id !== 'string' || typeof cmd.method !== 'string' || !('params' in (Object(msg) as object))) {
        return emulator.send(conn, { id: 'unknown', success: false, error: 'Invalid JSON: missing field' });
      }
      const params = (typeof cmd.params === 'object' && cmd.params !== null ? cmd.params : {}) as Record<
        string,
        unknown
      >;
      const ok = (result: unknown) => emulator.send(conn, { id: cmd.id, success: true, result });
      const fail = (error: string) => emulator.send(conn, { id: cmd.id, success: false, error });
      if (requireAuth && !conn.state.authenticated && cmd.method !== 'authenticate')
        return fail('Authentication required');
      const session = () => {
        const id = params.session_id;
        const problem =
          typeof id !== 'string' ? 'Missing session_id parameter' : UUID.test(id) ? '' : 'Invalid session_id format';
        if (problem) fail(problem);
        return problem ? undefined : (id as string).toLowerCase();
      };
      switch (cmd.method) {
        case 'authenticate':
          if (authToken !== undefined && params.token === authToken) {
            conn.state.authenticated = true;
            return ok({ authenticated: true });
          }
          return fail('Invalid authentication token');
        case 'create_session': {
          const id = randomUUID();
          sessions.set(id, []);
          return ok(id);
        }
        case 'metrics': {
          let total = 0;
          for (const list of sessions.values()) total += list.length;
          return ok({
            total_checkpoints: total,
            active_sessions: sessions.size,
            total_sessions_created: sessions.size,
          });
        }
        case 'list_checkpoints': {
          const id = session();
          return id === undefined ? undefined : ok(sessions.get(id) ?? []);
        }
        case 'checkpoint': {
          const id = session();
          if (id === undefined) return;
          const checkpoint_id = randomUUID();
          const message = typeof params.message === 'string' ? params.message : 'Checkpoint';
          const summary = { id: checkpoint_id, timestamp: rfc3339(), sequence_number: ++sequence, message };
          sessions.set(id, [
            ...(sessions.get(id) ?? []),
            { ...summary, trigger: 'manual', tags: [], has_notes: false },
          ]);
          ok(checkpoint_id);
          return api.event('checkpoint_created', { checkpoint_id, session_id: id });
        }
        case 'subscribe': {
          const id = session();
          if (id === undefined) return;
          (conn.state.sessions as Set<string>).add(id);
          return ok({ subscribed: true, session_id: id });
        }
        default:
          return fail(`Unknown method: ${cmd.method}`);
      }
    },
  });
  const api = Object.assign(emulator, {
    sessions,
    /** Emits an event of a session to the connections subscribed to it (`data.timestamp` added). */
    event(event_type: string, data: { session_id: string } & Record<string, unknown>) {
      const payload = { event_type, data: { ...data, timestamp: rfc3339() } };
      for (const conn of emulator.conns)
        if ((conn.state.sessions as Set<string> | undefined)?.has(data.session_id)) emulator.send(conn, payload);
    },
  });
  return api;
}
