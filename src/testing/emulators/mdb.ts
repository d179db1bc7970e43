/**
 * mdb_engine 0.1.6 in Node, for the tests that run every dialect side by side (idle, defaults,
 * chaos). The real-stack emulator is test/fixtures/python/mdb_app.py; this one follows the same
 * upstream facts (ranfysvalle02/mdb-engine v0.1.6, mdb_engine/routing/websockets.py): accept,
 * then the token from `?token=`, else the cookie `ws_token`, else `token` (355-380). None: close
 * 1008 (518-528). One not in `tokens` (a bad signature): the socket is dropped with no close
 * frame, 1006 (419-423). A `{type:"connected"}` greeting with no connection id (701-711); every
 * message gets `app_slug` and a naive UTC `timestamp` (160-166, 229-234); `{type:"ping"}` after
 * `pingInterval` with no frame from the client (717-736); a client `pong` is ignored (575). The
 * app is the routing README's handler: `subscribe` broadcasts `subscribed {channel}`,
 * `unsubscribe` broadcasts `unsubscribed`, `ping` broadcasts `pong`. WebSocket pings are
 * answered by the protocol.
 */
import type { Conn } from './emulator.js';
import { Emulator } from './emulator.js';

/** `datetime.utcnow().isoformat()`: microseconds, no zone. */
const naiveUtc = () => `${new Date().toISOString().slice(0, -1)}000`;
const cookie = (conn: Conn, name: string) =>
  new RegExp(`(?:^|;\\s*)${name}=([^;]+)`).exec(conn.headers.cookie ?? '')?.[1];

export function startMdb({ tokens = ['jwt'], pingInterval = 30_000, slug = 'my_app' } = {}) {
  const valid = new Set(tokens);
  const tokenOf = (conn: Conn) =>
    conn.url.searchParams.get('token') || cookie(conn, 'ws_token') || cookie(conn, 'token');
  const send = (conn: Conn, message: Record<string, unknown>) =>
    emulator.send(conn, { ...message, app_slug: slug, timestamp: naiveUtc() });
  const keepalive = (conn: Conn) => {
    for (const t of conn.timers) clearTimeout(t);
    conn.timers.clear();
    emulator.later(conn, pingInterval, () => {
      send(conn, { type: 'ping' });
      keepalive(conn);
    });
  };
  const broadcast = (message: Record<string, unknown>) => {
    for (const conn of emulator.conns) send(conn, message);
  };
  const emulator = new Emulator({
    open(conn) {
      const token = tokenOf(conn);
      if (!token) return conn.ws.close(1008, 'Authentication required');
      if (!valid.has(token)) return conn.ws.terminate();
      const user_email = 'user@example.com';
      send(conn, { type: 'connected', message: 'WebSocket connected successfully', authenticated: true, user_email });
      keepalive(conn);
    },
    message(conn, msg) {
      keepalive(conn); // every frame from the client restarts the keepalive wait
      const m = msg as { type?: string; channel?: string; timestamp?: string };
      if (m.type === 'subscribe') broadcast({ type: 'subscribed', channel: m.channel ?? 'default' });
      if (m.type === 'unsubscribe') broadcast({ type: 'unsubscribed' });
      if (m.type === 'ping') broadcast({ type: 'pong', timestamp: m.timestamp });
    },
  });
  return Object.assign(emulator, { tokens: valid, broadcast });
}
