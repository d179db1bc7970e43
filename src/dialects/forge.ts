import { DecodeError } from '../errors/errors.js';
import type { Dialect, DialectSink } from './dialect.js';
import { builtin } from './guard.js';
import { closeTable, eventOf, filterValues, isName, isObject, none } from './shared.js';

/** The id of the `authenticate` command (one per connection). */
const AUTH_ID = 'eventwire-auth';
/** Subscribe commands are `${subscription id}#${n}`: their answers confirm the subscription. */
const SUB = '#';

function readForge(value: unknown, sink: DialectSink): void {
  if (!isObject(value)) {
    sink.error(new DecodeError('not_object', 'a message must be a JSON object'));
    return;
  }
  if (isName(value.event_type)) {
    const data = value.data;
    sink.event(eventOf(value.event_type, data, isObject(data) ? data : value));
    return;
  }
  if (typeof value.id !== 'string' || typeof value.success !== 'boolean') {
    sink.error(new DecodeError('unknown_type', 'neither an event nor a response'));
    return;
  }
  const id = value.id;
  const message = typeof value.error === 'string' ? value.error : 'request failed';
  if (id === AUTH_ID) {
    if (value.success) sink.greeting();
    else sink.authFailed(message);
    return;
  }
  const mark = id.indexOf(SUB);
  if (mark > 0) {
    if (value.success) sink.subscribed(id.slice(0, mark));
    else sink.serverError('subscribe_failed', message, id.slice(0, mark));
    return;
  }
  const error = value.success ? undefined : { code: 'error', message };
  if (!sink.response(id, false, value.success, value.result, error) && !value.success) {
    sink.serverError(id, message); // "init": Server at capacity; "unknown": the server could not read a command
  }
}

/**
 * forge_reasoning (seed 002): commands `{id, method, params}` answered `{id, success,
 * result, error}` (the error a string); `authenticate` with `params.token` first on every
 * connection (the link opens on its answer; a refusal stops with `AuthError`); `subscribe`
 * by `params.session_id` (give `filters: { session_id }`; the answer confirms it); events
 * `{event_type, data}`. No unsubscribe command (a handle stops locally), no replay (`gap`),
 * WebSocket pings for liveness in Node (none in browsers). `params` defaults to `{}`.
 *
 * @example
 * ```ts
 * import { forge } from 'eventwire/dialects';
 * const client = createClient({ url: 'ws://127.0.0.1:9000', token: 'secret', dialect: forge() });
 * const metrics = await client.request('metrics');
 * client.subscribe('checkpoint_created', { filters: { session_id: sid } }).on((ev) => log(ev.data));
 * ```
 */
export function forge(): Dialect {
  return builtin({
    name: 'forge',
    params: () => [],
    tokenIn: 'message',
    greeting: 'auth',
    greetingGrace: 0,
    liveness: { mode: 'ws', fallback: { mode: 'none' } },
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
    ping: none,
    ack: none,
    request: (id, method, params) => ({ id, method, params: params ?? {} }),
    close: closeTable({}),
  });
}
