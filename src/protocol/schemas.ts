/**
 * Wire protocol v1 as zod (mini) schemas, one per message, both directions.
 *
 * Why exported: a server author can validate what they send and receive with the same
 * definitions the SDK is tested against. The client itself does not run zod per frame
 * (see `dialects/eventwire-read.ts` for the hand-written check, which a property test,
 * `test/codec-properties.test.ts`, keeps in agreement with these schemas).
 */
import * as z from 'zod/v4/mini'; // zod 4, or zod 3.25's copy of it: the peer range takes both
import { FiltersSchema } from './filters-schema.js';

export { PROTOCOL_VERSION, SUBPROTOCOL } from './version.js';

/** A string-keyed object; `metadata` and filters use it. */
const record = z.record(z.string(), z.unknown());

/**
 * The longest `message_id`, in UTF-8 bytes (PROTOCOL.md §8): the reader's limit
 * (`MAX_MESSAGE_ID_BYTES` in `dialects/shared.ts`, which protocol/ may not import; a test keeps them equal).
 */
const MAX_MESSAGE_ID_BYTES = 256;
const utf8 = /* @__PURE__ */ new TextEncoder();
/** 1 to 256 UTF-8 bytes; counted only when it could be over (a lone surrogate counts 3, as encoded). */
const isAckId = (id: string) =>
  id.length > 0 &&
  id.length <= MAX_MESSAGE_ID_BYTES &&
  (id.length * 3 <= MAX_MESSAGE_ID_BYTES || utf8.encode(id).length <= MAX_MESSAGE_ID_BYTES);
const ackIdMessage = `message_id must be a string of 1 to ${MAX_MESSAGE_ID_BYTES} bytes (UTF-8)`;

/**
 * An event, server to client. The name is in `event_type` or, in the other dialect, in
 * `type`; at least one of them must be present. An event with `requires_ack: true` needs a
 * `message_id` of 1 to 256 UTF-8 bytes (the client refuses a longer one as `invalid_event`).
 *
 * @example
 * ```ts
 * EventMessageSchema.parse({ event_type: 'LogEntry', timestamp: new Date().toISOString(), data: {}, seq: 1 });
 * ```
 */
export const EventMessageSchema = z
  .looseObject({
    event_type: z.optional(z.string().check(z.minLength(1))),
    type: z.optional(z.string().check(z.minLength(1))),
    timestamp: z.string(),
    data: z.unknown(),
    metadata: z.optional(record),
    seq: z.optional(z.number().check(z.int(), z.nonnegative())),
    message_id: z.optional(z.string().check(z.minLength(1))),
    requires_ack: z.optional(z.boolean()),
  })
  .check(
    z.refine((e) => typeof e.event_type === 'string' || typeof e.type === 'string', {
      message: 'an event needs a name in event_type or type',
    }),
    z.refine((e) => e.requires_ack !== true || (typeof e.message_id === 'string' && isAckId(e.message_id)), {
      message: `an event with requires_ack needs a message_id of 1 to ${MAX_MESSAGE_ID_BYTES} bytes (UTF-8)`,
    }),
  );

/** Several events in one frame, delivered in order. @example `{ type: 'batch', events: [ev1, ev2] }` */
export const BatchMessageSchema = z.object({ type: z.literal('batch'), events: z.array(EventMessageSchema) });

/** Keep-alive probe, either direction. `ts` is optional and echoed in the pong. @example `{ type: 'ping' }` */
export const PingMessageSchema = z.object({ type: z.literal('ping'), ts: z.optional(z.number()) });

/** Answer to a ping, either direction. @example `{ type: 'pong' }` */
export const PongMessageSchema = z.object({ type: z.literal('pong'), ts: z.optional(z.number()) });

/**
 * The server's greeting once the connection is authenticated.
 * `heartbeat_interval` (ms) is the longest silence the server tolerates.
 *
 * @example `{ type: 'welcome', session_id: 's-1', heartbeat_interval: 25000, protocol: 1 }`
 */
