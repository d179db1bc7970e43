import { shown } from '../errors/base.js';
import { DecodeError } from '../errors/errors.js';
import type { Dialect, DialectSink } from './dialect.js';
import { builtin } from './guard.js';
import { noOptions } from './options.js';
import { closeTable, eventOf, filterValues, isName, isObject, isV1Welcome, none, V1_WELCOME } from './shared.js';

/** The id of the `authenticate` command (one per connection). */
const AUTH_ID = 'eventwire-auth';
/**
 * After a refused `authenticate`: a command no server method answers. websocket.rs checks
 * authentication before it dispatches (437-442), so it is answered "Authentication required"
 * when the server requires it, and "Unknown method: …" when it does not (452-455).
 */
const PROBE_ID = 'eventwire-auth-probe';
const PROBE = { id: PROBE_ID, method: 'eventwire.probe', params: {} };
/** The browser's ping: every command is answered (374-389), an unknown one too. */
const PING_ID = 'eventwire-ping';
const PING = { id: PING_ID, method: 'eventwire.ping', params: {} };
const REFUSED = 'Invalid authentication token (the server requires authentication)';
/** Subscribe commands are `${subscription id}#${n}`: their answers confirm the subscription. */
const SUB = '#';

function readForge(value: unknown, sink: DialectSink): void {
  if (!isObject(value)) {
    sink.error(new DecodeError({ reason: 'not_object', message: 'a message must be a JSON object' }));
    return;
  }
  if (isName(value.event_type)) {
    const data = value.data;
    sink.event(eventOf(value.event_type, data, isObject(data) ? data : value));
    return;
  }
  if (typeof value.id !== 'string' || typeof value.success !== 'boolean') {
    if (isV1Welcome(value)) return void sink.error(V1_WELCOME());
    sink.error(new DecodeError({ reason: 'unknown_type', message: 'neither an event nor a response' }));
    return;
  }
  const id = value.id;
  const message = typeof value.error === 'string' ? value.error : 'request failed';
  if (id === PING_ID) {
    sink.pong();
    return;
  }
  if (id === AUTH_ID) {
    // With the default `require_auth=false` (and no `auth_token`) authenticate always fails
    // (websocket.rs 466-474) while every command works: ask which it is before refusing.
    if (value.success) sink.greeting();
    else sink.ping(PROBE); // `ping(reply)` answers a frame with a frame: here, the refusal with the probe
    return;
  }
  if (id === PROBE_ID) {
    if (message === 'Authentication required') sink.authFailed(REFUSED);
    else sink.greeting(); // the server does not require authentication: the token was not needed
    return;
  }
  const mark = id.indexOf(SUB);
  if (mark > 0) {
    if (value.success) sink.subscribed(id.slice(0, mark));
    else sink.serverError('subscribe_failed', message, id.slice(0, mark));
    return;
  }
  const error = value.success ? undefined : { code: 'error', message };
  if (sink.response(id, false, value.success, value.result, error)) return;
  // "init": Server at capacity; "unknown": the server could not read a command
  if (!value.success) sink.serverError(id, message);
  else sink.error(new DecodeError('invalid_message', `a response to ${shown(id.slice(0, 80))}, no request's`));
}

/**
 * forge_reasoning (oldnordic/forge, `forge-reasoning/src/websocket.rs`; seed 002): commands
 * `{id, method, params}` answered `{id, success, result, error}` (the error a string);
 * `authenticate` with `params.token` first on every connection when a token is given (the
 * link opens on its answer). A refusal from a server that does not require authentication
 * (its default, which refuses every token) opens the link anyway; one from a server that
 * does stops with `AuthError`. `subscribe` by `params.session_id` (give
 * `filters: { session_id }`; the answer confirms it); events `{event_type, data}`. No
 * unsubscribe command (a handle stops locally), no replay (`gap`). Liveness: WebSocket pings
 * in Node, an unknown command (always answered) in browsers. `params` defaults to `{}`.
 *
 * @example
 * ```ts
 * import { forge } from 'eventwire/dialects';
 * const client = createClient({ url: 'ws://127.0.0.1:9000', token: 'secret', dialect: forge() });
 * const metrics = await client.request('metrics');
 * client.subscribe('checkpoint_created', { filters: { session_id: sid } }).on((ev) => log(ev.data));
 * ```
 */
export function forge(...args: []): Dialect {
  noOptions('forge', args);
  return builtin({
    name: 'forge',
    params: () => [],
    tokenIn: 'message',
    greeting: 'auth',
    greetingGrace: 0,
    liveness: { mode: 'ws', fallback: { mode: 'client' } },
    confirms: true,
    resume: 'none',
    read: readForge,
    auth: (token) => ({ id: AUTH_ID, method: 'authenticate', params: { token } }),
    subscribe(spec) {
      const sessions = filterValues(spec, 'session_id');
      if (sessions.length === 0) return undefined;
      return sessions.map((session_id, n) => ({
        id: `${spec.id}${SUB}${n}`,
        method: 'subscribe',
        params: { session_id },
      }));
    },
    unsubscribe: none,
    ping: () => PING,
    ack: none,
    request: (id, method, params) => ({ id, method, params: params ?? {} }),
    close: closeTable({}),
  });
}
