import { words } from '#words';
import type { Dialect, SubscriptionSpec } from '../../dialects/dialect.js';
import type { EventwireError } from '../../errors/base.js';
import { HandlerError, SubscriptionEndedError } from '../../errors/errors.js';
import type { EventwireEvent } from '../../protocol/event.js';
import { compileFilters, type FilterPredicate, type Filters, type FiltersOf } from '../../protocol/filters.js';
import { type Held, Lane } from '../outbox/outbox.js';
import type { Clock } from '../util/clock.js';
import { createEmitter, type EmitterHost, type Listener, type ListenerErrorSink } from '../util/emitter.js';
import { merge, type Outcome } from '../util/outcome.js';
import { watchConfirm } from './confirm.js';
import { type Feed, iterate, type OverflowPolicy } from './iterator.js';
import type { TimeCursor } from './time-cursor.js';

/**
 * - `pending`: asked for, not yet confirmed on the current connection (or disconnected).
 * - `active`: confirmed; events flow.
 * - `unsubscribed`: final. It is never restored after a reconnect.
 * @example `if (sub.state === 'active') ...`
 */
export type SubscriptionState = 'pending' | 'active' | 'unsubscribed';

/**
 * Options of `client.subscribe()`. `Key`: the filter keys allowed, for a typed client those of the
 * events' data (see `FilterKey`); any string otherwise. An unknown option is an `OptionsError`.
 * @example `{ filters: { level: ['WARN', 'ERROR'] }, since: 1200 }`
 */
export interface SubscribeOptions<Key extends string = string> {
  /**
   * See PROTOCOL.md §6. Validated at once: a bad filter throws a `FilterError` naming the key, as does a key
   * that is not a field of the events' data when their schemas give a JSON Schema. @default {}
   */
  filters?: FiltersOf<Key>;
  /** Replay from here: a seq (events after it) or an ISO time (events at or after it). @default live only */
  since?: number | string;
  /** Iterator buffer, in events. @default 1000 */
  bufferSize?: number;
  /** See {@link OverflowPolicy}. @default 'error' */
  overflow?: OverflowPolicy;
}

/** Events of a subscription besides the events it delivers. @example `sub.on('gap', ({ from, to }) => refetch())` */
export interface SubscriptionEvents<Ev> {
  /** An event that matched this subscription, delivered once, in seq order. */
  event: Ev;
  /**
   * Events may be missing: the server could not replay seqs `from`..`to` (inclusive); or, with `since`, a link
   * resumed from that time got no replay (dialects that resume by time); or, with all absent, it cannot replay at
   * all and the link was lost (dialects without resume), or the server's stream started over (its head below the
   * last seq delivered: a restart that lost its history; the new seqs are delivered). Refetch your state.
   */
  gap: { from?: number; to?: number; since?: string };
  /** The state changed. */
  state: { from: SubscriptionState; to: SubscriptionState };
  /** Something about this subscription failed (overflow, server refusal). */
  error: EventwireError;
}

/**
 * A live query for events by name and filters. Survives reconnects (resuming after the
 * last seq it delivered) until `unsubscribe()`.
 *
 * @example
 * ```ts
 * const sub = client.subscribe(['TaskStatusChanged'], { filters: { status: ['Running', 'Failed'] } });
 * const off = sub.on((ev) => render(ev.data));
 * sub.on('gap', () => refetchTasks());
 * for await (const ev of sub) console.log(ev.seq);
 * ```
 */
export interface Subscription<Ev extends EventwireEvent = EventwireEvent> extends AsyncIterable<Ev> {
  /** Client-chosen id, echoed by the server. */
  readonly id: string;
  /** The event names asked for (empty: all). */
  readonly events: readonly string[];
  /** The validated filters. */
  readonly filters: Readonly<Filters>;
  /** See {@link SubscriptionState}. */
  readonly state: SubscriptionState;
  /** The last seq delivered (or the stream head when confirmed), the resume point. */
  readonly cursor: number | undefined;
  /** Adds an event handler; returns its unsubscribe function. */
  on(handler: Listener<Ev>): () => void;
  /** Adds a listener for one of {@link SubscriptionEvents}; returns its unsubscribe function. */
  on<K extends keyof SubscriptionEvents<Ev>>(type: K, listener: Listener<SubscriptionEvents<Ev>[K]>): () => void;
  /** Ends the subscription for good: the server is told, and no reconnect restores it. */
  unsubscribe(): void;
  /**
   * Resolves once it is active (confirmed, or sent to a server that confirms nothing); rejects when it ends first
   * (`unsubscribe()`, `close()`: a `SubscriptionEndedError`), or with the client's fatal error. Made while the
   * client is closed, it rejects with what stopped it, as `client.ready()` does (active after `connect()`).
   * @example `await client.subscribe('LogEntry').ready()`
   */
  ready(): Promise<void>;
}

