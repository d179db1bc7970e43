import { words } from '#words';
import type { Dialect, SubscriptionSpec } from '../../dialects/dialect.js';
import type { EventwireError } from '../../errors/base.js';
import { HandlerError, SubscriptionEndedError } from '../../errors/errors.js';
import type { EventwireEvent } from '../../protocol/event.js';
import { compileFilters, type FilterPredicate, type Filters } from '../../protocol/filters.js';
import { type Held, Lane } from '../outbox/outbox.js';
import type { Clock } from '../util/clock.js';
import { createEmitter, type EmitterHost, type Listener, type ListenerErrorSink } from '../util/emitter.js';
import { merge, type Outcome } from '../util/outcome.js';
import { watchConfirm } from './confirm.js';
import { type Feed, iterate } from './iterator.js';
import type { SubscribeOptions, Subscription, SubscriptionEvents, SubscriptionState } from './subscription-types.js';
import type { TimeCursor } from './time-cursor.js';

export type { SubscribeOptions, Subscription, SubscriptionEvents, SubscriptionState };

/** @internal What `deliver` returns for an event at or below the cursor of a link that delivered past it already. */
export const BEHIND = 'behind';

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
  /** This link delivered a seq, or confirmed a subscribe that asked for no replay: one at or below the cursor now is no replay. */
  #ahead = false;
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
  deliver(event: EventwireEvent, needsAck: boolean, again: boolean): Outcome | null | typeof BEHIND {
    const seq = event.seq;
    if (seq !== undefined) {
      const cursor = this.#cursor;
      // a replay or re-delivery (null), or, where this link went past it already, out of order (delivery decides)
      if (cursor !== undefined && seq <= cursor && !again) return this.#ahead ? BEHIND : null;
      if (cursor === undefined || seq > cursor) {
        this.#cursor = seq;
        this.#ahead = true;
      }
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
    // asked for with a resume point, its replay follows; without one, none comes: at or below the head is out of order
    if (this.#state !== 'active') this.#ahead = this.#live;
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
    this.#ahead = false;
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
