import { words } from '#words';
import { ClientCore } from './core/core.js';

import type { RequestOptions } from './core/outbox/requests.js';
import type { AckMode } from './core/streams/delivery.js';
import { isLifecycleName } from './core/streams/delivery.js';
import type { SubscribeOptions, Subscription, SubscriptionImpl } from './core/streams/subscription.js';
import { checkListener, type Listener } from './core/util/emitter.js';
import { kind, shown } from './errors/base.js';
import { EncodeError, FilterError, OptionsError } from './errors/errors.js';
import { type ClientOptions, resolveOptions } from './options.js';
import { checkRequestOptions, checkSubscribeOptions, fail } from './options-check.js';
import { closeFrameCarries } from './protocol/close-codes.js';
import { checkFilterKeys, type FilterKey, parseFilters } from './protocol/filters.js';
import { utf8Length } from './protocol/utf8.js';
import { planShare, type ShareCalls } from './share/option.js';
import type {
  ClientStats,
  ConnectionState,
  EventSchemas,
  LifecycleEvents,
  OtherLifecycleName,
  SendResult,
  ServerEvent,
  ServerEventName,
} from './types.js';

/**
 * A connection to an eventwire server.
 *
 * @example
 * ```ts
 * const client = createClient({ url: 'ws://127.0.0.1:8080', token: 'secret' });
 * const off = client.on('LogEntry', (ev) => console.log(ev.data));
 * ```
 */
