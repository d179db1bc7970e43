import type { EventwireError } from '../errors/base.js';
import { ValidationError } from '../errors/errors.js';
import type { EventwireEvent } from '../protocol/event.js';
import type { StandardSchemaV1 } from '../protocol/standard-schema.js';
import { BoundedMap } from './bounded-map.js';
import { collect, type EmitterHost } from './emitter.js';
import type { SubscriptionImpl } from './subscription.js';

/**
 * How events that carry `requires_ack` are acknowledged.
 * - `auto`: once every handler for the event has returned (async ones awaited).
 * - `manual`: handlers call `event.ack()`. Events that reach no handler at all are
 *   acknowledged automatically, since nothing else would.
 * @default 'auto'
 * @example `createClient({ url, acks: 'manual' })`
 */
export type AckMode = 'auto' | 'manual';

/** An event that requires an ack, in `manual` mode. */
export type AckableEvent = EventwireEvent & { ack?: () => void };

const LIFECYCLE = new Set<string>(['open', 'close', 'reconnecting', 'state', 'error', 'message']);

/** @internal Names that are never emitted as server events on the client's emitter. */
export const isLifecycleName = (name: string) => LIFECYCLE.has(name);

/** @internal Routes each event once to client listeners and to matching subscriptions, and acks it. */
export interface Delivery {
  deliver(event: EventwireEvent): void;
  /** Sizes of the dedupe windows. */
  stats(): { messageIds: number; seqs: number };
}

/** @internal */
export function createDelivery(deps: {
  emitter: EmitterHost<Record<string, unknown>>;
  schemas: ReadonlyMap<string, StandardSchemaV1> | undefined;
  subscriptions: ReadonlyMap<string, SubscriptionImpl>;
  acks: AckMode;
  window: number;
  sendAck(messageId: string): void;
  reportError(error: EventwireError): void;
}): Delivery {
  const { emitter, subscriptions } = deps;
  /** message_id -> 'done' (acked) or 'pending' (handlers running / manual ack awaited). */
  const handled = new BoundedMap<string, 'done' | 'pending'>(deps.window);
  /**
   * The last seq given to client-level listeners: like a subscription's cursor, a seq at or
   * below it (a replay, a re-delivery) is not given again. Advanced only while they listen.
   */
  let cursor: number | undefined;

  const ack = (messageId: string) => {
    handled.set(messageId, 'done');
    deps.sendAck(messageId);
  };

  const validate = (event: EventwireEvent, name: string): boolean => {
    const schema = deps.schemas?.get(name);
    if (!schema) return true;
    const result = schema['~standard'].validate(event.data);
    if (result instanceof Promise) {
      deps.reportError(
        new ValidationError(name, [{ message: 'async schemas are not supported; use a synchronous one' }]),
      );
      return false;
    }
    if (result.issues) {
      deps.reportError(new ValidationError(name, result.issues));
      return false;
    }
    event.data = result.value;
    return true;
  };

  return {
    deliver(event) {
      const name = event.event_type;
      const seq = event.seq;
      const messageId = event.requires_ack === true ? event.message_id : undefined;
      const status = messageId === undefined ? undefined : handled.get(messageId);
      if (messageId !== undefined && status !== undefined && seq === undefined) {
        // A re-delivery we can only recognise by its id.
        if (status === 'done') deps.sendAck(messageId);
        return;
      }
      if (!validate(event, name)) {
        if (messageId !== undefined) ack(messageId); // it will not get any better on re-delivery
        return;
      }
      if (messageId !== undefined && deps.acks === 'manual') {
        if (status === undefined) handled.set(messageId, 'pending');
        let done = false;
        (event as AckableEvent).ack = () => {
          if (done) return;
          done = true;
          ack(messageId);
        };
      }

      // Client-level listeners and subscriptions: once per seq each (their cursors).
      let delivered = false;
      let handed = false;
      let pending: PromiseLike<unknown>[] | undefined;
      const named = !LIFECYCLE.has(name);
      if (emitter.count('message') > 0 || (named && emitter.count(name) > 0)) {
        if (seq === undefined || cursor === undefined || seq > cursor) {
          if (seq !== undefined) cursor = seq;
          delivered = true;
          handed = true;
          pending = collect(pending, emitter.emit('message', event));
          if (named) pending = collect(pending, emitter.emit(name, event));
        }
      } else delivered = subscriptions.size === 0; // nobody listens: handled, as far as acks go
      for (const sub of subscriptions.values()) {
        if (!sub.matches(name, event)) continue;
        const result = sub.deliver(event, messageId !== undefined);
        if (result === false) continue;
        delivered = true;
        handed = true;
        pending = collect(pending, result);
      }

      if (messageId === undefined) return;
      if (!delivered) {
        // Everyone had it already: a re-delivery whose ack was lost, or a replay.
        if (status !== 'pending') ack(messageId);
        return;
      }
      if (deps.acks === 'manual') {
        if (!handed) (event as AckableEvent).ack?.();
        return;
      }
      if (!pending) return ack(messageId);
      if (status === undefined) handled.set(messageId, 'pending');
      Promise.all(pending).then(() => ack(messageId));
    },
    stats: () => ({ messageIds: handled.size, seqs: cursor === undefined ? 0 : 1 }),
  };
}
