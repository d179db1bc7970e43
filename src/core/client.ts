import type { ControlMessage, MessageSink } from '../codec/classify.js';
import { createInbox } from '../codec/inbox.js';
import { EventwireError } from '../errors/base.js';
import {
  AuthError,
  ClosedError,
  FilterError,
  HandlerError,
  ReconnectExhaustedError,
  ServerError,
  TimeoutError,
  TokenProviderError,
} from '../errors/errors.js';
import { parseFilters } from '../protocol/filters.js';
import { createRwsTransport } from '../transport/rws.js';
import type { Transport } from '../transport/transport.js';
import { backoff } from './backoff.js';
import { closeAction } from './close-policy.js';
import { createDelivery, isLifecycleName } from './delivery.js';
import { createEmitter, type Listener } from './emitter.js';
import { createHeartbeat, type Heartbeat } from './heartbeat.js';
import {
  type ClientOptions,
  type ConnectionState,
  type EventSchemas,
  type LifecycleEvents,
  resolveOptions,
  type ServerEvent,
  type ServerEventName,
} from './options.js';
import { createRequestTracker, type RequestOptions } from './requests.js';
import type { NetworkSignal } from './signals.js';
import {
  createSubscription,
  type SubscribeOptions,
  type Subscription,
  type SubscriptionControl,
  type SubscriptionHost,
} from './subscription.js';

/** What `client.send()` did with a message. @example `if (client.send(msg) === 'refused') retryLater()` */
export type SendResult = 'sent' | 'queued' | 'refused';

/** Sizes of the client's bounded structures, for dashboards and leak checks. @example `client.stats().queued` */
export interface ClientStats {
  /** Live subscriptions. */
  subscriptions: number;
  /** Requests awaiting a response (sent or not). */
  pendingRequests: number;
  /** Messages and requests waiting in the outbox for the link to open. */
  queued: number;
  /** Entries in the dedupe windows (bounded by `dedupeWindow`). */
  dedupe: { messageIds: number; seqs: number };
  /** Listeners registered on the client, all events together. */
  listeners: number;
}

/**
 * A connection to an eventwire server.
 *
 * @example
 * ```ts
 * const client = createClient({ url: 'ws://127.0.0.1:8080', token: 'secret' });
 * const off = client.on('LogEntry', (ev) => console.log(ev.data));
 * ```
 */
export interface Client<E extends EventSchemas = EventSchemas> {
  /** The current {@link ConnectionState}. */
  readonly state: ConnectionState;
  /** The session id from the server's `welcome`, while open. */
  readonly sessionId: string | undefined;
  /** The last measured ping round-trip time in ms. */
  readonly rtt: number | undefined;
  /** Adds a listener for a lifecycle event; returns its unsubscribe function. */
  on<K extends keyof LifecycleEvents>(type: K, listener: Listener<LifecycleEvents[K]>): () => void;
  /** Adds a listener for a server event, typed by `options.events`; returns its unsubscribe function. */
  on<K extends ServerEventName<E>>(type: K, listener: Listener<ServerEvent<E, K>>): () => void;
  /** Like `on`, for one call. */
  once<K extends keyof LifecycleEvents>(type: K, listener: Listener<LifecycleEvents[K]>): () => void;
  /** Like `on`, for one call. */
  once<K extends ServerEventName<E>>(type: K, listener: Listener<ServerEvent<E, K>>): () => void;
  /** Starts connecting from `idle` or `closed` (attempt count reset). No-op otherwise. */
  connect(): void;
  /** Drops the current link and connects again at once; from `closed` it is `connect()`. */
  reconnect(): void;
  /** Ends everything: no reconnect, no timer or listener on the environment left. Pending requests reject. */
  close(code?: number, reason?: string): void;
  /**
   * Subscribes to events by name (`[]` or `'*'`: all), with optional filters and a resume
   * point. Throws a `FilterError` naming the key for a bad filter. Survives reconnects.
   */
  subscribe<K extends ServerEventName<E>>(
    events: K | readonly K[],
    options?: SubscribeOptions,
  ): Subscription<ServerEvent<E, K>>;
  /**
   * The same as `subscribe()`, named for scripts: `for await (const ev of client.stream('LogEntry'))`.
   * The iterator's buffer is bounded (`bufferSize`); leaving the loop unsubscribes.
   */
  stream<K extends ServerEventName<E>>(
    events: K | readonly K[],
    options?: SubscribeOptions,
  ): Subscription<ServerEvent<E, K>>;
  /**
   * Calls a server method. Resolves with its result; rejects with `RequestError`,
   * `TimeoutError`, `AbortError`, or `QueueFullError` when the outbox is full while offline.
   */
  request<T = unknown>(method: string, params?: unknown, options?: RequestOptions): Promise<T>;
  /** Sends a message without waiting for an answer: sent now, queued until open, or refused. */
  send(message: object): SendResult;
  /** Sizes of the client's bounded structures. */
  stats(): ClientStats;
}

