import { closeAction } from '../core/decide.js';
import type { Dialect, SubscriptionSpec } from './dialect.js';
import { readEventwire } from './eventwire-read.js';
import { builtin } from './guard.js';

const PING = { type: 'ping' };

/** @internal Query parameters that ask for gzip and batches, as protocol v1 (and Provisioning) names them. */
export function negotiation(
  params: Array<[string, string]>,
  context: { compression: boolean; batchSize: number | undefined; batchInterval: number | undefined },
): Array<[string, string]> {
  if (context.compression) params.push(['compression', 'true']);
  if (context.batchSize !== undefined) params.push(['batch_size', String(context.batchSize)]);
  if (context.batchInterval !== undefined) params.push(['batch_interval', String(context.batchInterval)]);
  return params;
}

/** @internal An HTTP 401 or 403 answer to the upgrade: the credentials were refused. */
export const refusedUpgrade = (status: number | undefined) => status === 401 || status === 403;

/** @internal Protocol v1's subscribe message, which the Provisioning dialect shares but for the id. */
export function subscribeMessage(spec: SubscriptionSpec, withId: boolean): Record<string, unknown> {
  const message: Record<string, unknown> = withId
    ? { type: 'subscribe', id: spec.id, events: [...spec.events] }
    : { type: 'subscribe', events: [...spec.events] };
  if (Object.keys(spec.filters).length > 0) message.filters = spec.filters;
  if (spec.since !== undefined) message.since = spec.since;
  return message;
}

const EVENTWIRE: Dialect = builtin({
  name: 'eventwire',
  params: (context) => negotiation(context.token === undefined ? [] : [['token', context.token]], context),
  tokenIn: 'query',
  greeting: 'optional',
  greetingGrace: 1_000,
  liveness: { mode: 'client' },
  confirms: true,
  resume: 'seq',
  read: readEventwire,
  auth: (token) => ({ type: 'auth', token }),
  subscribe: (spec) => subscribeMessage(spec, true),
  unsubscribe: (spec) => ({ type: 'unsubscribe', id: spec.id }),
  ping: () => PING,
  ack: (messageId) => ({ type: 'ack', message_id: messageId }),
  request: (id, method, params) => (params === undefined ? { id, method } : { id, method, params }),
  close: (code, status) => (refusedUpgrade(status) ? 'auth' : closeAction(code)),
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
