import { words } from '#words';
import { describe, type EventwireError } from '../../errors/base.js';
import { DecodeError, QueueFullError, ValidationError } from '../../errors/errors.js';
import type { EventwireEvent } from '../../protocol/event.js';
import type { StandardSchemaV1 } from '../../protocol/standard-schema.js';
import { utf8Length } from '../../protocol/utf8.js';
import { BoundedMap } from '../util/bounded-map.js';
import { merge, type Outcome } from '../util/outcome.js';
import { BEHIND, type SubscriptionImpl } from './subscription.js';

/**
 * How events that carry `requires_ack` are acknowledged. Either way an ack means "handled":
 * nothing that failed, was refused by its schema or was dropped is acked, so the server
 * sends it again, and the handlers get it again.
 * - `auto`: once every handler for the event has returned (async ones resolved). A handler
 *   that throws or rejects leaves it unacked.
 * - `manual`: handlers call `event.ack()`, or `event.nack()` to have it again on the server's
 *   re-delivery. Events that reach no handler at all are acknowledged, since nothing else would.
 * @default 'auto'
 * @example `createClient({ url, acks: 'manual' })`
 */
export type AckMode = 'auto' | 'manual';

/** An event that requires an ack, in `manual` mode. @example `(ev as AckableEvent).ack?.()` */
export type AckableEvent = EventwireEvent & { ack?: () => void; nack?: () => void };

/** @internal The names of the client's lifecycle events (`LifecycleEvents`). */
export const LIFECYCLE: ReadonlySet<string> = new Set(['open', 'close', 'reconnecting', 'state', 'error', 'message']);

/** @internal Names that are never emitted as server events on the client's emitter. */
export const isLifecycleName = (name: string) => LIFECYCLE.has(name);

/** @internal Routes each event once to every subscription it matches (listeners are subscriptions too), and acks it. */
export interface Delivery {
  deliver(event: EventwireEvent): void;
  /** Counts deliveries: a subscription born during one (`born === epoch`) does not get that event. */
  readonly epoch: number;
  /** Sizes of the ack bookkeeping. */
  stats(): { messageIds: number; messageIdBytes: number; inFlight: number };
}

/** What became of an event that asked for an ack, by its message id (kept for `window` ids). */
type Verdict = 'acked' | 'failed';

/**
 * An event behind its subscription's cursor on a link that already delivered past it (seqs only go up
 * in a stream), not re-sent for its ack: dropped, since each event is delivered once and in seq order, and said,
 * since a server that sent one seq too high would otherwise mute the subscription until the next link.
 */
const outOfOrder = (seq: number, cursor: number): DecodeError =>
  new DecodeError(
    'out_of_order',
    words ? `seq ${seq} came after seq ${cursor} on one link: dropped (seqs only go up)` : `seq ${seq} after ${cursor}`,
  );

/**
 * @internal The client's delivery: `schemas` validate the events' data, `subscriptions` get them, acks
 * (`sendAck`) are sent as `acks` says, `window` message ids are remembered, errors go to `reportError`; `ending`:
 * an unsubscribe waits for its answer (an event behind the cursors may be its subscription's replay).
 */
