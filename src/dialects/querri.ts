import { DecodeError } from '../errors/errors.js';
import type { Dialect, DialectSink } from './dialect.js';
import { builtin } from './guard.js';
import { dialectOptions } from './options.js';
import {
  ackIdProblem,
  closeTable,
  eventOf,
  isName,
  isObject,
  isV1Welcome,
  none,
  tokenParam,
  V1_WELCOME,
} from './shared.js';

/** Options of {@link querri}. @example `querri({ pingInterval: 30_000 })` */
export interface QuerriOptions {
  /** How often the server pings (ms); silence past it plus the heartbeat timeout is a dead link. @default 30000 */
  pingInterval?: number;
}

/** `datetime.utcnow().isoformat()` (seed 001, `publish_step_completed`): UTC with no zone. */
const NAIVE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?$/;

function readQuerri(value: unknown, sink: DialectSink): void {
  if (!isObject(value) || !isName(value.type)) {
    sink.error(new DecodeError({ reason: 'no_event_name', message: 'a message needs a string type' }));
    return;
  }
  if (value.type === 'ping') {
    sink.ping(); // the seed's heartbeat asks for no answer
    return;
  }
  if (isV1Welcome(value)) return void sink.error(V1_WELCOME());
  const bad = ackIdProblem(value);
  if (bad !== undefined) {
    sink.error(new DecodeError({ reason: 'invalid_event', message: bad }));
    return;
  }
  const event = eventOf(value.type, value, value);
  if (NAIVE.test(event.timestamp)) event.timestamp += 'Z'; // the message (`data`) keeps its own
  sink.event(event);
}

/**
 * Querri (seed 001; PROTOCOL.md §11 cites its lines): the JWT in `?token=` on
 * `/ws/project/{uuid}`, one room per URL (no subscribe message), messages named by `type`
 * (the whole message is the event's `data`, so every field is in reach; a naive UTC
 * `timestamp`, as the seed's publisher writes it, gets its `Z`), `requires_ack` + `message_id`
 * (acked with `{type:"ack", message_id}`), `{type:"ping"}` from the server at once and every
 * `pingInterval` (30 s; no pong is sent: silence past it plus `heartbeat.timeout` is a dead
 * link), at most 10 messages a second from the client. Refusals: an HTTP 401/403 answer to the
 * upgrade (a bad token, a project the user may not view, or a path with no route), close 4403
 * or 1008 (`auth`), close 4001 (`refresh`): with a token function the client asks it once more
 * and reconnects at once, a second refusal in a row or a refused static token stops with
 * `AuthError`. No replay: after a reconnect each subscription emits `gap` with no range.
 *
 * @example
 * ```ts
 * import { querri } from 'eventwire/dialects';
 * const client = createClient({ url: `ws://localhost:8000/ws/project/${id}`, token: getJwt, dialect: querri() });
 * client.on('step_completed', (ev) => show(ev.data));
 * ```
 */
export function querri(options?: QuerriOptions): Dialect {
  const { pingInterval = 30_000 } = dialectOptions('querri', options, 'pingInterval');
  return builtin({
    name: 'querri',
    params: ({ token }) => tokenParam(token),
    tokenIn: 'query',
    greeting: 'none',
    greetingGrace: 0,
    liveness: { mode: 'server', interval: pingInterval },
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
