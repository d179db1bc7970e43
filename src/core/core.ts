import { words } from '#words';
import type { Dialect } from '../dialects/dialect.js';
import { guardDialect } from '../dialects/guard.js';
import { type EventwireError, kind } from '../errors/base.js';
import {
  AbortError,
  ClosedError,
  EncodeError,
  HandlerError,
  HookError,
  OptionsError,
  QueueFullError,
  RequestError,
  ServerError,
  TimeoutError,
} from '../errors/errors.js';
import type { ResolvedOptions } from '../options.js';
import type { EventwireEvent } from '../protocol/event.js';
import type { Filters } from '../protocol/filters.js';
import type { ClientStats, ConnectionState, LifecycleEvents, SendResult, ShareStats } from '../types.js';
import { Connection } from './link/connection.js';
import type { LinkHost } from './link/host.js';
import { Lane, type Outbox } from './outbox/outbox.js';
import type { RequestOptions, RequestTracker } from './outbox/requests.js';
import { createDelivery, type Delivery } from './streams/delivery.js';
import { stranger } from './streams/stranger.js';
import { type SubscribeOptions, type SubscriptionHost, SubscriptionImpl } from './streams/subscription.js';
import type { TimeCursor } from './streams/time-cursor.js';
import { createEmitter, type EmitterHost, type Listener, type ListenerErrorSink } from './util/emitter.js';
import { Metrics } from './util/metrics.js';

/** No subscription yet: what a client that has made none reads. */
const NONE: ReadonlyMap<string, SubscriptionImpl> = new Map();

/** The time cursor's class, once loaded (with a dialect that resumes by time: others never carry it). */
let TimeCursorClass: (new () => TimeCursor) | undefined;
let timeCursorLoading: Promise<unknown> | undefined;

function loadTimeCursor(): void {
  timeCursorLoading ??= import('./streams/time-cursor.js').then(
    (m) => {
      TimeCursorClass = m.TimeCursor;
    },
    (error: unknown) => {
      const what = words ? 'the time cursor could not be loaded: resumes report a gap' : 'time cursor not loaded';
      console.error(`[eventwire] ${what}`, error);
    },
  );
}

/**
 * @internal A client's parts and the wiring between them: the link ({@link Connection}: the socket, its reader,
 * heartbeat, retries and the outbox, the one door out), delivery (events to listeners and subscriptions, acks) and
 * requests. The core hears from the link only what concerns the client ({@link LinkHost}). Delivery and requests
 * are made on first use, so an idle client holds neither.
 */
export class ClientCore implements LinkHost, SubscriptionHost, ListenerErrorSink {
  /** The resolved options, frozen; with a custom dialect, a frozen copy naming the guarded one. */
  readonly options: ResolvedOptions;
  /** The client's dialect: a custom one guarded (a hook that throws is reported). */
  readonly dialect: Dialect;
  readonly emitter: EmitterHost<Record<string, unknown>>;
  /** The link's outbox: where subscriptions, requests, acks and sends wait and leave. */
  readonly outbox: Outbox;
  readonly connection: Connection;
  /** Every subscription, `subscribe()`'s and `client.on(name)`'s: made on the first (or event), as the interests are. */
  #subscriptions: Map<string, SubscriptionImpl> | undefined;
  #interests: Map<string, SubscriptionImpl> | undefined;
  #delivery: Delivery | undefined;
  /** The request tracker, or its module loading (requests are paid for only by clients that make one). */
  #requests: RequestTracker | Promise<RequestTracker> | undefined;
  #counter = 0;
  /** Unsubscribes sent on this link and not yet answered (`unsubscribed`). */
  #ending = 0;
  /** Whether the last ack was refused (reported once until one goes again). */
  #acksRefused = false;
  #stoppedBy: EventwireError | undefined;
  /** What `stats()` tells operators: connection time, reconnects, messages, errors. */
  readonly #metrics = new Metrics();
  /** With `share: 'tabs'`: this tab's part in the share, for `stats()`. */
  shareStats: (() => ShareStats) | undefined;

