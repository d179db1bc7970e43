// The subscription's public contract, apart from the class that keeps it (subscription.ts).
import type { EventwireError } from '../../errors/base.js';
import type { EventwireEvent } from '../../protocol/event.js';
import type { Filters, FiltersOf } from '../../protocol/filters.js';
import type { Listener } from '../util/emitter.js';
import type { OverflowPolicy } from './iterator.js';

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
