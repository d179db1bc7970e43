import type { Dialect, DialectSink } from '../dialects/dialect.js';
import { guardDialect } from '../dialects/guard.js';
import type { EventwireError } from '../errors/base.js';
import { ClosedError, HandlerError, ServerError } from '../errors/errors.js';
import type { ResolvedOptions } from '../options.js';
import type { EventwireEvent } from '../protocol/event.js';
import type { Filters } from '../protocol/filters.js';
import type { ShareStats } from '../share/option.js';
import type { ClientStats, LifecycleEvents, SendResult } from '../types.js';
import type { ConnectionHost } from './link/connection.js';
import { Connection } from './link/connection.js';
import { Inbox } from './link/inbox.js';
import { type Held, Lane, Outbox, type OutboxLink } from './outbox/outbox.js';
import { RateLimiter } from './outbox/rate.js';
import { type RequestOptions, RequestTracker } from './outbox/requests.js';
import { createDelivery, type Delivery } from './streams/delivery.js';
import { type SubscribeOptions, type SubscriptionHost, SubscriptionImpl } from './streams/subscription.js';
import { createEmitter, type EmitterHost, type ListenerErrorSink } from './util/emitter.js';

/**
 * @internal A client's parts and the wiring between them: the connection (state machine),
 * the outbox (everything waiting for the link), the inbox (frames to messages), delivery
 * (events to listeners and subscriptions, acks) and requests. Delivery and requests are made
 * on first use, so an idle client holds neither.
 */
export class ClientCore implements ConnectionHost, DialectSink, SubscriptionHost, OutboxLink, ListenerErrorSink {
  readonly options: ResolvedOptions;
  readonly dialect: Dialect;
  readonly emitter: EmitterHost<Record<string, unknown>>;
  readonly outbox: Outbox;
  readonly connection: Connection;
  /** Every subscription: the handles of `subscribe()`, and the interests behind `client.on(name)`. */
  readonly subscriptions = new Map<string, SubscriptionImpl>();
  readonly #interests = new Map<string, { sub: SubscriptionImpl; listeners: number }>();
  readonly #inbox: Inbox;
  #delivery: Delivery | undefined;
  #requests: RequestTracker | undefined;
  #counter = 0;
  #stoppedBy: EventwireError | undefined;
  /** With `share: 'tabs'`: this tab's part in the share, for `stats()`. */
  shareStats: (() => ShareStats) | undefined;

  constructor(options: ResolvedOptions) {
    this.options = options;
    this.dialect = guardDialect(options.dialect, (error) => this.report(error));
    options.dialect = this.dialect;
    this.emitter = createEmitter(this);
    this.outbox = new Outbox(
      options.outboxSize,
      this,
      options.rateLimit ? { rate: new RateLimiter(options.rateLimit), clock: options.clock } : undefined,
    );
    this.#inbox = new Inbox(options.codec, options.dialect, this);
    this.connection = new Connection(this);
    if (options.auth === 'message' && options.token) this.outbox.hold(new AuthMessage(this));
  }

  listenerFailed(type: string, cause: unknown): void {
    if (type === 'error') console.error('[eventwire] an error listener threw', cause);
    else this.report(new HandlerError(type, cause));
  }

  transmit(frame: string): boolean {
    const sent = this.connection.send(frame);
    if (sent && this.options.log?.on('debug')) this.options.log.write('debug', `send ${frame}`);
    return sent;
  }

  connectIfIdle(): void {
    if (this.connection.state === 'idle') this.connection.connect();
  }

  encode(message: object): string {
    return this.options.codec.encode(message);
  }

  // ConnectionHost

  emit<K extends keyof LifecycleEvents>(type: K, payload: LifecycleEvents[K]): void {
    this.options.log?.lifecycle(type, payload, false);
    this.emitter.emit(type, payload);
  }