  constructor(resolved: ResolvedOptions) {
    const dialect = guardDialect(resolved.dialect, (error) => this.report(error));
    // the resolved options are frozen: a guarded dialect goes in a copy, not into them
    this.options =
      dialect === resolved.dialect ? resolved : Object.freeze(Object.create(resolved, { dialect: { value: dialect } }));
    this.dialect = dialect;
    this.emitter = createEmitter(this);
    if (resolved.log) resolved.log.failed = (cause) => this.report(new HookError('logger', cause));
    if (dialect.resume === 'time') loadTimeCursor();
    this.connection = new Connection(this.options, dialect, this);
    this.outbox = this.connection.outbox;
  }

  /** Every subscription, the map made now if it was not (delivery keeps it). */
  get subscriptions(): Map<string, SubscriptionImpl> {
    this.#subscriptions ??= new Map();
    return this.#subscriptions;
  }

  // `private`, not `#`: a class with a `#` method or accessor gives each instance a brand slot (8 bytes)
  /** Every subscription so far, to read: no map is made for it. */
  private get subs(): ReadonlyMap<string, SubscriptionImpl> {
    return this.#subscriptions ?? NONE;
  }

  /** The link's state (for the share hub). */
  get state(): ConnectionState {
    return this.connection.state;
  }

  /** The session id of the open link (for the share hub). */
  get sessionId(): string | undefined {
    return this.connection.sessionId;
  }

  /** Starts connecting from `idle` or `closed`. */
  connect(): void {
    this.connection.connect();
  }

  /** Ends the link for good (`close()`). */
  close(code: number, reason: string): void {
    this.connection.close(code, reason);
  }

  /** A lifecycle listener; returns its removal. */
  on<K extends keyof LifecycleEvents>(type: K, listener: Listener<LifecycleEvents[K]>): () => void {
    return this.emitter.on(type, listener as Listener<unknown>);
  }

  listenerFailed(type: string, cause: unknown): void {
    if (type === 'error') console.error('[eventwire] an error listener threw', cause);
    else this.report(new HandlerError(type, cause));
  }

  connectIfIdle(): void {
    if (this.state === 'idle') this.connect();
  }

  /** The one door to the wire for what the app gives (`send()`, requests): an `EncodeError` when it cannot be. */
  encode(message: object): string {
    let frame: unknown;
    try {
      frame = this.options.codec.encode(message);
    } catch (cause) {
      throw new EncodeError(words ? 'the message could not be encoded' : 'not encoded', cause);
    }
    if (typeof frame !== 'string')
      throw new EncodeError(words ? `the codec gave ${kind(frame)} to send, not a frame` : `codec gave ${kind(frame)}`);
    return frame;
  }

  // LinkHost: what the link tells the client

  emit<K extends keyof LifecycleEvents>(type: K, payload: LifecycleEvents[K]): void {
    this.options.log?.lifecycle(type, payload, false);
    this.#metrics.lifecycle(type, payload);
    this.emitter.emit(type, payload);
  }