/** @internal The client's side of the contract. */
export interface SubscriptionHost {
  /** The subscription starts: hold its subscribe message in the outbox. */
  attach(sub: SubscriptionImpl): void;
  /** It ended: release it and tell the server. */
  detach(sub: SubscriptionImpl): void;
  reportError(error: EventwireError): void;
  encode(message: object): string;
  /** A time cursor, for a dialect that resumes by time (undefined: its module could not be loaded). */
  timeCursor?(): TimeCursor | undefined;
  readonly dialect: Dialect;
  /** The client's state: `closed` until `connect()`, when nothing becomes active. */
  readonly state: string;
  /** What stopped the client (a `ClosedError` after `close()`). */
  stoppedBy(): EventwireError;
  /** How long a subscribe may wait for the server's confirmation before that is reported. */
  readonly options: { readonly clock: Clock; readonly requestTimeout: number };
}

/**
 * @internal A subscription: the handle users hold, and what the client routes events to.
 * Its subscribe message waits in the outbox (lane Subscribe) and is sent again, with the
 * cursor as `since`, on every new link. Listeners and iterators are allocated on first use.
 */
export class SubscriptionImpl implements Subscription, Held, SubscriptionSpec, ListenerErrorSink {
  readonly id: string;
  readonly events: readonly string[];
  readonly filters: Readonly<Filters>;
  link = 0;
  /** The delivery during which it was made, if any: it does not get that event. */
  born = 0;
  /** undefined: every name; a string: one name (no Set for the common case). */
  readonly #names: ReadonlySet<string> | string | undefined;
  readonly #predicate: FilterPredicate | undefined;
  readonly #options: SubscribeOptions;
  readonly #host: SubscriptionHost;
  #state: SubscriptionState = 'pending';
  #cursor: number | undefined;
  /** Time resume (dialects that resume by time): made on the first event. */
  #time: TimeCursor | undefined;
  /** Whether it was ever active (a later activation follows a lost link). */
  #wasActive = false;
  /** The dialect had no subscribe message for it: nothing will confirm it. */
  #frameless = false;
  /** Stops the watch of a subscribe the server has not confirmed yet (see `watchConfirm`). */
  #unwatch: (() => void) | undefined;
  /** It was asked for without a resume point on this link: no replay will come, so events count at once. */
  #live = true;
  #emitter: EmitterHost<Record<string, unknown>> | undefined;
  #feeds: Set<Feed> | undefined;
  #primed: AsyncIterator<EventwireEvent> | undefined;
  #readies: Array<{ resolve(): void; reject(error: unknown): void }> | undefined;
  /** An interest subscription (`client.on(name)`) hands its events to the client's listeners. */
  readonly #forward: ((event: EventwireEvent) => Outcome) | undefined;
  #enders: Set<(error?: unknown) => void> | undefined;

  constructor(
    id: string,
    events: readonly string[],
    filters: Filters,
    options: SubscribeOptions,
    host: SubscriptionHost,
    forward?: (event: EventwireEvent) => Outcome,
  ) {
    this.#forward = forward;
    this.id = id;
    this.events = events;
    this.filters = filters;
    this.#names =
      events.length === 0 || events.includes('*') ? undefined : events.length === 1 ? events[0] : new Set(events);
    this.#predicate = Object.keys(filters).length > 0 ? compileFilters(filters) : undefined;
    this.#options = options;
    this.#host = host;
    this.#cursor = typeof options.since === 'number' ? options.since : undefined;
    host.attach(this);
  }

  get lane(): typeof Lane.Subscribe {
    return Lane.Subscribe;
  }
  get state(): SubscriptionState {
    return this.#state;
  }
  get cursor(): number | undefined {
    return this.#cursor;
  }

