import { DecodeError } from '../errors/errors.js';
import type { Dialect, DialectSink } from './dialect.js';
import { builtin } from './guard.js';
import { closeTable, eventOf, filterValues, isName, isObject, none, tokenParam } from './shared.js';

/** Options of {@link mdb}. @example `mdb({ pingInterval: 30_000 })` */
export interface MdbOptions {
  /** The endpoint's `ping_interval` (ms), for browsers, which cannot send WebSocket pings. @default 30000 */
  pingInterval?: number;
}

function readMdb(value: unknown, sink: DialectSink): void {
  if (!isObject(value) || !isName(value.type)) {
    sink.error(new DecodeError('no_event_name', 'a message needs a string type'));
    return;
  }
  switch (value.type) {
    case 'connected':
      sink.greeting(typeof value.connection_id === 'string' ? value.connection_id : undefined);
      return;
    case 'ping':
      sink.ping(); // the engine's keepalive: it asks for no answer
      return;
    case 'pong':
      sink.pong();
      return;
    case 'subscribed':
    case 'unsubscribed':
      return; // broadcast to every connection of the app: nothing to confirm
    case 'error':
      sink.serverError('error', typeof value.message === 'string' ? value.message : 'server error');
      return;
    default: {
      let metadata: Record<string, unknown> | undefined;
      if (typeof value.app_slug === 'string') metadata = { app_slug: value.app_slug };
      if (typeof value.channel === 'string') metadata = { ...metadata, channel: value.channel };
      sink.event(eventOf(value.type, 'data' in value ? value.data : value, value, metadata));
    }
  }
}

/**
 * mdb_engine 0.1.6 (seed 004): `{type, ...}` messages with `app_slug` (an event's `data` is
 * the message's `data`, or the message itself), a `{type:"connected"}` greeting (optional),
 * the token in `?token=` (or a cookie), keepalive pings from the server every 30 s that
 * restart on every frame the client sends: in Node liveness uses WebSocket pings, in browsers
 * the server's own. `subscribe`/`unsubscribe` carry a `channel`
 * (give `filters: { 'metadata.channel': name }`; a message's `channel` and `app_slug` are in
 * `metadata`); the server echoes them to every connection, so nothing confirms a
 * subscription. No replay.
 *
 * @example
 * ```ts
 * import { mdb } from 'eventwire/dialects';
 * const client = createClient({ url: 'ws://localhost:8000/my_app/ws', token, dialect: mdb() });
 * client.on('item_created', (ev) => add(ev.data));
 * ```
 */
export function mdb(options: MdbOptions = {}): Dialect {
  const channelOf = (spec: Parameters<Dialect['subscribe']>[0]) => filterValues(spec, 'metadata.channel')[0];
  return builtin({
    name: 'mdb',
    params: ({ token }) => tokenParam(token),
    tokenIn: 'query',
    greeting: 'optional',
    greetingGrace: 1_000,
    liveness: { mode: 'ws', fallback: { mode: 'server', interval: options.pingInterval ?? 30_000 } },
    confirms: false,
    resume: 'none',
    read: readMdb,
    auth: (token) => ({ type: 'auth', token }),
    subscribe(spec) {
      const channel = channelOf(spec);
      return channel === undefined ? undefined : { type: 'subscribe', channel };
    },
    unsubscribe(spec, others) {
      const channel = channelOf(spec);
      if (channel === undefined || others.some((o) => o.id !== spec.id && channelOf(o) === channel)) return undefined;
      return { type: 'unsubscribe', channel };
    },
    ping: none,
    ack: none,
    request: none,
    close: closeTable({ 1008: 'auth' }),
  });
}
