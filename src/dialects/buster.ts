import { DecodeError } from '../errors/errors.js';
import type { Dialect, DialectSink } from './dialect.js';
import { builtin } from './guard.js';
import { closeTable, eventOf, isName, isObject, none, tokenParam } from './shared.js';

function readBuster(value: unknown, sink: DialectSink): void {
  if (!isObject(value) || !isName(value.route)) {
    sink.error(new DecodeError('no_event_name', 'a message needs a route'));
    return;
  }
  const route = value.route;
  const error = value.error;
  if (isObject(error)) {
    const code = typeof error.code === 'string' ? error.code : 'error';
    const message = typeof error.message === 'string' ? error.message : 'request failed';
    if (!sink.response(route, true, false, undefined, { code, message })) sink.serverError(code, message);
    return;
  }
  if (sink.response(route, true, true, value.payload)) return;
  const name = isName(value.event) ? value.event : route;
  sink.event(eventOf(name, value.payload, value, { route }));
}

/**
 * Buster (seed 000): gzip-compressed JSON `{route, event, payload, ...}` messages (the event
 * is named by `event`, its `data` is `payload`, `metadata.route` the route), requests sent as
 * `{route, payload}` and answered, in order per route, by the next message on that route (an
 * `error: {code, message}` rejects with the server's code). The token in `?token=`. No
 * subscribe message, no replay; WebSocket pings for liveness in Node.
 *
 * @example
 * ```ts
 * import { buster } from 'eventwire/dialects';
 * const client = createClient({ url: 'wss://api.example.com/ws', token, dialect: buster() });
 * const rows = await client.request('/sql/run', { sql: 'select 1' });
 * ```
 */
export function buster(): Dialect {
  return builtin({
    name: 'buster',
    params: ({ token }) => tokenParam(token),
    tokenIn: 'query',
    greeting: 'none',
    greetingGrace: 0,
    liveness: { mode: 'ws', fallback: { mode: 'none' } },
    confirms: false,
    resume: 'none',
    read: readBuster,
    auth: (token) => ({ type: 'auth', token }),
    subscribe: none,
    unsubscribe: none,
    ping: none,
    ack: none,
    request: (_id, method, params) => ({ route: method, payload: params ?? {} }),
    close: closeTable({}),
  });
}
