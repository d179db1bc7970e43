import type { Dialect, SubscriptionSpec } from './dialect.js';
import { readEventwire } from './eventwire-read.js';
import { builtin } from './guard.js';
import { closeTable, negotiation, tokenParam } from './shared.js';

const PING = { type: 'ping' };

/** Protocol v1's subscribe message: its id, names, filters and resume point. */
function subscribeMessage(spec: SubscriptionSpec): Record<string, unknown> {
  const message: Record<string, unknown> = { type: 'subscribe', id: spec.id, events: [...spec.events] };
  if (Object.keys(spec.filters).length > 0) message.filters = spec.filters;
  if (spec.since !== undefined) message.since = spec.since;
  return message;
}

const EVENTWIRE: Dialect = builtin({
  name: 'eventwire',
  params: (context) => negotiation(tokenParam(context.token), context),
  tokenIn: 'query',
  greeting: 'optional',
  greetingGrace: 1_000,
  liveness: { mode: 'client' },
  confirms: true,
  resume: 'seq',
  read: readEventwire,
  auth: (token) => ({ type: 'auth', token }),
  subscribe: subscribeMessage,
  unsubscribe: (spec) => ({ type: 'unsubscribe', id: spec.id }),
  ping: () => PING,
  ack: (messageId) => ({ type: 'ack', message_id: messageId }),
  request: (id, method, params) => (params === undefined ? { id, method } : { id, method, params }),
  close: closeTable({}),
});

/**
 * eventwire's own protocol v1 (PROTOCOL.md), the default dialect: `event_type` envelopes
 * with seqs, `welcome` (optional: it sets the session id and heartbeat interval when it
 * comes), confirmed subscriptions that resume after a seq, acks, requests by id, client
 * pings, batches and gzip.
 *
 * @default the dialect of every client that names none
 * @example
 * ```ts
 * import { eventwire } from 'eventwire/dialects';
 * createClient({ url, dialect: eventwire() });
 * ```
 */
export function eventwire(): Dialect {
  return EVENTWIRE;
}
