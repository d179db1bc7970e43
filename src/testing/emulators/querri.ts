/**
 * Seed 001, Querri, in Node, for the tests that run every dialect side by side (idle, defaults,
 * CLI, chaos); the real stack (FastAPI, uvicorn, redis) is test/fixtures/python/querri_app.py.
 * As its document shows it: `/ws/project/{uuid}?token=jwt` (a bad token is
 * refused before accept: HTTP 403, as Starlette answers `close(code=403)` there), the server
 * pings `{"type":"ping"}` at once and every `pingInterval` and expects nothing back, messages named by
 * `type`, critical ones with `requires_ack` + `message_id` sent again until acked (the ack's
 * shape is the SDK's choice: `{type:"ack", message_id}`).
 */
import { Emulator } from './emulator.js';

export function startQuerri({ tokens = ['jwt'], pingInterval = 30_000, ackTimeout = 200 } = {}) {
  const valid = new Set(tokens);
  const unacked = new Map<string, object>();
  const emulator = new Emulator({
    refuse: (url) => (valid.has(url.searchParams.get('token') ?? '') ? undefined : 403),
    open(conn) {
      conn.state.pings = 0;
      const ping = () => {
        emulator.send(conn, { type: 'ping' });
        (conn.state.pings as number)++;
        emulator.later(conn, pingInterval, ping);
      };
      ping(); // the seed's heartbeat loop: send, then sleep
    },
    message(conn, msg) {
      const m = msg as { type?: string; message_id?: string };
      if (m.type === 'ack' && m.message_id) unacked.delete(m.message_id);
      void conn;
    },
  });
  const deliver = (message: Record<string, unknown>) => {
    for (const conn of emulator.conns) emulator.send(conn, message);
  };
  return Object.assign(emulator, {
    unacked,
    publish(message: Record<string, unknown>) {
      deliver(message);
      if (message.requires_ack === true && typeof message.message_id === 'string') {
        const id = message.message_id;
        unacked.set(id, message);
        const resend = () =>
          setTimeout(() => {
            if (!unacked.has(id)) return;
            deliver(message);
            resend();
          }, ackTimeout).unref();
        resend();
      }
    },
  });
}
