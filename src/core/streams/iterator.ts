/**
 * The async iterator of a subscription (`for await (const ev of sub)`): a bounded buffer between the events the
 * subscription is fed and the loop that takes them, with an overflow policy. It knows the subscription only by the
 * few members below, so that it imports nothing of subscription.ts.
 */
import { words } from '#words';
import type { EventwireError } from '../../errors/base.js';
import { QueueFullError } from '../../errors/errors.js';
import type { EventwireEvent } from '../../protocol/event.js';
import type { Outcome } from '../util/outcome.js';

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

/** @internal Hands one event to an iterator; its outcome says whether (and when) the loop took it, for the ack. */
export type Feed = (event: EventwireEvent, needsAck: boolean) => Outcome;

/** The subscription an iterator reads: its id (for errors) and how to end it. */
interface IteratedSubscription {
  readonly id: string;
  unsubscribe(): void;
}

/** The iterator's part of `SubscribeOptions`. */
interface IteratorOptions {
  bufferSize?: number;
  overflow?: OverflowPolicy;
}

/** Where an overflow is reported. */
interface IteratorHost {
  reportError(error: EventwireError): void;
}

interface Waiter<Ev> {
  resolve(result: IteratorResult<Ev>): void;
  reject(error: unknown): void;
}

/** @internal An async iterator over a subscription's events, with a bounded buffer. */
export function iterate(
  sub: IteratedSubscription,
  feeds: Set<Feed>,
  enders: Set<(error?: unknown) => void>,
  options: IteratorOptions,
  host: IteratorHost,
): AsyncIterator<EventwireEvent> {
  const bufferSize = options.bufferSize ?? 1000;
  const overflow = options.overflow ?? 'error';
  /** Buffered events; `taken(true)` once the loop took one, `taken(false)` if it never will (no ack). */
  const buffer: Array<{ event: EventwireEvent; taken?: (took: boolean) => void }> = [];
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
  const feed: Feed = (event, needsAck) => {
    if (waiter) {
      const w = waiter;
      waiter = undefined;
      w.resolve({ value: event, done: false });
      return undefined;
    }
    if (buffer.length >= bufferSize) {
      const error = new QueueFullError(
        words ? `the iterator buffer of subscription ${sub.id}` : `subscription ${sub.id} iterator`,
        bufferSize,
      );
      if (overflow === 'error') {
        end(error);
        sub.unsubscribe();
        host.reportError(error);
        return false; // not delivered: not acked
      }
      buffer.shift()?.taken?.(false); // dropped: never acked
      if (!dropping) host.reportError(error);
      dropping = true;
    } else dropping = false;
    if (!needsAck) {
      buffer.push({ event });
      return undefined;
    }
    return new Promise<boolean>((taken) => buffer.push({ event, taken }));
  };
  feeds.add(feed);
  enders.add(end);
  return {
    next() {
      const entry = buffer.shift();
      if (entry) {
        entry.taken?.(true);
        return Promise.resolve({ value: entry.event, done: false });
      }
      if (finished) return failure ? Promise.reject(failure) : Promise.resolve({ value: undefined, done: true });
      return new Promise((resolve, reject) => {
        waiter = { resolve, reject };
      });
    },
    return() {
      for (const entry of buffer.splice(0)) entry.taken?.(false);
      end();
      sub.unsubscribe();
      return Promise.resolve({ value: undefined, done: true });
    },
  };
}
