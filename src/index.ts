export type { Codec, DecodeFlags } from './codec/codec.js';
export type { Inflate } from './codec/gzip.js';
export { type JsonCodecOptions, jsonCodec } from './codec/json.js';
export { type BackoffPolicy, backoff, backoffCeiling, DEFAULT_BACKOFF, type Jitter } from './core/backoff.js';
export { type Client, type ClientStats, createClient, type SendResult } from './core/client.js';
export { type Clock, systemClock } from './core/clock.js';
export type { RetryContext } from './core/decide.js';
export {
  type CloseAction,
  type CloseFacts,
  closeAction,
  type Decision,
  decide,
  type RetryPolicy,
} from './core/decide.js';
export type { AckableEvent, AckMode } from './core/delivery.js';
export type { Listener, TypedEmitter } from './core/emitter.js';
export type { HeartbeatOptions } from './core/heartbeat.js';
export type { Logger, LogLevel } from './core/logger.js';
export type {
  AckHandles,
  ClientOptions,
  ConnectionState,
  EventSchemas,
  InitialListeners,
  LifecycleEvents,
  ServerEvent,
  ServerEventName,
} from './core/options.js';
export type { RateLimitStats } from './core/outbox.js';
export type { RateLimit } from './core/rate.js';
export type { RequestOptions } from './core/requests.js';
export { browserSignals, type NetworkSignal, type NetworkSignals } from './core/signals.js';
export type {
  OverflowPolicy,
  SubscribeOptions,
  Subscription,
  SubscriptionEvents,
  SubscriptionState,
} from './core/subscription.js';
export type { Dialect, DialectSink, Liveness, SubscriptionSpec } from './dialects/dialect.js';
export * from './errors/index.js';
export { CloseCode, type CloseCodeValue } from './protocol/close-codes.js';
export type { EventwireEvent } from './protocol/event.js';
export type { FilterScalar, Filters } from './protocol/filters.js';
export type { StandardSchemaV1 } from './protocol/standard-schema.js';
export type * from './protocol/types.js';
export { PROTOCOL_VERSION } from './protocol/version.js';
export type { ShareStats } from './share/option.js';
export type { Transport, TransportConfig, TransportEvents, TransportFactory } from './transport/transport.js';
export { createWebSocketTransport } from './transport/websocket.js';
