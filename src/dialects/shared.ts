import { words } from '#words';
import { DecodeError } from '../errors/errors.js';
import type { CloseAction } from '../protocol/close-codes.js';
import { closeAction } from '../protocol/close-codes.js';
import type { EventwireEvent } from '../protocol/event.js';
import { utf8Length } from '../protocol/utf8.js';
import type { SubscriptionSpec } from './dialect.js';

/** @internal A hook for a message the server has no counterpart of. */
export const none = (): undefined => undefined;

/** @internal The token on the URL, as `?token=` (every dialect here that takes it so names it). */
export const tokenParam = (token: string | undefined): Array<[string, string]> =>
  token === undefined ? [] : [['token', token]];

/** @internal Query parameters that ask for gzip and batches, as protocol v1 and Provisioning name them. */
export function negotiation(
  params: Array<[string, string]>,
  context: { compression: boolean; batchSize: number | undefined; batchInterval: number | undefined },
): Array<[string, string]> {
  if (context.compression) params.push(['compression', 'true']);
  if (context.batchSize !== undefined) params.push(['batch_size', String(context.batchSize)]);
  if (context.batchInterval !== undefined) params.push(['batch_interval', String(context.batchInterval)]);
  return params;
}

/** @internal A JSON object. */
export type Obj = Record<string, unknown>;

/** @internal */
export const isObject = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * @internal Whether a message is protocol v1's greeting as the reference server sends it, `{type: 'welcome',
 * session_id, protocol}` (mdb's messages all carry `app_slug`: one named `welcome` is the app's): no other server
 * eventwire speaks sends one, so the dialects of those servers refuse it (it names the server at once: see
 * `MismatchWatch`), where it would have been read as an event named `welcome`.
 */
export const isV1Welcome = (v: Obj): boolean =>
  v.type === 'welcome' && typeof v.session_id === 'string' && typeof v.protocol === 'number' && !('app_slug' in v);

/** @internal The `cause` of {@link V1_WELCOME}'s refusals: how `MismatchWatch` knows one (and stops the client). */
export const V1_SEEN = Object.freeze({ seen: "protocol v1's welcome" });

/** @internal The refusal of {@link isV1Welcome}'s greeting, by a dialect of another server. */
export const V1_WELCOME = () =>
  new DecodeError({
    reason: 'unknown_type',
    message: words ? "protocol v1's welcome, not this server's" : 'v1 welcome',
    cause: V1_SEEN,
  });

/** @internal A non-empty string. */
export const isName = (v: unknown): v is string => typeof v === 'string' && v.length > 0;

/** @internal The longest `message_id` an event may carry, in UTF-8 bytes (PROTOCOL.md §8). */
export const MAX_MESSAGE_ID_BYTES = 256;

/** @internal Why an ack id over {@link MAX_MESSAGE_ID_BYTES} is refused (its facts alone in a browser production bundle). */
export const MESSAGE_ID_TOO_LONG = words
  ? `message_id must be at most ${MAX_MESSAGE_ID_BYTES} bytes (UTF-8)`
  : `message_id over ${MAX_MESSAGE_ID_BYTES} bytes`;

/** @internal Is `v` a usable ack id: a non-empty string of at most {@link MAX_MESSAGE_ID_BYTES} UTF-8 bytes? */
export const isMessageId = (v: unknown): v is string =>
  typeof v === 'string' &&
  v.length > 0 &&
  v.length <= MAX_MESSAGE_ID_BYTES &&
  (v.length * 3 <= MAX_MESSAGE_ID_BYTES || utf8Length(v) <= MAX_MESSAGE_ID_BYTES);

/**
 * @internal What is wrong with the ack id of a message that asks for an ack (`requires_ack: true`),
 * or undefined: a dialect reports it as a `DecodeError` (`invalid_event`) and drops the event.
 */
export function ackIdProblem(message: Obj): string | undefined {
  if (message.requires_ack !== true || isMessageId(message.message_id)) return undefined;
  return typeof message.message_id === 'string' && message.message_id.length > 0
    ? MESSAGE_ID_TOO_LONG
    : words
      ? 'an event with requires_ack needs a non-empty string message_id'
      : 'requires_ack without message_id';
}

/**
 * @internal An event for a dialect whose messages carry no `event_type` envelope. The
 * timestamp is the server's when the message has one, else the time it was read (ISO).
 */
export function eventOf(name: string, data: unknown, message: Obj, metadata?: Record<string, unknown>): EventwireEvent {
  const event: EventwireEvent = {
    event_type: name,
    timestamp: typeof message.timestamp === 'string' ? message.timestamp : new Date().toISOString(),
    data,
  };
  if (metadata) event.metadata = metadata;
  if (message.requires_ack === true && isMessageId(message.message_id)) {
    event.requires_ack = true;
    event.message_id = message.message_id;
  }
  return event;
}

/** @internal The close table of servers that refuse the upgrade with HTTP 401/403, plus `extra` codes. */
export function closeTable(extra: Record<number, CloseAction>) {
  return (code: number, status: number | undefined): CloseAction =>
    status === 401 || status === 403 ? 'auth' : (extra[code] ?? closeAction(code));
}

/** @internal The event names that no other subscription wants (for servers that keep a union). */
export function namesOnlyIn(spec: SubscriptionSpec, others: readonly SubscriptionSpec[]): string[] {
  const kept = new Set<string>();
  for (const other of others) if (other.id !== spec.id) for (const name of other.events) kept.add(name);
  return spec.events.filter((name) => !kept.has(name));
}

/** @internal The values of one filter key, as a list (a scalar is a list of one). */
export function filterValues(spec: SubscriptionSpec, key: string): string[] {
  const value = spec.filters[key];
  if (value === undefined) return [];
  return (Array.isArray(value) ? value : [value]).filter((v): v is string => typeof v === 'string');
}
