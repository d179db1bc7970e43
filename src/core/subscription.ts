import type { EventwireError } from '../errors/base.js';
import { QueueFullError } from '../errors/errors.js';
import type { EventwireEvent } from '../protocol/event.js';
import { compileFilters, type FilterPredicate, type Filters, subscriptionMatches } from '../protocol/filters.js';
import type { SubscribedMessage } from '../protocol/types.js';
import { collect, createEmitter, type Listener } from './emitter.js';

/**
 * - `pending`: asked for, not yet confirmed on the current connection (or disconnected).
 * - `active`: confirmed; events flow.
 * - `unsubscribed`: final. It is never restored after a reconnect.
 * @example `if (sub.state === 'active') ...`
 */
export type SubscriptionState = 'pending' | 'active' | 'unsubscribed';

/**
 * What an iterator does when its consumer falls `bufferSize` events behind.
 * - `error` (default): the loop ends by throwing a `QueueFullError` once the buffered
 *   events are consumed, and the subscription ends. Nothing is skipped without a trace.
 * - `drop-oldest`: the oldest buffered event is dropped and `error` reports a
 *   `QueueFullError` (once per overflow episode).
 * @default 'error'
 * @example `client.subscribe('LogEntry', { bufferSize: 10_000, overflow: 'drop-oldest' })`
 */
export type OverflowPolicy = 'error' | 'drop-oldest';

/**
 * Options of `client.subscribe()`.
 * @example `{ filters: { level: ['WARN', 'ERROR'] }, since: 1200 }`
 */
export interface SubscribeOptions {
  /** See PROTOCOL.md §6. Validated at once: a bad filter throws a `FilterError` naming the key. @default {} */
  filters?: Filters;
  /** Replay from here: a seq (events after it) or an ISO time (events at or after it). @default live only */
  since?: number | string;
  /** Iterator buffer, in events. @default 1000 */
  bufferSize?: number;
  /** See {@link OverflowPolicy}. @default 'error' */
  overflow?: OverflowPolicy;
}

/** Events of a subscription besides the events it delivers. */
export interface SubscriptionEvents<Ev> {
  /** An event that matched this subscription, delivered once, in seq order. */
  event: Ev;
  /** The server could not replay seqs `from`..`to` (inclusive): refetch your state. */
  gap: { from: number; to: number };
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
}

/** @internal What the client sees of a subscription. */
export interface SubscriptionControl {
  readonly handle: Subscription;
  readonly id: string;
  readonly live: boolean;
  /** The subscribe message for the current connection. */
  subscribeMessage(): object;
  matches(name: string, event: EventwireEvent): boolean;
  /** Delivers if new for this subscription; returns a promise when a handler is async. */
  deliver(event: EventwireEvent, needsAck: boolean): PromiseLike<unknown> | undefined | false;
  confirmed(message: SubscribedMessage): void;
  disconnected(): void;
  fail(error: EventwireError): void;
}

/** @internal The client's side of the contract. */
export interface SubscriptionHost {
  subscribe(control: SubscriptionControl): void;
  unsubscribe(control: SubscriptionControl): void;
  reportError(error: EventwireError): void;
}

interface Waiter<Ev> {
  resolve(result: IteratorResult<Ev>): void;
  reject(error: unknown): void;
}

