import type { Filters } from '../protocol/filters.js';
import type { Dialect, DialectSink, SubscriptionSpec } from './dialect.js';
import { readEventwire } from './eventwire-read.js';
import { builtin } from './guard.js';
import { noOptions } from './options.js';
import { closeTable, isObject, namesOnlyIn, negotiation, none, tokenParam } from './shared.js';

/**
 * Provisioning batches carry one timestamp for the frame in the document (seed 003, "Message
 * Batching"); a member without its own takes it. The server's code sends `{type, events}`
 * only, each member with its own timestamp, and then nothing changes.
 */
function readProvisioning(value: unknown, sink: DialectSink): void {
  if (isObject(value) && value.type === 'batch' && typeof value.timestamp === 'string' && Array.isArray(value.events)) {
    for (const member of value.events)
      if (isObject(member) && member.timestamp === undefined) member.timestamp = value.timestamp;
  }
  readEventwire(value, sink);
}

/** What the server is sent as filters: top-level `data` keys and `since` (deeper paths stay client-side). */
function serverFilters(spec: SubscriptionSpec): Filters | undefined {
  let filters: Filters | undefined;
  for (const [key, value] of Object.entries(spec.filters)) {
    if (key.includes('.')) continue;
    filters ??= {};
    filters[key] = value;
  }
  if (spec.since !== undefined) {
    filters ??= {};
    filters.since = spec.since;
  }
  return filters;
}

/** The upgrade's answers and close codes (seed 003). */
const close = closeTable({
  1008: 'refresh', // the document's client: "Policy violation, check token" → refreshTokenAndReconnect
  4001: 'refresh', // the document's client: "Custom: Token expired" → refreshTokenAndReconnect
});

/**
 * The Provisioning platform orchestrator (seed 003), as its Axum handler reads: `?token=`
 * (required; an invalid one is HTTP 401, a missing one HTTP 400), `batch_size` (sent as 1
 * unless the `batchSize` option says otherwise, because the server flushes a batch only when it
 * is full), `compression`; every frame `{type:"batch", events}` of
 * `{event_type, timestamp, data, metadata}` events. The server's `subscribe` handler is empty
 * and `?events=` is fixed for the socket's life, so the client asks for every event and
 * filters itself: a name subscribed after connecting arrives at once. It ignores
 * `{type:"ping"}`: liveness is WebSocket pings in Node, and in browsers JSON pings whose
 * silence counts once the server has answered one. Nothing is confirmed. A reconnect asks for
 * `filters.since` the last delivered time, as the document describes, and removes the replayed
 * copies of what was delivered; the seed's code never reads `since`, so until a server is seen
 * to replay, every reconnect emits `gap` with `since`. Event names with a comma are refused
 * (`FilterError`).
 *
 * @example
 * ```ts
 * import { provisioning } from 'eventwire/dialects';
 * const client = createClient({ url: 'ws://localhost:9090/ws', token: getJwt, dialect: provisioning() });
 * client.subscribe('LogEntry', { filters: { level: ['ERROR', 'WARN'] } }).on((ev) => show(ev.data));
 * ```
 */
export function provisioning(...args: []): Dialect {
  noOptions('provisioning', args);
  return builtin({
    name: 'provisioning',
    params(context) {
      // No `events=`: the server reads it once, at the upgrade (the client filters every event).
      const params = tokenParam(context.token);
      negotiation(params, context);
      if (context.batchSize === undefined) params.push(['batch_size', '1']);
      return params;
    },
    tokenIn: 'query',
    greeting: 'none',
    greetingGrace: 0,
    liveness: { mode: 'ws', fallback: { mode: 'client', provenOnly: true } },
    confirms: false,
    resume: 'time', // the document's `filters.since`; the seed's code never reads it: `gap {since}` until a replay is seen
    rateLimit: { messages: 100, per: 1000 }, // seed 003: 100 messages a second per connection
    read: readProvisioning,
    auth: (token) => ({ type: 'auth', token }),
    subscribe(spec) {
      const filters = serverFilters(spec);
      return filters
        ? { type: 'subscribe', events: [...spec.events], filters }
        : { type: 'subscribe', events: [...spec.events] };
    },
    unsubscribe(spec, others) {
      const names = namesOnlyIn(spec, others);
      return names.length > 0 ? { type: 'unsubscribe', events: names } : undefined;
    },
    ping: () => ({ type: 'ping' }),
    checkName: (name) =>
      name.includes(',')
        ? `the provisioning server splits its event filter on commas: no event name can contain one (${JSON.stringify(name)})`
        : undefined,
    ack: none,
    request: none,
    close(code, status) {
      // HTTP 400: Axum's Query extractor refused the URL; the only field the client can miss is `token`.
      return status === 400 ? 'auth' : close(code, status);
    },
  });
}
