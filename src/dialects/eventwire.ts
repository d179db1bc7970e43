import { SUBPROTOCOL } from '../protocol/version.js';
import type { Dialect, SubscriptionSpec } from './dialect.js';
import { readEventwire } from './eventwire-read.js';
import { builtin } from './guard.js';
import { noOptions } from './options.js';
import { closeTable, negotiation, tokenParam } from './shared.js';

const PING = { type: 'ping' };

/** Protocol v1's subscribe message: its id, names, filters and resume point. */
function subscribeMessage(spec: SubscriptionSpec): Record<string, unknown> {
  const message: Record<string, unknown> = { type: 'subscribe', id: spec.id, events: [...spec.events] };
  if (Object.keys(spec.filters).length > 0) message.filters = spec.filters;
  if (spec.since !== undefined) message.since = spec.since;
  return message;
}

const V1: Dialect = {
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
};
/**
 * @internal Protocol v1, the dialect of a client that names none (what {@link eventwire} returns: the
 * client takes it as it is, without the factory's check of its arguments).
 */
// offered, and not enumerable: a dialect made by spreading eventwire() speaks another format
export const EVENTWIRE = builtin(Object.defineProperty(V1, 'protocols', { value: Object.freeze([SUBPROTOCOL]) }));

/**
 * eventwire's own protocol v1 (PROTOCOL.md), the default dialect: `event_type` envelopes
 * with seqs, `welcome` (it sets the session id and heartbeat interval), confirmed
 * subscriptions that resume after a seq, acks, requests by id, client pings, batches and gzip.
 * It offers the subprotocol `eventwire.v1`: a server that selects it always greets, so `open`
 * waits for the `welcome` (or the refusal); a server that selects none is not a v1 server and
 * the client stops with a `DialectMismatchError`. A server reached without the subprotocol
 * (a transport that offers none) gets the old rule: the `welcome`, else the first frame,
 * else 1 s of silence opens the link. It takes no options: `eventwire({ token })` is an
 * `OptionsError` (the token and the like are createClient()'s).
 *
 * @default the dialect of every client that names none
 * @example
 * ```ts
 * import { eventwire } from 'eventwire/dialects';
 * createClient({ url, dialect: eventwire() });
 * ```
 */
export function eventwire(...args: []): Dialect {
  noOptions('eventwire', args);
  return EVENTWIRE;
}