/**
 * Creates a client. Options are validated here: a bad option throws an `OptionsError`.
 *
 * @example
 * ```ts
 * import * as z from 'zod/mini';
 * const client = createClient({
 *   url: 'ws://127.0.0.1:8080',
 *   events: { TaskStatusChanged: z.object({ task_id: z.string(), status: z.string() }) },
 * });
 * client.on('TaskStatusChanged', (ev) => ev.data.status);
 * ```
 */
export function createClient<const E extends EventSchemas = EventSchemas>(options: ClientOptions<E>): Client<E> {
  const opts = resolveOptions(options as unknown as ClientOptions<EventSchemas>);
  const { clock, backoff: policy } = opts;
  type Events = Record<string, unknown>;

  const emitter = createEmitter<Events>((type, cause) => {
    if (type === 'error') console.error('[eventwire] an error listener threw', cause);
    else reportError(new HandlerError(type, cause));
  });
  const reportError = (error: EventwireError) => {
    if (emitter.count('error') > 0) emitter.emit('error', error);
    else console.error('[eventwire] unhandled', error);
  };

  let state: ConnectionState = 'idle';
  let attempt = 0;
  let openedAt = 0;
  let lastWasRefresh = false;
  let retryTimer: unknown;
  let handshakeTimer: unknown;
  let waitingForNetwork = false;
  let heartbeat: Heartbeat | undefined;
  let sessionId: string | undefined;
  let attemptToken: string | undefined;
  let attemptError: unknown;
  let stopSignals: (() => void) | undefined;
  let subscriptionCounter = 0;
  const subscriptions = new Map<string, SubscriptionControl>();
  const queue: string[] = [];

  const setState = (to: ConnectionState) => {
    const from = state;
    if (from === to) return;
    state = to;
    emitter.emit('state', { from, to });
  };
  const live = () => state === 'connecting' || state === 'open';

  const send = (message: object) => transport.send(opts.codec.encode(message));
  const connectIfIdle = () => {
    if (state === 'idle') client.connect();
  };

  const requests = createRequestTracker({
    clock,
    timeout: opts.requestTimeout,
    limit: opts.outboxSize,
    isOpen: () => state === 'open',
    send: (frame) => transport.send(frame),
    encode: (message) => opts.codec.encode(message),
    hasRoom: () => queue.length + requests.unsent < opts.outboxSize,
    onFirstUse: connectIfIdle,
  });

  const delivery = createDelivery({
    emitter,
    schemas: opts.schemas,
    subscriptions,
    acks: opts.acks,
    window: opts.dedupeWindow,
    sendAck: (messageId) => {
      // Unsent acks need no queue: the server re-delivers what was not acked, and the
      // client acks the duplicate.
      if (state === 'open') send({ type: 'ack', message_id: messageId });
    },
    reportError: (error) => reportError(error),
  });

  const subscriptionHost: SubscriptionHost = {
    subscribe(control) {
      subscriptions.set(control.id, control);
      if (state === 'open') send(control.subscribeMessage());
      else connectIfIdle();
    },
    unsubscribe(control) {
      subscriptions.delete(control.id);
      if (state === 'open') send({ type: 'unsubscribe', id: control.id });
    },
    reportError: (error) => reportError(error),
  };

  const resolveUrl = async (): Promise<string> => {
    attemptToken = undefined;
    attemptError = undefined;
    const url = new URL(opts.url);
    if (opts.token) {
      try {
        attemptToken = await withTimeout(Promise.resolve().then(opts.token), opts.connectTimeout);
        if (typeof attemptToken !== 'string') throw new TypeError(`token provider returned ${typeof attemptToken}`);
      } catch (cause) {
        attemptError = new TokenProviderError(cause);
        throw attemptError;
      }
      if (opts.auth === 'query') url.searchParams.set('token', attemptToken);
    }
    for (const [key, value] of opts.params) url.searchParams.set(key, value);
    return url.toString();
  };

  const withTimeout = <T>(promise: Promise<T>, ms: number) =>
    new Promise<T>((resolve, reject) => {
      const timer = clock.setTimeout(() => reject(new TimeoutError(`token provider took longer than ${ms} ms`)), ms);
      promise.then(
        (value) => {
          clock.clearTimeout(timer);
          resolve(value);
        },
        (error) => {
          clock.clearTimeout(timer);
          reject(error);
        },
      );
    });

  const sink: MessageSink = {
    event: delivery.deliver,
    control,
    response: requests.response,
    error: reportError,
  };

  const inbox = createInbox(opts.codec, sink);

  const transport: Transport = (opts.transport ?? createRwsTransport())(
    { url: resolveUrl, connectTimeout: opts.connectTimeout, WebSocket: opts.WebSocket },
    {
      onOpen() {
        if (state !== 'connecting') return;
        if (opts.auth === 'message' && attemptToken !== undefined) send({ type: 'auth', token: attemptToken });
        if (opts.handshake === 'none') return becomeOpen();
        handshakeTimer = clock.setTimeout(() => {
          transport.close(4000, 'handshake timeout');
          ended(1006, 'handshake timeout', new TimeoutError(`no welcome within ${opts.handshakeTimeout} ms`));
        }, opts.handshakeTimeout);
      },
      onMessage(data) {
        if (!live()) return;
        heartbeat?.received();
        inbox.receive(data);
      },
      onClose(code, reason, error) {
        if (live()) ended(code, reason, attemptError ?? error);
      },
    },
  );

  function becomeOpen() {
    clock.clearTimeout(handshakeTimer);
    openedAt = clock.now();
    lastWasRefresh = false;
    if (opts.heartbeat) {
      heartbeat = createHeartbeat(opts.heartbeat, clock, {
        ping: () => send({ type: 'ping' }),
        dead: (silent) => {
          transport.close(4000, 'heartbeat timeout');
          ended(1006, `heartbeat timeout: nothing received for ${silent} ms`);
        },
      });
    }
    setState('open');
    // Order matters: subscriptions first, then requests (their ids unchanged), then queued sends.
    for (const control of subscriptions.values()) send(control.subscribeMessage());
    requests.flush();
    while (queue.length > 0 && transport.send(queue[0] as string)) queue.shift();
    emitter.emit('open', { sessionId });
  }

  function control(message: ControlMessage) {
    switch (message.type) {
      case 'ping':
        send(message.ts === undefined ? { type: 'pong' } : { type: 'pong', ts: message.ts });
        return;
      case 'pong':
        heartbeat?.pong();
        return;
      case 'welcome':
        sessionId = message.session_id;
        if (message.heartbeat_interval !== undefined && opts.heartbeat) {
          opts.heartbeat.interval = Math.min(opts.heartbeat.interval, message.heartbeat_interval);
        }
        if (state === 'connecting') becomeOpen();
        return;
      case 'subscribed':
        subscriptions.get(message.id)?.confirmed(message);
        return;
      case 'error': {
        const error = new ServerError(message.code, message.message);
        const subscription = message.id === undefined ? undefined : subscriptions.get(message.id);
        if (subscription) subscription.fail(error);
        else reportError(error);
        return;
      }
      default:
        return;
    }
  }

  /** A connection or attempt ended: decide retry, refresh or stop. */
  function ended(code: number, reason: string, error?: unknown) {
    const wasOpen = state === 'open';
    stopLink();
    if (error instanceof EventwireError) reportError(error);
    if (wasOpen && clock.now() - openedAt >= policy.minUptime) attempt = 0;
    attempt++;
    let action = closeAction(code);
    if (opts.shouldRetry) {
      const retry = opts.shouldRetry({ code, reason, attempt, action, error });
      if (!retry) action = action === 'auth' ? 'auth' : 'fatal';
      else if (action === 'auth' || action === 'fatal') action = 'retry';
    }
    const willReconnect = action === 'retry' || action === 'refresh';
    emitter.emit('close', { code, reason, willReconnect });
    if (action === 'auth') return stop(new AuthError(code, reason));
    if (action === 'fatal') return stop(new ClosedError(code, reason));
    if (attempt > policy.maxRetries) return stop(new ReconnectExhaustedError(attempt - 1, error));
    const immediate = action === 'refresh' && !lastWasRefresh;
    lastWasRefresh = action === 'refresh';
    scheduleRetry(immediate ? 0 : backoff(attempt, policy, opts.random));
  }

  function scheduleRetry(delay: number) {
    setState('reconnecting');
    emitter.emit('reconnecting', { attempt, delay });
    if (opts.signals && !opts.signals.isOnline()) {
      waitingForNetwork = true;
      return;
    }
    retryTimer = clock.setTimeout(startAttempt, delay);
  }

  function startAttempt() {
    clock.clearTimeout(retryTimer);
    waitingForNetwork = false;
    setState('connecting');
    transport.connect();
  }

  function stopLink() {
    clock.clearTimeout(handshakeTimer);
    heartbeat?.stop();
    heartbeat = undefined;
    sessionId = undefined;
    for (const control of subscriptions.values()) control.disconnected();
  }

  function stop(error: EventwireError) {
    stopEverything();
    setState('closed');
    requests.rejectAll(error);
    queue.length = 0;
    reportError(error);
  }

  function stopEverything() {
    stopLink();
    clock.clearTimeout(retryTimer);
    waitingForNetwork = false;
    stopSignals?.();
    stopSignals = undefined;
  }

  function onSignal(signal: NetworkSignal) {
    if (signal === 'offline') {
      if (state === 'reconnecting' && !waitingForNetwork) {
        clock.clearTimeout(retryTimer);
        waitingForNetwork = true;
      } else heartbeat?.check();
      return;
    }
    if (state === 'reconnecting' && (signal === 'online' || waitingForNetwork)) startAttempt();
    else heartbeat?.check();
  }

  const client: Client<E> = {
    get state() {
      return state;
    },
    get sessionId() {
      return sessionId;
    },
    get rtt() {
      return heartbeat?.rtt;
    },
    on(type: string, listener: Listener<never>) {
      const off = emitter.on(type, listener as Listener<unknown>);
      if (opts.lazy && state === 'idle' && !isLifecycleName(type)) client.connect();
      return off;
    },
    once(type: string, listener: Listener<never>) {
      const off = emitter.once(type, listener as Listener<unknown>);
      if (opts.lazy && state === 'idle' && !isLifecycleName(type)) client.connect();
      return off;
    },
    connect() {
      if (state !== 'idle' && state !== 'closed') return;
      attempt = 0;
      lastWasRefresh = false;
      stopSignals = opts.signals?.subscribe(onSignal);
      startAttempt();
    },
    reconnect() {
      if (state === 'idle' || state === 'closed') return client.connect();
      stopLink();
      attempt = 0;
      transport.close(4000, 'reconnect');
      startAttempt();
    },
    close(code = 1000, reason = '') {
      if (state === 'idle' || state === 'closed') {
        setState('closed');
        return;
      }
      const wasOpen = state === 'open';
      stopEverything();
      transport.close(code, reason);
      setState('closed');
      requests.rejectAll(new ClosedError(code, reason || 'client closed'));
      queue.length = 0;
      if (wasOpen) emitter.emit('close', { code, reason, willReconnect: false });
    },
    subscribe(events, subscribeOptions = {}) {
      const names = (typeof events === 'string' ? [events] : [...events]) as string[];
      if (names.some((n) => typeof n !== 'string')) throw new FilterError('events must be a name or a list of names');
      const filters = parseFilters(subscribeOptions.filters);
      const id = `sub-${++subscriptionCounter}`;
      return createSubscription(id, names, filters, subscribeOptions, subscriptionHost).handle as never;
    },
    stream(events, streamOptions) {
      return client.subscribe(events, streamOptions);
    },
    request<T>(method: string, params?: unknown, requestOptions?: RequestOptions) {
      if (state === 'closed') return Promise.reject(new ClosedError(1000, 'client closed'));
      return requests.request(method, params, requestOptions) as Promise<T>;
    },
    send(message) {
      if (state === 'closed') return 'refused';
      const frame = opts.codec.encode(message);
      if (state === 'open' && transport.send(frame)) return 'sent';
      if (queue.length + requests.unsent >= opts.outboxSize) return 'refused';
      queue.push(frame);
      connectIfIdle();
      return 'queued';
    },
    stats() {
      return {
        subscriptions: subscriptions.size,
        pendingRequests: requests.size,
        queued: queue.length + requests.unsent,
        dedupe: delivery.stats(),
        listeners: emitter.total(),
      };
    },
  };

  for (const [type, listener] of Object.entries(options.on ?? {})) {
    if (typeof listener === 'function') emitter.on(type, listener as Listener<unknown>);
  }
  if (!opts.lazy) client.connect();
  return client;
}