/** @internal */
export function createSubscription(
  id: string,
  events: readonly string[],
  filters: Filters,
  options: SubscribeOptions,
  host: SubscriptionHost,
): SubscriptionControl {
  const names = new Set(events);
  const predicate: FilterPredicate = compileFilters(filters);
  const bufferSize = options.bufferSize ?? 1000;
  const overflow = options.overflow ?? 'error';
  let state: SubscriptionState = 'pending';
  let cursor: number | undefined = typeof options.since === 'number' ? options.since : undefined;
  const emitter = createEmitter<Record<string, unknown>>((_type, cause) => host.reportError(cause as EventwireError));
  const feeds = new Set<(event: EventwireEvent, needsAck: boolean) => Promise<unknown> | undefined>();
  const enders = new Set<(error?: unknown) => void>();

  const setState = (to: SubscriptionState) => {
    const from = state;
    if (from === to) return;
    state = to;
    emitter.emit('state', { from, to });
  };

  const iterate = (): AsyncIterator<EventwireEvent> => {
    const buffer: Array<{ event: EventwireEvent; taken?: () => void }> = [];
    let waiter: Waiter<EventwireEvent> | undefined;
    let failure: unknown;
    let finished = false;
    let dropping = false;
    const end = (error?: unknown) => {
      if (finished) return;
      finished = true;
      failure = error;
      feeds.delete(feed);
      enders.delete(end);
      if (waiter && buffer.length === 0) {
        const w = waiter;
        waiter = undefined;
        if (error) w.reject(error);
        else w.resolve({ value: undefined, done: true });
      }
    };
    const feed = (event: EventwireEvent, needsAck: boolean): Promise<unknown> | undefined => {
      if (waiter) {
        const w = waiter;
        waiter = undefined;
        w.resolve({ value: event, done: false });
        return undefined;
      }
      if (buffer.length >= bufferSize) {
        const error = new QueueFullError(`the iterator buffer of subscription ${id}`, bufferSize);
        if (overflow === 'error') {
          end(error);
          control.handle.unsubscribe();
          host.reportError(error);
          return undefined;
        }
        buffer.shift()?.taken?.();
        if (!dropping) host.reportError(error);
        dropping = true;
      } else dropping = false;
      if (!needsAck) {
        buffer.push({ event });
        return undefined;
      }
      return new Promise<void>((taken) => buffer.push({ event, taken }));
    };
    feeds.add(feed);
    enders.add(end);
    return {
      next() {
        const entry = buffer.shift();
        if (entry) {
          entry.taken?.();
          return Promise.resolve({ value: entry.event, done: false });
        }
        if (finished) return failure ? Promise.reject(failure) : Promise.resolve({ value: undefined, done: true });
        return new Promise((resolve, reject) => {
          waiter = { resolve, reject };
        });
      },
      return() {
        for (const entry of buffer.splice(0)) entry.taken?.();
        end();
        control.handle.unsubscribe();
        return Promise.resolve({ value: undefined, done: true });
      },
    };
  };

  const handle: Subscription = {
    id,
    events: [...events],
    filters,
    get state() {
      return state;
    },
    get cursor() {
      return cursor;
    },
    on(typeOrHandler: string | Listener<never>, listener?: Listener<never>) {
      if (typeof typeOrHandler === 'function') return emitter.on('event', typeOrHandler as Listener<unknown>);
      return emitter.on(typeOrHandler, listener as Listener<unknown>);
    },
    unsubscribe() {
      if (state === 'unsubscribed') return;
      setState('unsubscribed');
      host.unsubscribe(control);
      for (const end of [...enders]) end();
    },
    [Symbol.asyncIterator]: iterate,
  } as Subscription;

  const control: SubscriptionControl = {
    handle,
    id,
    get live() {
      return state !== 'unsubscribed';
    },
    subscribeMessage() {
      const since = cursor ?? options.since;
      return {
        type: 'subscribe',
        id,
        events: [...events],
        ...(Object.keys(filters).length > 0 ? { filters } : {}),
        ...(since !== undefined ? { since } : {}),
      };
    },
    matches: (name, event) => state === 'active' && subscriptionMatches(names, predicate, name, event),
    deliver(event, needsAck) {
      const seq = event.seq;
      if (seq !== undefined) {
        if (cursor !== undefined && seq <= cursor) return false; // already delivered (a replay or re-delivery)
        cursor = seq;
      }
      let pending: PromiseLike<unknown>[] | undefined;
      const result = emitter.emit('event', event);
      if (result) pending = [result];
      for (const feed of feeds) {
        const taken = feed(event, needsAck);
        pending = collect(pending, taken);
      }
      if (!pending) return undefined;
      return pending.length === 1 ? pending[0] : Promise.all(pending);
    },
    confirmed(message) {
      if (state === 'unsubscribed') return;
      if (message.gap) emitter.emit('gap', message.gap);
      if (cursor === undefined && typeof message.seq === 'number' && typeof options.since !== 'string')
        cursor = message.seq;
      setState('active');
    },
    disconnected() {
      if (state === 'active') setState('pending');
    },
    fail(error) {
      emitter.emit('error', error);
      host.reportError(error);
    },
  };
  host.subscribe(control);
  return control;
}