export interface Client<E extends EventSchemas = EventSchemas, M extends AckMode = 'auto'> {
  /** The current {@link ConnectionState}. */
  readonly state: ConnectionState;
  /** The session id from the server's `welcome`, while open. */
  readonly sessionId: string | undefined;
  /** The last measured ping round-trip time in ms. */
  readonly rtt: number | undefined;
  /** Adds a listener for a lifecycle event; returns its unsubscribe function. */
  on<K extends keyof LifecycleEvents>(type: K, listener: Listener<LifecycleEvents[K]>): () => void;
  /**
   * Adds a listener for a server event, typed by `options.events`; returns its unsubscribe function. Another SDK's
   * lifecycle name (`connect`, `disconnect`...) is refused unless a schema declares it: a listener for it would
   * wait for ever (the `FilterError` names eventwire's event; `subscribe()` takes a server event so named).
   */
  on<K extends ServerEventName<E>>(type: K, listener: Listener<ServerEvent<E, K, M>>): () => void;
  /** Like `on`, for one call. */
  once<K extends keyof LifecycleEvents>(type: K, listener: Listener<LifecycleEvents[K]>): () => void;
  /** Like `on`, for one call. */
  once<K extends ServerEventName<E>>(type: K, listener: Listener<ServerEvent<E, K, M>>): () => void;
  /**
   * Removes a listener added with `on` or `once` (the first registration of it for `type`), as
   * socket.io's `off` does. The function `on` returned removes its own registration.
   */
  off(type: string, listener: (payload: never) => unknown): void;
  /**
   * Resolves once the link is open (connecting a lazy client); rejects with the error that
   * stopped the client (`AuthError`, `ReconnectExhaustedError`, …) or, after `close()`, a
   * `ClosedError`. Like centrifuge-js's `ready()`.
   * @example `await client.ready(); console.log(client.sessionId)`
   */
  ready(): Promise<void>;
  /** Starts connecting from `idle` or `closed` (attempt count reset). No-op otherwise. */
  connect(): void;
  /** Drops the current link and connects again at once; from `closed` it is `connect()`. */
  reconnect(): void;
  /**
   * Ends everything: no reconnect, no timer or listener on the environment left. Pending requests reject.
   * `code` is one a close frame carries (1000-1003, 1007-1014, 3000-4999; browsers send 1000 and 3000-4999
   * alone) and `reason` at most 123 UTF-8 bytes: else an `OptionsError` is reported, and the client ends with 1000.
   * @example `client.close(4000, 'user logged out')`
   */
  close(code?: number, reason?: string): void;
  /**
   * Subscribes to events by name (`[]` or `'*'`: all), with optional filters and a resume
   * point. Throws a `FilterError` naming the key for a bad filter, or for a key not in the
   * data of the events' schemas when they give their JSON Schema (a typed client's keys are
   * checked at compile time), and an `OptionsError` for an unknown option. Survives reconnects.
   * @example `client.subscribe('LogEntry', { filters: { level: ['WARN', 'ERROR'] } })`
   */
  subscribe<K extends ServerEventName<E>>(
    events: K | readonly K[],
    options?: SubscribeOptions<FilterKey<ServerEvent<E, K, M>['data']>>,
  ): Subscription<ServerEvent<E, K, M>>;
  /**
   * The same as `subscribe()`, named for scripts: `for await (const ev of client.stream('LogEntry'))`.
   * The iterator's buffer is bounded (`bufferSize`); leaving the loop unsubscribes.
   */
  stream<K extends ServerEventName<E>>(
    events: K | readonly K[],
    options?: SubscribeOptions<FilterKey<ServerEvent<E, K, M>['data']>>,
  ): Subscription<ServerEvent<E, K, M>>;
  /**
   * Calls a server method. Resolves with its result; rejects with `RequestError`,
   * `TimeoutError`, `AbortError`, `QueueFullError` when the outbox is full while offline (with
   * `share: 'tabs'`: when this tab's share of the leading tab's outbox is full), or
   * `OptionsError` for an unknown or bad option, `EncodeError` for params the codec cannot encode.
   */
  request<T = unknown>(method: string, params?: unknown, options?: RequestOptions): Promise<T>;
  /**
   * Sends a message without waiting for an answer: sent now, queued until open, or refused.
   * With `share: 'tabs'`: queued within this tab's share of the leading tab's outbox, or
   * refused; never `'sent'`, since the socket is in another tab. Throws an `EncodeError`, and
   * sends nothing, for a message the codec cannot encode or one that is not an object.
   */
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
export function createClient<const E extends EventSchemas = EventSchemas, const M extends AckMode = 'auto'>(
  options: ClientOptions<E, M>,
): Client<E, M> {
  const given = options as unknown as ClientOptions<EventSchemas>;
  for (const type of Object.keys(given?.on ?? {}))
    refuseElsewhere(type, Object.hasOwn(Object(given.events), type), OptionsError);
  const shared =
    given?.share === undefined
      ? undefined
      : planShare(given, (hubOptions) => new ClientCore(resolveOptions(hubOptions)));
  const core = new ClientCore(shared ? shared.options : resolveOptions(given));
  core.shareStats = shared?.stats;
  // a sharing tab's sends and requests go through its share of the leading tab's outbox (it follows the core's state)
  const client = new EventwireClient(core, shared?.bind(core));
  for (const [type, listener] of Object.entries(options.on ?? {})) {
    if (typeof listener === 'function') client.on(type, listener as Listener<never>);
  }
  if (!core.options.lazy) core.connection.connect();
  return client as unknown as Client<E, M>;
}

/** A refused string as a message shows it: its start (a close reason may be long). */
const shortened = (value: unknown) =>
  typeof value === 'string' && value.length > 24 ? `${value.slice(0, 24)}…` : value;

/**
 * Adds a listener. One for a server event (or `message`) is interest in it: the core holds a
 * subscription for it while any such listener remains (and connects a lazy client).
 */
function listenTo(core: ClientCore, type: string, listener: Listener<never>, once: boolean): () => void {
  checkListener(type, listener); // before any interest is taken
  if (!isLifecycleName(type) || type === 'message') {
    // '' was a second name for every event, whose interest `message` shared
    if (type === '')
      throw new FilterError(words ? 'an event name is not empty (every event: "message")' : 'event name: empty');
    refuseElsewhere(type, core.options.schemas?.has(type), FilterError);
    if (type !== 'message') checkName(core, type);
    core.listen(type);
  }
  return core.emitter[once ? 'once' : 'on'](type, listener as Listener<unknown>);
}

/**
 * Throws `Refusal` for another SDK's lifecycle name ({@link ELSEWHERE}) unless the schemas declare a server event so
 * named (`declared`): an `OptionsError` in the `on` option (before the client is built), a `FilterError` in `on()`.
 */
function refuseElsewhere(type: string, declared: boolean | undefined, Refusal: new (message: string) => Error): void {
  const ours = ELSEWHERE.get(type);
  if (ours && !declared)
    throw new Refusal(
      words
        ? `"${type}" is another SDK's lifecycle event; eventwire's is "${ours}" (a server event of that name: ` +
            `client.subscribe('${type}').on(listener))`
        : `"${type}": use "${ours}"`,
    );
}

/**
 * Lifecycle events of socket.io-client (and centrifuge's, ably's `disconnected`), and eventwire's that a listener
 * for them wants: without schemas any other name is a server event's, and a listener for one of these would wait
 * for ever. `client.on()` refuses them; `subscribe()` takes them (a server event so named).
 */
const ELSEWHERE = new Map<string, string>([
  ['connect', 'open'],
  ['reconnect', 'open'],
  ['disconnect', 'close'],
  ['disconnected', 'close'],
  ['reconnect_failed', 'close'],
  ['connect_error', 'error'],
  ['reconnect_error', 'reconnecting'],
  ['reconnect_attempt', 'reconnecting'],
  ['connecting', 'state'],
] satisfies Array<[OtherLifecycleName, string]>);

/** Throws a `FilterError` for an event name the dialect's server cannot be asked for (`Dialect.checkName`). */
function checkName(core: ClientCore, name: string): void {
  const problem = core.dialect.checkName?.(name);
  if (problem) throw new FilterError(problem);
}

/**
 * The public face of a client: argument checks, then one call into its core. Methods live on
 * the prototype and the state in the core, so an idle client costs a few objects, not a
 * closure per method.
 */
class EventwireClient {
  readonly #core: ClientCore;
  readonly #share: ShareCalls | undefined;