  report(error: EventwireError, quiet = false): void {
    this.options.log?.lifecycle('error', error, this.#stoppedBy === error);
    this.#metrics.error(error.code);
    if (this.emitter.count('error') > 0) this.emitter.emit('error', error);
    else if (!quiet) console.error('[eventwire] unhandled', error);
  }

  linkLost(): void {
    this.#ending = 0;
    for (const sub of this.subs.values()) sub.disconnected();
  }

  interest(): readonly string[] | undefined {
    const names = new Set<string>();
    for (const sub of this.subs.values()) {
      if (sub.events.length === 0 || sub.events.includes('*')) return undefined;
      for (const name of sub.events) names.add(name);
    }
    return names.size === 0 ? undefined : [...names];
  }

  /**
   * `client.on(type)` for a server event (or `message`, every event): interest in it, held as a subscription of its
   * own, so that it resumes, dedupes and acks like one, until its last listener goes ({@link listenerRemoved}).
   */
  listen(type: string): void {
    this.#interests ??= new Map();
    if (this.#interests.has(type)) return;
    const forward = (event: EventwireEvent) => this.emitter.emit(type, event);
    const names = type === 'message' ? [] : [type]; // `message`: every event
    this.#interests.set(type, new SubscriptionImpl(`on-${++this.#counter}`, names, {}, {}, this, forward));
    // once it is known: connecting emits `state`, whose listeners may listen to the same type
    this.connectIfIdle();
  }

  /** The emitter removed a listener of `type`: the interest in it ends with its last (see {@link listen}). */
  listenerRemoved(type: string): void {
    const interest = this.#interests?.get(type);
    if (!interest || this.emitter.count(type) > 0) return;
    this.#interests?.delete(type);
    if (this.#interests?.size === 0) this.#interests = undefined;
    interest.end(undefined);
  }

  /** What stopped the client last: its fatal error, or a `ClosedError` for `close()`. */
  stoppedBy(): EventwireError {
    return this.#stoppedBy ?? new ClosedError(1000, 'client closed');
  }

  stopped(error: EventwireError | undefined, code: number, reason: string): void {
    this.#stoppedBy = error ?? new ClosedError(code, reason || 'client closed');
    // close() ends every subscription (iterators return); a fatal one ends iterators with its error, keeps the rest
    for (const sub of [...this.subs.values()]) {
      if (sub.internal) continue;
      if (error) sub.endIterators(error);
      else sub.end(undefined);
    }
    this.tracker?.rejectAll(error ?? new ClosedError(code, reason || 'client closed'));
    this.outbox.clearQueued();
  }

  /** An event the dialect read: it enters the client here, once. */
  event(event: EventwireEvent): void {
    this.#metrics.received++;
    this.#delivery ??= createDelivery(
      this.options.schemas,
      this.subscriptions,
      this.options.acks,
      this.options.dedupeWindow,
      (messageId) => this.#ack(messageId),
      (error) => this.report(error),
      () => this.#ending > 0,
    );
    this.#delivery.deliver(event);
  }

  subscribed(id: string, seq?: number, gap?: { from: number; to: number }): void {
    const sub = this.subs.get(id);
    if (!sub) return void this.unsubscribed(id, 'subscribed');
    this.#metrics.received++;
    sub.confirmed(seq, gap);
  }

  /** `unsubscribed` (or `type`) for `id`: reported if no subscription of this client's has it, or one it did not end. */
  unsubscribed(id: string, type = 'unsubscribed'): void {
    this.#metrics.received++;
    const sub = this.subs.get(id);
    if (!sub && type === 'unsubscribed' && this.#ending > 0) this.#ending--;
    const error = stranger(type, id, this.#counter, sub !== undefined);
    if (error && sub) sub.fail(error);
    else if (error) this.report(error);
  }

  response(
    key: string,
    byMethod: boolean,
    ok: boolean,
    result: unknown,
    error?: { code: string; message: string },
  ): boolean {
    this.#metrics.received++;
    return this.tracker?.response(key, byMethod, ok, result, error) ?? false;
  }

  /** An error for a subscription fails it; for a request, rejects it as `success: false` does; others: reported. */
  serverError(code: string, message: string, id?: string): void {
    this.#metrics.received++;
    const sub = id === undefined ? undefined : this.subs.get(id);
    if (sub) sub.fail(new ServerError(code, message));
    else if (!(id !== undefined && this.tracker?.response(id, false, false, undefined, { code, message })))
      this.report(new ServerError(code, message));
  }

  /** The request tracker, once loaded. */
  private get tracker(): RequestTracker | undefined {
    return this.#requests instanceof Promise ? undefined : this.#requests;
  }

  // SubscriptionHost

  timeCursor(): TimeCursor | undefined {
    return TimeCursorClass && new TimeCursorClass();
  }

  /** With a dialect that resumes by time, the time cursor's module while it loads: the link dials once it has. */
  get preparing(): Promise<unknown> | undefined {
    return this.dialect.resume === 'time' && !TimeCursorClass ? timeCursorLoading : undefined;
  }

  attach(sub: SubscriptionImpl): void {
    sub.born = this.#delivery?.epoch ?? 0;
    this.subscriptions.set(sub.id, sub);
    this.outbox.hold(sub);
    if (!sub.internal) this.connectIfIdle(); // an interest connects once listen() holds it
  }

  detach(sub: SubscriptionImpl): void {
    this.#subscriptions?.delete(sub.id);
    this.outbox.release(sub);
    if (this.state !== 'open') return;
    this.#ending++; // until answered, its replay may still come: events behind the cursors are no sign of disorder
    this.sendOnce(Lane.Subscribe, this.dialect.unsubscribe(sub, [...this.subs.values()]));
  }

  reportError(error: EventwireError): void {
    this.report(error);
  }

  // The facade's calls

  subscribe(names: string[], filters: Filters, options: SubscribeOptions): SubscriptionImpl {
    return new SubscriptionImpl(`sub-${++this.#counter}`, names, filters, options, this);
  }

  /** `id`: one already given (a tab's, relayed by the hub). The tracker loads on the first request; order is kept. */
  request(method: string, params: unknown, options: RequestOptions | undefined, id?: string): Promise<unknown> {
    if (this.state === 'closed') return Promise.reject(new ClosedError(1000, 'client closed'));
    if (!this.#requests) {
      const loading = import('./outbox/requests.js').then(({ RequestTracker }) => {
        const { options: o } = this;
        this.#requests = new RequestTracker([
          o.clock,
          o.requestTimeout,
          this.outbox,
          (id, method, params) => {
            const message = this.dialect.request(id, method, params);
            return message && this.encode(message);
          },
          this.dialect.name,
          o.outboxSize,
          [AbortError, OptionsError, QueueFullError, RequestError, TimeoutError],
          o.log,
        ]);
        return this.#requests;
      });
      // a chunk that could not be fetched (offline): these requests reject with why, the next one tries again
      loading.catch(() => {
        if (this.#requests === loading) this.#requests = undefined;
      });
      this.#requests = loading;
    }
    const requests = this.#requests;
    const result =
      requests instanceof Promise
        ? requests.then((tracker) =>
            // closed while the tracker loaded: the request is refused as it would have been
            this.state === 'closed' ? Promise.reject(this.stoppedBy()) : tracker.request(method, params, options, id),
          )
        : requests.request(method, params, options, id);
    this.connectIfIdle();
    return result;
  }

  /** Sends a dialect's one-shot message (if it has one for this): what the outbox did with it. */
  private sendOnce(lane: Lane, message: object | undefined): SendResult | undefined {
    return message && this.outbox.push(lane, this.encode(message));
  }

  /** An ack, to the outbox: one refused (the outbox full) is reported once until one goes; the server re-sends. */
  #ack(messageId: string): void {
    const refused = this.sendOnce(Lane.Ack, this.dialect.ack(messageId)) === 'refused';
    if (refused && !this.#acksRefused)
      this.report(
        new QueueFullError(
          words ? 'the outbox, where an ack waits its turn,' : 'the outbox (ack)',
          this.options.outboxSize,
        ),
      );
    this.#acksRefused = refused;
  }

  /** `send()`: to the outbox, or (`push`) where a sharing tab's sends go (its share of the leading tab's outbox). */
  send(message: object, push?: (frame: string) => SendResult): SendResult {
    if (this.state === 'closed') return 'refused';
    const frame = this.encode(message);
    const result = push ? push(frame) : this.outbox.push(Lane.Send, frame);
    if (result === 'queued') this.connectIfIdle();
    return result;
  }

  stats(): ClientStats {
    return {
      subscriptions: this.subs.size - (this.#interests?.size ?? 0),
      pendingRequests: this.tracker?.size ?? 0,
      queued: this.outbox.waiting,
      acks: this.#delivery?.stats() ?? { messageIds: 0, messageIdBytes: 0, inFlight: 0 },
      listeners: this.emitter.total(),
      mismatchedFrames: this.connection.mismatchedFrames,
      rateLimit: this.outbox.pace(),
      ...(this.shareStats && { share: this.shareStats() }),
      ...this.#metrics.read(this.outbox.sent),
    };
  }
}