  report(error: EventwireError): void {
    this.options.log?.lifecycle('error', error, this.#stoppedBy === error);
    if (this.emitter.count('error') > 0) this.emitter.emit('error', error);
    else console.error('[eventwire] unhandled', error);
  }

  frame(data: string | ArrayBuffer | Uint8Array | Blob, text: boolean): void {
    if (this.options.log?.on('debug')) this.options.log.write('debug', `recv ${describeFrame(data, text)}`);
    if (this.connection.live) this.#inbox.receive(data, text);
  }

  linkLost(): void {
    for (const sub of this.subscriptions.values()) sub.disconnected();
  }

  interest(): readonly string[] | undefined {
    const names = new Set<string>();
    for (const sub of this.subscriptions.values()) {
      if (sub.events.length === 0 || sub.events.includes('*')) return undefined;
      for (const name of sub.events) names.add(name);
    }
    return names.size === 0 ? undefined : [...names];
  }

  /**
   * `client.on(type)` for a server event (or `message`, every event): interest in it, held as a
   * subscription of its own, so that it resumes, dedupes and acks like one. Returns the
   * release, called when the listener goes.
   */
  listen(type: string): () => void {
    const key = type === 'message' ? '' : type;
    let interest = this.#interests.get(key);
    if (!interest) {
      const forward = (event: EventwireEvent) => this.emitter.emit(type, event);
      const sub = new SubscriptionImpl(`on-${++this.#counter}`, key ? [key] : [], {}, {}, this, forward);
      interest = { sub, listeners: 0 };
      this.#interests.set(key, interest);
    }
    interest.listeners++;
    const held = interest;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      if (--held.listeners > 0) return;
      this.#interests.delete(key);
      held.sub.end(undefined);
    };
  }

  /** What stopped the client last: its fatal error, or a `ClosedError` for `close()`. */
  stoppedBy(): EventwireError {
    return this.#stoppedBy ?? new ClosedError(1000, 'client closed');
  }

  stopped(error: EventwireError | undefined, code: number, reason: string): void {
    this.#stoppedBy = error ?? new ClosedError(code, reason || 'client closed');
    // close() ends every subscription (iterators return); a fatal close ends iterators with
    // its error, and keeps subscriptions for a later connect().
    for (const sub of [...this.subscriptions.values()]) {
      if (sub.internal) continue;
      if (error) sub.endIterators(error);
      else sub.end(undefined);
    }
    this.#requests?.rejectAll(error ?? new ClosedError(code, reason || 'client closed'));
    this.outbox.clearQueued();
  }

  // DialectSink: what the dialect read in a frame

  get maxBatchSize(): number {
    return this.options.maxBatchSize;
  }