export function createDelivery(
  schemas: ReadonlyMap<string, StandardSchemaV1> | undefined,
  subscriptions: ReadonlyMap<string, SubscriptionImpl>,
  acks: AckMode,
  window: number,
  sendAck: (messageId: string) => void,
  reportError: (error: EventwireError) => void,
  ending: () => boolean = () => false,
): Delivery {
  /** Settled events: acked (a re-delivery is acked again: the first ack was lost) or failed (delivered again). */
  const verdicts = new BoundedMap<string, Verdict>(window, utf8Length);
  /**
   * Events whose handlers still run (or, manual, await `ack()`): never evicted, so a
   * re-delivery meanwhile is neither delivered nor acked. Bounded on its own: at `maxInFlight`
   * entries, a new event that asks for an ack is neither delivered nor acked (the server sends
   * it again), and a `QueueFullError` is reported once.
   */
  const inFlight = new Set<string>();
  const maxInFlight = Math.max(window, 10_000);
  let overloaded = false;
  let epoch = 0;

  const settle = (messageId: string, ok: boolean) => {
    inFlight.delete(messageId);
    verdicts.set(messageId, ok ? 'acked' : 'failed');
    if (ok) sendAck(messageId);
  };

  const validate = (event: EventwireEvent, name: string, schema: StandardSchemaV1 | undefined): boolean => {
    if (!schema) return true;
    let result: StandardSchemaV1.Result<unknown> | Promise<StandardSchemaV1.Result<unknown>>;
    try {
      result = schema['~standard'].validate(event.data);
    } catch (cause) {
      reportError(
        new ValidationError(name, [{ message: `the schema threw: ${describe(cause, true)}` }], { seq: event.seq }),
      );
      return false;
    }
    if (result instanceof Promise) {
      reportError(
        new ValidationError(
          name,
          [{ message: words ? 'async schemas are not supported; use a synchronous one' : 'async schema' }],
          {
            seq: event.seq,
          },
        ),
      );
      return false;
    }
    if (result.issues) {
      reportError(new ValidationError(name, result.issues, event));
      return false;
    }
    event.data = result.value;
    return true;
  };

  return {
    get epoch() {
      return epoch;
    },
    deliver(event) {
      const name = event.event_type;
      const now = ++epoch;
      const messageId = event.requires_ack === true ? event.message_id : undefined;
      let again = false;
      if (messageId !== undefined) {
        if (inFlight.has(messageId)) return; // its handlers still run: no second copy, no ack
        const verdict = verdicts.get(messageId);
        // Acked before: our ack was lost. With a seq, the subscriptions' cursors decide (a replay
        // may still be new to one that was waiting for it); without one, nobody gets it twice.
        if (verdict === 'acked' && event.seq === undefined) return sendAck(messageId);
        again = verdict === 'failed';
        if (inFlight.size >= maxInFlight) {
          if (!overloaded)
            reportError(
              new QueueFullError(words ? 'the set of events awaiting their ack' : 'unacked set', maxInFlight),
            );
          overloaded = true;
          return; // neither delivered nor acked: the server sends it again
        }
        overloaded = false;
      }
      // without schemas (the common case) not even a lookup
      if (schemas !== undefined && !validate(event, name, schemas.get(name))) {
        if (messageId !== undefined) verdicts.set(messageId, 'failed');
        return;
      }
      if (messageId !== undefined) inFlight.add(messageId);
      const manual = messageId !== undefined && acks === 'manual';
      let answered = false;
      if (manual) {
        const answer = (ok: boolean) => {
          if (answered) return;
          answered = true;
          settle(messageId, ok);
        };
        (event as AckableEvent).ack = () => answer(true);
        (event as AckableEvent).nack = () => answer(false);
      }

      let handed = false;
      let replayed = false;
      let behind: SubscriptionImpl | undefined;
      let outcome: Outcome;
      for (const sub of subscriptions.values()) {
        if (sub.born === now || !sub.matches(name, event)) continue; // one a handler just made waits for the next event
        const result = sub.deliver(event, messageId !== undefined, again);
        if (result === null) replayed = true;
        else if (result === BEHIND) behind = sub;
        else {
          handed = true;
          outcome = merge(outcome, result);
        }
      }
      // Behind every cursor that matched it, on links that went past it, and no replay: seqs only go up in a
      // stream, so it is out of order, and dropped (once, in seq order) with a word, not muted without one. Not one
      // that asks for an ack: servers re-send those, behind the cursors, at least once (the reference server to
      // every subscribe, whoever left it unacked); it is acked as a replay is.
      // (While an unsubscribe waits for its answer, the replay of the subscription it ended may still come: quiet.)
      if (behind && !handed && !replayed && messageId === undefined && !ending()) {
        reportError(outOfOrder(event.seq as number, behind.cursor as number));
      }

      if (messageId === undefined) return;
      if (!handed) {
        // Every subscription had it already (a replay), or nobody listens: handled, as far as acks go.
        if (!answered) settle(messageId, true);
        return;
      }
      if (outcome === false) {
        if (!answered) settle(messageId, false);
        return;
      }
      if (manual) return; // the handlers answer with ack() or nack()
      if (outcome === undefined) settle(messageId, true);
      else outcome.then((ok) => settle(messageId, ok));
    },
    stats: () => ({ messageIds: verdicts.size, messageIdBytes: verdicts.bytes, inFlight: inFlight.size }),
  };
}
