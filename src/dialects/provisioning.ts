import type { Filters } from '../protocol/filters.js';
import type { Dialect, DialectSink, SubscriptionSpec } from './dialect.js';
import { readEventwire } from './eventwire-read.js';
import { builtin } from './guard.js';
import { closeTable, isObject, namesOnlyIn, negotiation, none, tokenParam } from './shared.js';

/**
 * Provisioning batches carry one timestamp for the frame; a member without its own takes it.
 */
function readProvisioning(value: unknown, sink: DialectSink): void {
  if (isObject(value) && value.type === 'batch' && typeof value.timestamp === 'string' && Array.isArray(value.events)) {
    for (const member of value.events)
      if (isObject(member) && member.timestamp === undefined) member.timestamp = value.timestamp;
  }
  readEventwire(value, sink);
}

/** What the server filters on: top-level `data` keys and `since` (deeper paths stay client-side). */
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

/**
 * The Provisioning platform orchestrator (seed 003): `?token=&events=&batch_size=&compression=`,
 * `{event_type, timestamp, data, metadata}` events, batches, gzip, `subscribe`/`unsubscribe`
 * by event names with filters, client pings, close 4001 and 1008 (refresh the token), an HTTP
 * 401 answer to the upgrade (stop). The server confirms nothing and keeps one union of
 * subscriptions per connection; it resumes by time (`filters.since`).
 *
 * @example
 * ```ts
 * import { provisioning } from 'eventwire/dialects';
 * const client = createClient({ url: 'ws://localhost:9090/ws', token: getJwt, dialect: provisioning() });
 * client.subscribe('LogEntry', { filters: { level: ['ERROR', 'WARN'] } }).on((ev) => show(ev.data));
 * ```
 */
export function provisioning(): Dialect {
  return builtin({
    name: 'provisioning',
    params(context) {
      const params = tokenParam(context.token);
      if (context.events) params.push(['events', context.events.join(',')]);
      return negotiation(params, context);
    },
    tokenIn: 'query',
    greeting: 'none',
    greetingGrace: 0,
    liveness: { mode: 'client' },
    confirms: false,
    resume: 'time',
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
    ack: none,
    request: none,
    close: closeTable({ 1008: 'refresh' }),
  });
}