  event(event: EventwireEvent): void {
    this.connection.openIfWaiting();
    this.#delivery ??= createDelivery({
      schemas: this.options.schemas,
      subscriptions: this.subscriptions,
      acks: this.options.acks,
      window: this.options.dedupeWindow,
      sendAck: (messageId) => this.#sendOnce(Lane.Ack, this.dialect.ack(messageId)),
      reportError: (error) => this.report(error),
    });
    this.#delivery.deliver(event);
  }

  greeting(sessionId?: string, heartbeatInterval?: number): void {
    this.connection.greeted(sessionId, heartbeatInterval);
  }

  authFailed(reason: string): void {
    this.connection.refused(reason);
  }

  ping(reply?: object): void {
    this.connection.openIfWaiting();
    if (reply) this.connection.send(this.encode(reply));
  }

  pong(): void {
    this.connection.heartbeat?.pong();
  }

  subscribed(id: string, seq?: number, gap?: { from: number; to: number }): void {
    this.connection.openIfWaiting();
    this.subscriptions.get(id)?.confirmed(seq, gap);
  }

  response(
    key: string,
    byMethod: boolean,
    ok: boolean,
    result: unknown,
    error?: { code: string; message: string },
  ): boolean {
    this.connection.openIfWaiting();
    return this.#requests?.response(key, byMethod, ok, result, error) ?? false;
  }

  serverError(code: string, message: string, id?: string): void {
    this.connection.openIfWaiting();
    const error = new ServerError(code, message);
    const sub = id === undefined ? undefined : this.subscriptions.get(id);
    if (sub) sub.fail(error);
    else this.report(error);
  }

  /** A message the dialect could not read: named after the dialect. */
  error(error: EventwireError): void {
    error.message = `${this.dialect.name}: ${error.message}`;
    this.report(error);
  }

  /** A frame the codec could not decode (before any dialect saw it). */
  undecodable(error: EventwireError): void {
    this.report(error);
  }

  // SubscriptionHost

  attach(sub: SubscriptionImpl): void {
    sub.born = this.#delivery?.epoch ?? 0;
    this.subscriptions.set(sub.id, sub);
    this.outbox.hold(sub);
    this.connectIfIdle();
  }

  detach(sub: SubscriptionImpl): void {
    this.subscriptions.delete(sub.id);
    this.outbox.release(sub);
    if (this.connection.state === 'open')
      this.#sendOnce(Lane.Subscribe, this.dialect.unsubscribe(sub, [...this.subscriptions.values()]));
  }

  reportError(error: EventwireError): void {
    this.report(error);
  }

  // The facade's calls

  subscribe(names: string[], filters: Filters, options: SubscribeOptions): SubscriptionImpl {
    return new SubscriptionImpl(`sub-${++this.#counter}`, names, filters, options, this);
  }

  /** `id`: the request's id when it has one already (a tab's request relayed by the share hub). */
  request(method: string, params: unknown, options: RequestOptions | undefined, id?: string): Promise<unknown> {
    if (this.connection.state === 'closed') return Promise.reject(new ClosedError(1000, 'client closed'));
    const { options: o } = this;
    this.#requests ??= new RequestTracker({
      clock: o.clock,
      timeout: o.requestTimeout,
      outbox: this.outbox,
      frame: (id, method, params) => {
        const message = this.dialect.request(id, method, params);
        return message && this.encode(message);
      },
      dialect: this.dialect.name,
      limit: o.outboxSize,
    });
    const result = this.#requests.request(method, params, options, id);
    this.connectIfIdle();
    return result;
  }

  /** Sends a dialect's one-shot message (if it has one for this). */
  #sendOnce(lane: Lane, message: object | undefined): void {
    if (message) this.outbox.push(lane, this.encode(message));
  }

  send(message: object): SendResult {
    if (this.connection.state === 'closed') return 'refused';
    const result = this.outbox.push(Lane.Send, this.encode(message));
    if (result === 'queued') this.connectIfIdle();
    return result;
  }

  stats(): ClientStats {
    return {
      subscriptions: this.subscriptions.size - this.#interests.size,
      pendingRequests: this.#requests?.size ?? 0,
      queued: this.outbox.waiting,
      acks: this.#delivery?.stats() ?? { messageIds: 0, inFlight: 0 },
      listeners: this.emitter.total(),
      rateLimit: this.outbox.pace(),
      ...(this.shareStats && { share: this.shareStats() }),
    };
  }
}

/** The `{type:"auth", token}` message of `auth: 'message'`, first on every socket. */
class AuthMessage implements Held {
  link = 0;
  readonly #core: ClientCore;
  constructor(core: ClientCore) {
    this.#core = core;
  }
  get lane(): typeof Lane.Auth {
    return Lane.Auth;
  }
  frame(): string | undefined {
    const token = this.#core.connection.token;
    return token === undefined ? undefined : this.#core.encode(this.#core.dialect.auth(token));
  }
}

/** A frame's kind and size, for the debug log (never its content: it is the user's data). */
function describeFrame(data: string | ArrayBuffer | Uint8Array | Blob, text: boolean): string {
  const size = typeof data === 'string' ? data.length : 'size' in data ? data.size : data.byteLength;
  return `${text ? 'text' : 'binary'} frame, ${size} ${typeof data === 'string' ? 'chars' : 'bytes'}`;
}
