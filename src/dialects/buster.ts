import { kind } from '../errors/base.js';
import { DecodeError } from '../errors/errors.js';
import type { CloseAction } from '../protocol/close-codes.js';
import { fail } from '../protocol/option-rules.js';
import type { Dialect, DialectSink } from './dialect.js';
import { builtin } from './guard.js';
import { dialectOptions } from './options.js';
import { ackIdProblem, closeTable, eventOf, isName, isObject, isV1Welcome, none, V1_WELCOME } from './shared.js';

/**
 * Options of {@link buster}.
 * @example `buster({ terminal: { '/chats/post': ['complete'], '/reports/run': ['reportReady'] } })`
 */
export interface BusterOptions {
  /**
   * The events that end a request, by route: a request on one of these routes is answered by
   * the first message on its route whose `event` is listed (or that carries an `error`); the
   * messages before it reach listeners as events. A route not listed is answered by its first
   * message. Entries here replace the defaults route by route.
   * @default `{ '/chats/post': ['complete'] }`
   */
  terminal?: Readonly<Record<string, readonly string[]>>;
}

/**
 * What ends a request, by route, as the server's code sends it: `/chats/post` streams
 * `initializeChat`, `generating…` and finally `complete` (buster-so/buster,
 * `apps/api/server/src/routes/ws/chats/post_chat.rs` 45-79).
 */
const TERMINAL: Readonly<Record<string, readonly string[]>> = { '/chats/post': ['complete'] };

/**
 * The keepalive: a text frame without `route`, which the server counts as activity and then
 * drops unparsed and unanswered (`ws.rs` 299-301).
 */
const KEEPALIVE = { type: 'keepalive' } as const;

const otherCloses = closeTable({});

/** The server's answers to the upgrade (`libs/middleware/src/auth.rs`). */
function closeBuster(code: number, status: number | undefined): CloseAction {
  if (status === 401 && code === 4001) return 'refresh'; // no token, or an invalid or expired JWT (auth.rs 40-48, 80-93)
  if (status === 402) return 'fatal'; // the organisation must pay first (auth.rs 115-123)
  if (status === 404) return 'fatal'; // the URL is not /api/v1/ws (server main.rs 59, routes/mod.rs 14, ws/mod.rs 9)
  return otherCloses(code, status);
}

function reader(terminal: ReadonlyMap<string, ReadonlySet<string>>) {
  return (value: unknown, sink: DialectSink): void => {
    if (isObject(value) && isV1Welcome(value)) return void sink.error(V1_WELCOME());
    if (!isObject(value) || !isName(value.route)) {
      sink.error(new DecodeError({ reason: 'no_event_name', message: 'a message needs a route' }));
      return;
    }
    const route = value.route;
    const name = isName(value.event) ? value.event : route;
    const error = value.error;
    if (isObject(error)) {
      const code = typeof error.code === 'string' ? error.code : 'error';
      const message = typeof error.message === 'string' ? error.message : 'request failed';
      if (!sink.response(route, true, false, undefined, { code, message }))
        sink.serverError(code, `${message} (${route}, ${name})`);
      return;
    }
    const ends = terminal.get(route);
    if ((ends === undefined || ends.has(name)) && sink.response(route, true, true, value.payload)) return;
    const bad = ackIdProblem(value);
    if (bad !== undefined) {
      sink.error(new DecodeError({ reason: 'invalid_event', message: bad }));
      return;
    }
    sink.event(eventOf(name, value.payload, value, value));
  };
}

/**
 * Buster (buster-so/buster, `apps/api/server/src/routes/ws/`): JSON messages `{route, event,
 * payload, sent_by, error, send_method}`, sent as text frames (gzip binary frames are read
 * too). An event is named by `event`, its `data` is `payload`, and its `metadata` is the whole
 * message as the server sent it (`metadata.route`, `metadata.sent_by`...).
 *
 * `request(route, payload)` sends `{route, payload}`; with no request id, the message that
 * ends it on its route answers the oldest pending request for that route (see
 * {@link BusterOptions.terminal}), and an `error: {code, message}` rejects it with the
 * server's code (`INTERNAL_SERVER_ERROR`...). A route the server does not know, or a payload
 * it cannot read, gets no answer at all: the request ends with a `TimeoutError` naming the
 * route. The server sends a chat's messages to every connection of the user, so another
 * client of the same user sees them as events.
 *
 * The token goes in `?authentication=`. The server closes a link on which the client sent no
 * text frame for 900 s (300 s in older versions), so the client sends `{type:"keepalive"}`
 * every `heartbeat.interval` (25 s), which the server ignores; in Node a WebSocket ping goes
 * with it, and a missing pong means a dead link. `heartbeat: false` turns both off. An HTTP
 * 401 whose `Sec-WebSocket-Close-Code` is 4001 (an invalid or expired token) asks a token
 * function for a new token (Node only: browsers see no status); another 401 or 403 stops with
 * `AuthError`; a 402 (payment required) or a 404 (the path is not the server's `/api/v1/ws`) stops
 * with `ClosedError`. No subscribe message, no replay.
 *
 * @example
 * ```ts
 * import { createClient } from 'eventwire';
 * import { buster } from 'eventwire/dialects';
 *
 * const client = createClient({ url: 'ws://localhost:3001/api/v1/ws', token: async () => 'jwt', dialect: buster() });
 * client.on('generatingResponseMessage', (ev) => console.log(ev.data));
 * const chat = await client.request('/chats/post', { prompt: 'revenue by month' }, { timeout: 300_000 });
 * ```
 */
export function buster(options?: BusterOptions): Dialect {
  const given = dialectOptions('buster', options, 'terminal').terminal;
  if (given != null && (kind(given) !== 'an object' || given instanceof Map))
    fail('terminal', 'an object of route: event names (not a Map)', given);
  const terminal = new Map<string, ReadonlySet<string>>();
  for (const [route, events] of Object.entries({ ...TERMINAL, ...given })) {
    // a string would be a set of its letters, null none: the route's request never ended
    if (!Array.isArray(events) || !events.every(isName))
      fail(`terminal[${JSON.stringify(route)}]`, 'an array of event names', events);
    terminal.set(route, new Set(events));
  }
  return builtin({
    name: 'buster',
    params: ({ token }) => (token === undefined ? [] : [['authentication', token]]),
    tokenIn: 'query',
    greeting: 'none',
    greetingGrace: 0,
    liveness: { mode: 'keepalive' },
    confirms: false,
    resume: 'none',
    read: reader(terminal),
    auth: (token) => ({ type: 'auth', token }),
    subscribe: none,
    unsubscribe: none,
    ping: () => KEEPALIVE,
    ack: none,
    request: (_id, method, params) => ({ route: method, payload: params ?? {} }),
    close: closeBuster,
  });
}
