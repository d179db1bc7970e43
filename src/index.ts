export { type Client, createClient } from './client.js';
export type { Codec, DecodeFlags } from './codec/codec.js';
export type { Inflate } from './codec/gzip.js';
export type { JsonCodecOptions } from './codec/json.js';
export { jsonCodec } from './codec/json-checked.js';
export type { BackoffPolicy, Jitter } from './core/link/backoff.js';
export type { RetryContext } from './core/link/decide.js';
export type { HeartbeatOptions } from './core/link/heartbeat.js';
export type { NetworkSignal, NetworkSignals } from './core/link/signals.js';
export type { RateLimitStats } from './core/outbox/outbox.js';
export type { RequestOptions } from './core/outbox/requests.js';
export type { AckableEvent, AckMode } from './core/streams/delivery.js';
export type { OverflowPolicy } from './core/streams/iterator.js';
export type {
  SubscribeOptions,
  Subscription,
  SubscriptionEvents,
  SubscriptionState,
} from './core/streams/subscription.js';
export type { Clock } from './core/util/clock.js';
export type { Listener, TypedEmitter } from './core/util/emitter.js';
export type { Logger, LogLevel } from './core/util/logger.js';
export type { ClientMetrics } from './core/util/metrics.js';
export type { Dialect, DialectSink, Liveness, SubscriptionSpec } from './dialects/dialect.js';
export * from './errors/index.js';
export type { ClientOptions } from './options.js';
export type { CloseAction } from './protocol/close-codes.js';
export type { EventwireEvent } from './protocol/event.js';
export type { FilterKey, FilterScalar, Filters, FiltersOf } from './protocol/filters.js';
export type { RateLimit } from './protocol/rate-limit.js';
export type { StandardSchemaV1 } from './protocol/standard-schema.js';
export type * from './protocol/types.js';
export type { Transport, TransportConfig, TransportEvents, TransportFactory } from './transport/transport.js';
export { createWebSocketTransport } from './transport/websocket.js';
export type {
  AckHandles,
  ClientStats,
  ConnectionState,
  EventSchemas,
  InitialListeners,
  LifecycleEvents,
  SendResult,
  ServerEvent,
  ServerEventName,
  ShareStats,
} from './types.js';