  on(typeOrHandler: string | Listener<never>, listener?: Listener<never>): () => void {
    this.#emitter ??= createEmitter(this);
    // anything but a name is meant as the handler (the emitter refuses what is not a function)
    if (typeof typeOrHandler !== 'string') return this.#emitter.on('event', typeOrHandler as Listener<unknown>);
    return this.#emitter.on(typeOrHandler, listener as Listener<unknown>);
  }

  /** A listener threw or rejected (the emitter's sink: a method, not a closure per subscription). */
  listenerFailed(type: string, cause: unknown): void {
    if (type === 'error')
      console.error(
        words ? '[eventwire] a subscription error listener threw' : '[eventwire] sub.on(error) threw',
        cause,
      );
    else this.#host.reportError(new HandlerError(type === 'event' ? this.#label() : `${this.#label()} ${type}`, cause));
  }

  unsubscribe(): void {
    this.end(undefined);
  }

  /**
   * Ends it for good: unsubscribed (the server told, when the link is up), and every iterator
   * over it returns, or throws `error` (the client's fatal error).
   */
  end(error: unknown): void {
    if (this.#state === 'unsubscribed') return;
    this.#settleReadies(error ?? new SubscriptionEndedError(this.id));
    this.#setState('unsubscribed');
    this.#host.detach(this);
    if (this.#enders) for (const end of [...this.#enders]) end(error);
  }

  [Symbol.asyncIterator](): AsyncIterator<EventwireEvent> {
    const primed = this.#primed;
    if (primed) {
      this.#primed = undefined;
      return primed;
    }
    this.#feeds ??= new Set();
    this.#enders ??= new Set();
    const iterator = iterate(this, this.#feeds, this.#enders, this.#options, this.#host);
    if (this.#state === 'unsubscribed') iterator.return?.();
    // made after the client stopped: the loop throws what stopped it, as ready() rejects (it would wait for a connect())
    else if (this.#host.state === 'closed') this.endIterators(this.#host.stoppedBy());
    return iterator;
  }

  /** A fatal close: iterators throw `error`; the subscription stays, for a later `connect()`. */
  endIterators(error: unknown): void {
    if (this.#enders) for (const end of [...this.#enders]) end(error);
    this.#settleReadies(error);
  }

  ready(): Promise<void> {
    if (this.#state === 'active') return Promise.resolve();
    if (this.#state === 'unsubscribed') return Promise.reject(new SubscriptionEndedError(this.id));
    // a subscription made after the client stopped: what stopped it, as client.ready() (it waited until connect())
    if (this.#host.state === 'closed') return Promise.reject(this.#host.stoppedBy());
    return new Promise((resolve, reject) => {
      this.#readies ??= [];
      this.#readies.push({ resolve, reject });
    });
  }

  /** Settles every pending `ready()`: resolved without an error, rejected with one. */
  #settleReadies(error?: unknown): void {
    const readies = this.#readies;
    this.#readies = undefined;
    if (readies) for (const r of readies) error === undefined ? r.resolve() : r.reject(error);
  }

  /** `stream()`: the first iterator exists from now on, so no event waits for the first `next()`. */
  prime(): this {
    this.#primed = this[Symbol.asyncIterator]();
    return this;
  }

  /**
   * A subscription with no resume point (nothing delivered yet, no `since`) has no replay to
   * wait for: it takes events from the moment it is asked for, confirmed or not.
   */
  #liveOnly(): boolean {
    return this.#state === 'pending' && this.#live;
  }

  #label(): string {
    return this.events.length === 0 ? '*' : this.events.join(',');
  }

  /** Where the current link resumes (SubscriptionSpec): after the cursor, as the dialect resumes. */
  get since(): number | string | undefined {
    switch (this.#host.dialect.resume) {
      case 'seq':
        return this.#cursor ?? this.#options.since;
      case 'time':
        return this.#time?.since() ?? this.#options.since;
      default:
        return this.#wasActive ? undefined : this.#options.since;
    }
  }

  /** The subscribe frame(s) for the current link, in the dialect's words. */
  frame(): string | string[] | undefined {
    this.#live = this.since === undefined;
    const message = this.#host.dialect.subscribe(this);
    this.#frameless = message === undefined;
    if (message === undefined) return undefined;
    return Array.isArray(message) ? message.map((m) => this.#host.encode(m)) : this.#host.encode(message);
  }

  /** It went out: with a server that confirms nothing, it is active from now on. */
  sent(): void {
    if (!this.#host.dialect.confirms || this.#frameless) return void this.#activate(undefined);
    this.#unwatch?.();
    this.#unwatch = this.#state === 'pending' ? watchConfirm(this, this.#host.options) : undefined;
  }

  matches(name: string, event: EventwireEvent): boolean {
    const names = this.#names;
    return (
      (this.#state === 'active' || this.#liveOnly()) &&
      (names === undefined || (typeof names === 'string' ? names === name : names.has(name))) &&
      (this.#predicate === undefined || this.#predicate(event))
    );
  }

  /** Whether it hands events to the client's own listeners (`client.on(name)`), not to a handle. */
  get internal(): boolean {
    return this.#forward !== undefined;
  }

  /**
   * Delivers if new for this subscription (or `again`: a re-delivery of an event whose
   * handlers failed); returns how its handlers took it, or null when it had it already.
   */
  deliver(event: EventwireEvent, needsAck: boolean, again: boolean): Outcome | null {
    const seq = event.seq;
    if (seq !== undefined) {
      if (this.#cursor !== undefined && seq <= this.#cursor && !again) return null; // a replay or re-delivery
      if (this.#cursor === undefined || seq > this.#cursor) this.#cursor = seq;
    } else if (this.#host.dialect.resume === 'time') {
      this.#time ??= this.#host.timeCursor?.();
      if (this.#time?.admit(event) === 'copy' && !again) return null; // a replayed copy of one delivered already
    }
    let outcome: Outcome;
    if (this.#forward) outcome = this.#forward(event);
    if (this.#emitter) outcome = merge(outcome, this.#emitter.emit('event', event));
    if (this.#feeds) for (const feed of this.#feeds) outcome = merge(outcome, feed(event, needsAck));
    return outcome;
  }

  /** The server confirmed it (with its stream head, and the seqs it could not replay). */
  confirmed(seq: number | undefined, gap: { from: number; to: number } | undefined): void {
    if (this.#state === 'unsubscribed') return;
    if (typeof seq === 'number' && this.#state !== 'active') {
      // A head below the cursor (whatever `since` first was: a time gives way to seqs once one is delivered): the
      // server's stream started over (a restart without its history). Its seqs from the head on are new events,
      // not replays to drop; what it lost is unknown: `gap {}`. (A second `subscribed` moves nothing.)
      const backwards = this.#cursor !== undefined && seq < this.#cursor;
      if (backwards || (this.#cursor === undefined && typeof this.#options.since !== 'string')) this.#cursor = seq;
      if (backwards) return void this.#activate({});
    }
    this.#activate(gap);
  }

  #activate(gap: SubscriptionEvents<unknown>['gap'] | undefined): void {
    if (this.#state === 'unsubscribed' || this.#state === 'active') return;
    if (gap) this.#emitter?.emit('gap', gap);
    else if (this.#wasActive) this.#resumedWithoutSeq();
    this.#wasActive = true;
    this.#setState('active');
    this.#settleReadies();
  }

  /**
   * A link came back where no seq says what was missed: a server without replay missed
   * everything meanwhile (`gap {}`); one that resumes by time may not replay at all (the
   * seed's Provisioning code never reads `since`): `gap {since}` until it was seen to, or when
   * the resume could not reach back over the producers' clock disagreement; and a subscription
   * that delivered nothing yet has no time to resume from (`gap {}`).
   */
  #resumedWithoutSeq(): void {
    const resume = this.#host.dialect.resume;
    if (resume === 'none') this.#emitter?.emit('gap', {});
    else if (resume === 'time') {
      const since = this.#time?.since();
      if (since === undefined)
        this.#emitter?.emit('gap', {}); // nothing delivered: nowhere to resume from
      else if (!this.#time?.replays || !this.#time.covered) this.#emitter?.emit('gap', { since });
    }
  }

  disconnected(): void {
    this.#unwatch?.(); // the next link sends it again, and watches again
    this.#unwatch = undefined;
    this.#time?.linkLost();
    if (this.#state === 'active') this.#setState('pending');
  }

  fail(error: EventwireError): void {
    this.#emitter?.emit('error', error);
    this.#host.reportError(error);
  }

  #setState(to: SubscriptionState): void {
    const from = this.#state;
    if (from === to) return;
    if (from === 'pending') {
      this.#unwatch?.();
      this.#unwatch = undefined;
    }
    this.#state = to;
    this.#emitter?.emit('state', { from, to });
  }
}
