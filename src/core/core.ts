import type { ControlMessage, MessageSink } from '../codec/classify.js';
import { Inbox } from '../codec/inbox.js';
import type { EventwireError } from '../errors/base.js';
import { ClosedError, HandlerError, ServerError } from '../errors/errors.js';
import type { EventwireEvent } from '../protocol/event.js';
import type { Filters } from '../protocol/filters.js';
import type { ResponseMessage } from '../protocol/types.js';
import type { ClientStats, SendResult } from './client.js';
import type { ConnectionHost } from './connection.js';
import { Connection } from './connection.js';
import { createDelivery, type Delivery } from './delivery.js';
import { createEmitter, type EmitterHost, type ListenerErrorSink } from './emitter.js';
import type { LifecycleEvents, ResolvedOptions } from './options.js';
import { type Held, Lane, Outbox, type OutboxLink } from './outbox.js';
import { type RequestOptions, RequestTracker } from './requests.js';
import { type SubscribeOptions, type SubscriptionHost, SubscriptionImpl } from './subscription.js';

/**
 * @internal A client's parts and the wiring between them: the connection (state machine),
 * the outbox (everything waiting for the link), the inbox (frames to messages), delivery
 * (events to listeners and subscriptions, acks) and requests. Delivery and requests are made
 * on first use, so an idle client holds neither.
 */
export class ClientCore implements ConnectionHost, MessageSink, SubscriptionHost, OutboxLink, ListenerErrorSink {
  readonly options: ResolvedOptions;
  readonly emitter: EmitterHost<Record<string, unknown>>;
  readonly outbox: Outbox;
  readonly connection: Connection;
  readonly subscriptions = new Map<string, SubscriptionImpl>();
  readonly #inbox: Inbox;
  #delivery: Delivery | undefined;
  #requests: RequestTracker | undefined;
  #counter = 0;

  constructor(options: ResolvedOptions) {
    this.options = options;
    this.emitter = createEmitter(this);
    this.outbox = new Outbox(options.outboxSize, this);
    this.#inbox = new Inbox(options.codec, this);
    this.connection = new Connection(this);
    if (options.auth === 'message' && options.token) this.outbox.hold(new AuthMessage(this));
  }

  listenerFailed(type: string, cause: unknown): void {
    if (type === 'error') console.error('[eventwire] an error listener threw', cause);
    else this.report(new HandlerError(type, cause));
  }

  transmit(frame: string): boolean {
    return this.connection.send(frame);
  }

  connectIfIdle(): void {
    if (this.connection.state === 'idle') this.connection.connect();
  }

  encode(message: object): string {
    return this.options.codec.encode(message);
  }

  // ConnectionHost

  emit<K extends keyof LifecycleEvents>(type: K, payload: LifecycleEvents[K]): void {
    this.emitter.emit(type, payload);
  }

  report(error: EventwireError): void {
    if (this.emitter.count('error') > 0) this.emitter.emit('error', error);
    else console.error('[eventwire] unhandled', error);
  }

  frame(data: string | ArrayBuffer | Uint8Array | Blob, text: boolean): void {
    if (this.connection.live) this.#inbox.receive(data, text);
  }

  linkLost(): void {
    for (const sub of this.subscriptions.values()) sub.disconnected();
  }

  stopped(error: EventwireError | undefined, code: number, reason: string): void {
    this.#requests?.rejectAll(error ?? new ClosedError(code, reason || 'client closed'));
    this.outbox.clearQueued();
  }

  // MessageSink

  event(event: EventwireEvent): void {
    this.#delivery ??= createDelivery({
      emitter: this.emitter,
      schemas: this.options.schemas,
      subscriptions: this.subscriptions,
      acks: this.options.acks,
      window: this.options.dedupeWindow,
      sendAck: (messageId) => this.outbox.push(Lane.Ack, this.encode({ type: 'ack', message_id: messageId })),
      reportError: (error) => this.report(error),
    });
    this.#delivery.deliver(event);
  }

  control(message: ControlMessage): void {
    switch (message.type) {
      case 'ping':
        this.connection.send(
          this.encode(message.ts === undefined ? { type: 'pong' } : { type: 'pong', ts: message.ts }),
        );
        return;
      case 'pong':
        this.connection.heartbeat?.pong();
        return;
      case 'welcome':
        this.connection.greeted(message.session_id, message.heartbeat_interval);
        return;
      case 'subscribed':
        this.subscriptions.get(message.id)?.confirmed(message);
        return;
      case 'error': {
        const error = new ServerError(message.code, message.message);
        const sub = message.id === undefined ? undefined : this.subscriptions.get(message.id);
        if (sub) sub.fail(error);
        else this.report(error);
        return;
      }
      default:
        return;
    }
  }

  response(message: ResponseMessage): void {
    this.#requests?.response(message);
  }

  error(error: EventwireError): void {
    this.report(error);
  }

  // SubscriptionHost

  attach(sub: SubscriptionImpl): void {
    this.subscriptions.set(sub.id, sub);
    this.outbox.hold(sub);
    this.connectIfIdle();
  }

  detach(sub: SubscriptionImpl): void {
    this.subscriptions.delete(sub.id);
    this.outbox.release(sub);
    if (this.connection.state === 'open')
      this.outbox.push(Lane.Subscribe, this.encode({ type: 'unsubscribe', id: sub.id }));
  }

  reportError(error: EventwireError): void {
    this.report(error);
  }

  // The facade's calls

  subscribe(names: string[], filters: Filters, options: SubscribeOptions): SubscriptionImpl {
    return new SubscriptionImpl(`sub-${++this.#counter}`, names, filters, options, this);
  }

  request(method: string, params: unknown, options: RequestOptions | undefined): Promise<unknown> {
    if (this.connection.state === 'closed') return Promise.reject(new ClosedError(1000, 'client closed'));
    const { options: o } = this;
    this.#requests ??= new RequestTracker({
      clock: o.clock,
      timeout: o.requestTimeout,
      outbox: this.outbox,
      encode: (message) => this.encode(message),
      limit: o.outboxSize,
    });
    const result = this.#requests.request(method, params, options);
    this.connectIfIdle();
    return result;
  }

  send(message: object): SendResult {
    if (this.connection.state === 'closed') return 'refused';
    const result = this.outbox.push(Lane.Send, this.encode(message));
    if (result === 'queued') this.connectIfIdle();
    return result;
  }

  stats(): ClientStats {
    return {
      subscriptions: this.subscriptions.size,
      pendingRequests: this.#requests?.size ?? 0,
      queued: this.outbox.waiting,
      dedupe: this.#delivery?.stats() ?? { messageIds: 0, seqs: 0 },
      listeners: this.emitter.total(),
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
    return token === undefined ? undefined : this.#core.encode({ type: 'auth', token });
  }
}