  constructor(core: ClientCore, share: ShareCalls | undefined) {
    this.#core = core;
    this.#share = share;
  }

  get state(): ConnectionState {
    return this.#core.connection.state;
  }
  get sessionId(): string | undefined {
    return this.#core.connection.sessionId;
  }
  get rtt(): number | undefined {
    return this.#core.connection.heartbeat?.rtt;
  }

  on(type: string, listener: Listener<never>): () => void {
    return listenTo(this.#core, type, listener, false);
  }

  once(type: string, listener: Listener<never>): () => void {
    return listenTo(this.#core, type, listener, true);
  }

  off(type: string, listener: Listener<never>): void {
    this.#core.emitter.off(type, listener);
  }

  ready(): Promise<void> {
    const core = this.#core;
    if (core.connection.state === 'open') return Promise.resolve();
    if (core.connection.state === 'closed') return Promise.reject(core.stoppedBy());
    core.connectIfIdle();
    return new Promise((resolve, reject) => {
      const off = core.emitter.on('state', (change) => {
        const { to } = change as LifecycleEvents['state'];
        if (to === 'open') resolve();
        else if (to === 'closed') reject(core.stoppedBy());
        else return;
        off();
      });
    });
  }

  connect(): void {
    this.#core.connection.connect();
  }

  reconnect(): void {
    this.#core.connection.reconnect();
  }

  close(code = 1000, reason = ''): void {
    // What a close frame may carry (a browser's WebSocket takes 1000 and 3000-4999 alone; its transport closes
    // plainly on the others). Else it is reported, and the client ends all the same, with 1000: close() always ends.
    const problem = !closeFrameCarries(code)
      ? new OptionsError('close code', '1000-1003, 1007-1014 or 3000-4999 (closed with 1000)', code)
      : typeof reason !== 'string' || utf8Length(reason, 123) > 123
        ? new OptionsError('close reason', 'a string of at most 123 UTF-8 bytes (closed with 1000)', shortened(reason))
        : undefined;
    if (problem) this.#core.report(problem);
    this.#core.connection.close(problem ? 1000 : code, problem ? '' : reason);
  }

  subscribe(events: string | readonly string[], options: SubscribeOptions = {}): Subscription {
    const iterable = typeof (events as Iterable<string> | null)?.[Symbol.iterator] === 'function';
    const names: unknown[] = typeof events === 'string' || !iterable ? [events] : [...events];
    if (!names.every((n): n is string => typeof n === 'string' && n !== ''))
      throw new FilterError(
        words
          ? `events must be an event name (not empty) or an array of them, got ${shown(events)}`
          : `events: ${shown(events)}`,
      );
    for (const name of names) checkName(this.#core, name);
    checkSubscribeOptions(options);
    const filters = parseFilters(options.filters);
    checkFilterKeys(filters, names, this.#core.options.schemas);
    return this.#core.subscribe(names, filters, options);
  }

  stream(events: string | readonly string[], options?: SubscribeOptions): Subscription {
    return (this.subscribe(events, options) as SubscriptionImpl).prime();
  }

  request<T>(method: string, params?: unknown, options?: RequestOptions): Promise<T> {
    try {
      if (typeof method !== 'string' || method === '') fail('method', 'a non-empty string', method);
      checkRequestOptions(options);
    } catch (error) {
      return Promise.reject(error);
    }
    if (this.#share) return this.#share.request(method, params, options) as Promise<T>;
    return this.#core.request(method, params, options) as Promise<T>;
  }

  send(message: object): SendResult {
    if (kind(message) !== 'an object') {
      const hint = words && typeof message === 'string' ? ' (its JSON? pass the message object itself)' : '';
      throw new EncodeError(
        words ? `send() takes a message object, got ${kind(message)}${hint}` : `send(): ${kind(message)}`,
      );
    }
    return this.#share ? this.#share.send(message) : this.#core.send(message);
  }

  stats(): ClientStats {
    return this.#core.stats();
  }
}
