import { DecodeError } from '../errors/errors.js';
import type { Dialect, DialectSink } from './dialect.js';
import { builtin } from './guard.js';
import { closeTable, eventOf, isName, isObject, none, tokenParam } from './shared.js';

/** Options of {@link querri}. @example `querri({ pingInterval: 30_000 })` */
export interface QuerriOptions {
  /** How often the server pings (ms); silence past it plus the heartbeat timeout is a dead link. @default 30000 */
  pingInterval?: number;
}

function readQuerri(value: unknown, sink: DialectSink): void {
  if (!isObject(value) || !isName(value.type)) {
    sink.error(new DecodeError('no_event_name', 'a message needs a string type'));
    return;
  }
  if (value.type === 'ping') sink.ping();
  else sink.event(eventOf(value.type, value, value));
}

/**
 * Querri (seed 001): the JWT in `?token=`, one room per URL (no subscribe message), messages
 * named by `type` (the whole message is the event's `data`), `requires_ack` + `message_id`
 * (acked with `{type:"ack", message_id}`), server pings every 30 s (no pong is sent), close
 * 4403 or an HTTP 401/403 answer to the upgrade (stop), 4001 (refresh). No replay: after a
 * reconnect each subscription emits `gap` with no range.
 *
 * @example
 * ```ts
 * import { querri } from 'eventwire/dialects';
 * const client = createClient({ url: `ws://localhost:8000/ws/project/${id}`, token: jwt, dialect: querri() });
 * client.on('step_completed', (ev) => show(ev.data.result));
 * ```
 */
export function querri(options: QuerriOptions = {}): Dialect {
  return builtin({
    name: 'querri',
    params: ({ token }) => tokenParam(token),
    tokenIn: 'query',
    greeting: 'none',
    greetingGrace: 0,
    liveness: { mode: 'server', interval: options.pingInterval ?? 30_000 },
    confirms: false,
    resume: 'none',
    rateLimit: { messages: 10, per: 1000 }, // seed 001: 10 messages a second per connection
    read: readQuerri,
    auth: (token) => ({ type: 'auth', token }),
    subscribe: none,
    unsubscribe: none,
    ping: none,
    ack: (messageId) => ({ type: 'ack', message_id: messageId }),
    request: none,
    close: closeTable({ 4403: 'auth', 1008: 'auth' }),
  });
}
