import { DecodeError } from '../errors/errors.js';
import type { EventwireEvent } from '../protocol/event.js';
import type { Dialect, DialectSink, SubscriptionSpec } from './dialect.js';
import { builtin } from './guard.js';
import { dialectOptions } from './options.js';
import {
  closeTable,
  filterValues,
  isName,
  isObject,
  isV1Welcome,
  none,
  type Obj,
  tokenParam,
  V1_WELCOME,
} from './shared.js';

/** Options of {@link mdb}. @example `mdb({ pingInterval: 30_000 })` */
export interface MdbOptions {
  /** The endpoint's `ping_interval` (ms), for browsers, which cannot send WebSocket pings. @default 30000 */
  pingInterval?: number;
}

/** `datetime.utcnow().isoformat()`: UTC with no zone (websockets.py 164, 233, 709). */
const NAIVE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?$/;

/** A timestamp as ISO with its zone: a naive one is UTC, so it gets `Z`. */
const utc = (t: unknown): string | undefined => (typeof t === 'string' ? (NAIVE.test(t) ? `${t}Z` : t) : undefined);

/** The most echoes awaited at once (a server that never echoes costs no more than this). */
const MAX_AWAITED = 64;

/**
 * An event from any `{type, ...}` message: `data` is the message's `data`, or the message
 * itself when it has none; every other field (`app_slug`, `channel`, `data_type`, `user_id`...)
 * is in `metadata`, so nothing the server sends is out of a handler's reach.
 */
function eventOf(message: Obj & { type: string }): EventwireEvent {
  const { type, data, timestamp, ...rest } = message;
  return {
    event_type: type,
    timestamp: utc(timestamp) ?? new Date().toISOString(),
    data: 'data' in message ? data : message,
    metadata: rest,
  };
}

/**
 * mdb_engine 0.1.6 (ranfysvalle02/mdb-engine, `mdb_engine/routing/websockets.py`; PROTOCOL.md
 * §11 cites each line). The endpoint is the manifest's `path` as written (the chit_chat
 * example's is `/ws`); the engine accepts, then reads the token from `?token=`, else the
 * cookie `ws_token`, else the cookie `token` (in Node, send a cookie with the `headers`
 * option; browsers send theirs). No token: close 1008, which stops with `AuthError`. A token
 * that fails to decode (bad signature, expired): the engine drops the socket with no close
 * frame (1006), which eventwire retries with backoff. An HTTP 403 answer to the upgrade is
 * Starlette's for a path with no route as much as a refusal: the `AuthError` says so.
 *
 * The `{type:"connected"}` greeting opens the link (it carries no session id: `sessionId`
 * stays undefined) and is also an event named `connected` (`authenticated`, `user_email` in
 * its data). Every message is an event named by its `type`, `data` its `data` (or the whole
 * message), the other fields in `metadata`; the engine's naive UTC timestamps get their `Z`.
 * The engine has no channels: `subscribe()` with `filters: { 'metadata.channel': name }`
 * sends the app's `{type:"subscribe", channel}`, and the app's `subscribed`/`unsubscribed`
 * answering this client's own frames are consumed; any other (another client's, broadcast to
 * all), and `pong`, `error` (listen with `subscribe('error')` or `on('message')`:
 * `on('error')` is the client's own) and the rest of the app's types are events. Keepalive:
 * WebSocket pings in Node; in browsers the engine's `{type:"ping"}` after `pingInterval` of
 * silence, answered `{type:"pong"}` as the example client does. No replay. Each client gets
 * its own copy (it remembers the echoes its client awaits), so one `mdb()` may serve several.
 *
 * @example
 * ```ts
 * import { mdb } from 'eventwire/dialects';
 * const client = createClient({ url: 'ws://localhost:8000/ws', token, dialect: mdb() });
 * client.on('item_created', (ev) => add(ev.data));
 * // Node, the engine's cookie instead of the query: headers: { cookie: `ws_token=${jwt}` }
 * ```
 */
export function mdb(options?: MdbOptions): Dialect {
  const { pingInterval = 30_000 } = dialectOptions('mdb', options, 'pingInterval');
  const channelOf = (spec: SubscriptionSpec) => filterValues(spec, 'metadata.channel')[0];
  /** Channels this client subscribed whose `subscribed` echo has not come yet, and unsubscribes likewise. */
  const awaited = { subscribed: [] as string[], unsubscribed: [] as string[] };
  const await_ = (list: string[], channel: string) => {
    list.push(channel);
    if (list.length > MAX_AWAITED) list.shift();
  };
  /** Whether `message` is the echo of a frame this client sent (then it is consumed). */
  const answers = (list: string[], message: Obj): boolean => {
    const i = typeof message.channel === 'string' ? list.indexOf(message.channel) : list.length ? 0 : -1;
    if (i < 0) return false;
    list.splice(i, 1);
    return true;
  };
  function read(value: unknown, sink: DialectSink): void {
    if (!isObject(value) || !isName(value.type)) {
      sink.error(new DecodeError({ reason: 'no_event_name', message: 'a message needs a string type' }));
      return;
    }
    const message = value as Obj & { type: string };
    switch (message.type) {
      case 'connected':
        awaited.subscribed.length = 0; // a new connection: echoes for the old one will not come
        awaited.unsubscribed.length = 0;
        sink.greeting(); // no connection id in it (websockets.py 701-711)
        sink.event(eventOf(message));
        return;
      case 'welcome':
        if (isV1Welcome(message)) return void sink.error(V1_WELCOME());
        sink.event(eventOf(message));
        return;
      case 'ping':
        sink.ping({ type: 'pong' }); // the engine ignores the pong (575-576); the example client sends it
        return;
      case 'subscribed':
        if (!answers(awaited.subscribed, message)) sink.event(eventOf(message));
        return;
      case 'unsubscribed':
        if (!answers(awaited.unsubscribed, message)) sink.event(eventOf(message));
        return;
      default:
        sink.event(eventOf(message));
    }
  }
  return builtin(
    {
      name: 'mdb',
      params: ({ token }) => tokenParam(token),
      tokenIn: 'query',
      greeting: 'required', // the engine always greets once authenticated (websockets.py 701-711)
      greetingGrace: 0,
      liveness: { mode: 'ws', fallback: { mode: 'server', interval: pingInterval } },
      confirms: false,
      resume: 'none',
      read,
      auth: (token) => ({ type: 'auth', token }),
      subscribe(spec) {
        const channel = channelOf(spec);
        if (channel === undefined) return undefined;
        await_(awaited.subscribed, channel);
        return { type: 'subscribe', channel };
      },
      unsubscribe(spec, others) {
        const channel = channelOf(spec);
        if (channel === undefined || others.some((o) => o.id !== spec.id && channelOf(o) === channel)) return undefined;
        await_(awaited.unsubscribed, channel);
        return { type: 'unsubscribe', channel };
      },
      ping: none,
      ack: none,
      request: none,
      close: closeTable({ 1008: 'auth' }),
    },
    () => mdb(options),
  );
}