export const WelcomeMessageSchema = z.object({
  type: z.literal('welcome'),
  session_id: z.string(),
  heartbeat_interval: z.optional(z.number().check(z.positive())),
  protocol: z.optional(z.number()),
  server_time: z.optional(z.string()),
});

/**
 * Server confirms a subscription. `seq` is the stream head when it was registered; `gap`
 * says which seqs it could not replay (the client emits `gap` on the subscription). The
 * replay, if any, follows this message.
 *
 * @example `{ type: 'subscribed', id: 'sub-1', events: ['LogEntry'], seq: 1200, gap: { from: 1001, to: 1099 } }`
 */
export const SubscribedMessageSchema = z.object({
  type: z.literal('subscribed'),
  id: z.string(),
  events: z.optional(z.array(z.string())),
  seq: z.optional(z.number().check(z.int(), z.nonnegative())),
  gap: z.optional(z.object({ from: z.number(), to: z.number() })),
});

/** Server confirms an unsubscribe. @example `{ type: 'unsubscribed', id: 'sub-1' }` */
export const UnsubscribedMessageSchema = z.object({ type: z.literal('unsubscribed'), id: z.string() });

/** A protocol-level error from the server. @example `{ type: 'error', code: 'bad_filter', message: '...' }` */
export const ErrorMessageSchema = z.object({
  type: z.literal('error'),
  code: z.string(),
  message: z.string(),
  id: z.optional(z.string()),
});

/**
 * The answer to a request, correlated by `id`.
 *
 * @example `{ id: 'r1', success: true, result: { ok: 1 } }` or `{ id: 'r1', success: false, error: { code: 'not_found', message: '...' } }`
 */
export const ResponseMessageSchema = z.object({
  id: z.string(),
  success: z.boolean(),
  result: z.optional(z.unknown()),
  error: z.optional(z.object({ code: z.string(), message: z.string() })),
});

/** Credentials sent as the first message in `message` auth mode. @example `{ type: 'auth', token: 'abc' }` */
export const AuthMessageSchema = z.object({ type: z.literal('auth'), token: z.string() });

export { FiltersSchema } from './filters-schema.js';

/**
 * Client asks for events by name, with optional filters and a resume point.
 *
 * @example `{ type: 'subscribe', id: 'sub-1', events: ['LogEntry'], filters: { level: 'ERROR' } }`
 */
export const SubscribeMessageSchema = z.object({
  type: z.literal('subscribe'),
  id: z.string(),
  events: z.array(z.string()),
  filters: z.optional(FiltersSchema),
  since: z.optional(z.union([z.string(), z.number()])),
});

/** Client ends a subscription. @example `{ type: 'unsubscribe', id: 'sub-1' }` */
export const UnsubscribeMessageSchema = z.object({ type: z.literal('unsubscribe'), id: z.string() });

/** Client acknowledges an event that had `requires_ack` (an id of 1 to 256 UTF-8 bytes). @example `{ type: 'ack', message_id: 'm-9' }` */
export const AckMessageSchema = z.object({
  type: z.literal('ack'),
  message_id: z.string().check(z.refine(isAckId, { message: ackIdMessage })),
});

/** Client calls a server method. @example `{ id: 'r1', method: 'tasks.retry', params: { id: 7 } }` */
export const RequestMessageSchema = z.object({
  id: z.string(),
  method: z.string(),
  params: z.optional(z.unknown()),
});

/** Every message a server may send. @example `ServerMessageSchema.safeParse(JSON.parse(frame))` */
export const ServerMessageSchema = z.union([
  BatchMessageSchema,
  PingMessageSchema,
  PongMessageSchema,
  WelcomeMessageSchema,
  SubscribedMessageSchema,
  UnsubscribedMessageSchema,
  ErrorMessageSchema,
  ResponseMessageSchema,
  EventMessageSchema,
]);

/** Every message a client may send. @example `ClientMessageSchema.safeParse(JSON.parse(frame))` */
export const ClientMessageSchema = z.union([
  AuthMessageSchema,
  PingMessageSchema,
  PongMessageSchema,
  SubscribeMessageSchema,
  UnsubscribeMessageSchema,
  AckMessageSchema,
  RequestMessageSchema,
]);
