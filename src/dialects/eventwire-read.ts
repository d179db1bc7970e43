import { kind } from '../errors/base.js';
import { DecodeError, type DecodeReason } from '../errors/errors.js';
import { CONTROL_TYPES, type EventwireEvent } from '../protocol/event.js';
import type { DialectSink } from './dialect.js';
import { isMessageId, isName, isObject, MAX_MESSAGE_ID_BYTES, type Obj } from './shared.js';

/** What is wrong with a message: a stable reason and a message for people. */
type Problem = [DecodeReason, string];

/** The pong of protocol v1, shared (it carries nothing). */
const PONG = { type: 'pong' };

/**
 * Protocol v1's reader: routes one decoded JSON value to the sink. A hand-written
 * equivalent of `ServerMessageSchema` (a property test keeps the two in agreement), because
 * it runs for every message and must not allocate.
 */
export function readEventwire(value: unknown, sink: DialectSink): void {
  if (!isObject(value)) {
    sink.error(new DecodeError('not_object', `a message must be a JSON object, got ${kind(value)}`));
    return;
  }
  const type = value.type;
  if (typeof type === 'string' && CONTROL_TYPES.has(type)) {
    if (type === 'batch') {
      const events = value.events;
      if (!Array.isArray(events)) {
        sink.error(new DecodeError('invalid_batch', 'a batch needs an events array'));
        return;
      }
      readBatch(events, sink);
      return;
    }
    const problem = controlProblem(type, value);
    if (problem) sink.error(new DecodeError('invalid_message', `invalid ${type} message: ${problem}`));
    else control(type, value, sink);
    return;
  }
  if (type === undefined && value.event_type === undefined && typeof value.id === 'string') {
    if (typeof value.success !== 'boolean') {
      sink.error(new DecodeError('invalid_message', 'a response needs a boolean success'));
      return;
    }
    const error = value.error;
    sink.response(
      value.id,
      false,
      value.success,
      value.result,
      isObject(error) ? { code: String(error.code ?? 'unknown'), message: String(error.message ?? '') } : undefined,
    );
    return;
  }
  if (value.event_type === undefined && isName(type) && !('data' in value) && !('timestamp' in value)) {
    sink.error(new DecodeError('unknown_type', `unknown message type ${JSON.stringify(type).slice(0, 80)}`));
    return;
  }
  readEvent(value, sink);
}

function control(type: string, v: Obj, sink: DialectSink): void {
  switch (type) {
    case 'ping':
      sink.ping(v.ts === undefined ? PONG : { type: 'pong', ts: v.ts });
      return;
    case 'pong':
      sink.pong();
      return;
    case 'welcome':
      sink.greeting(v.session_id as string, v.heartbeat_interval as number | undefined);
      return;
    case 'subscribed':
      sink.subscribed(v.id as string, v.seq as number | undefined, v.gap as { from: number; to: number } | undefined);
      return;
    case 'error':
      sink.serverError(v.code as string, v.message as string, v.id as string | undefined);
      return;
    default:
      return; // unsubscribed: nothing to do
  }
}

function readEvent(value: Obj, sink: DialectSink): void {
  const problem = eventProblem(value);
  if (problem) sink.error(new DecodeError(problem[0], problem[1]));
  else deliver(value, sink);
}

/** A valid event (see {@link eventProblem}): its name is in `event_type`, else in `type`. */
function deliver(value: Obj, sink: DialectSink): void {
  if (value.event_type === undefined) value.event_type = value.type;
  sink.event(value as unknown as EventwireEvent);
}

const notObject = (v: unknown): Problem => ['not_object', `an event must be a JSON object, got ${kind(v)}`];

/** An event refused for `message`. */
const invalid = (message: string): Problem => ['invalid_event', message];

/**
 * A batch: over `maxBatchSize` members it is refused whole, before any member is
 * looked at; otherwise each good member is delivered, in order, and the bad ones (not events,
 * or control messages in disguise) are reported together, as one DecodeError with their count.
 */
function readBatch(events: unknown[], sink: DialectSink): void {
  if (events.length > sink.maxBatchSize) {
    const message = `a batch of ${events.length} members is over maxBatchSize (${sink.maxBatchSize})`;
    sink.error(new DecodeError({ reason: 'batch_too_large', message, count: events.length }));
    return;
  }
  let bad = 0;
  let first: Problem | undefined;
  for (let i = 0; i < events.length; i++) {
    const member = events[i];
    let problem: Problem | undefined;
    if (!isObject(member)) problem = notObject(member);
    else if (typeof member.type === 'string' && CONTROL_TYPES.has(member.type))
      problem = invalid(`a batch member typed ${JSON.stringify(member.type)} is not an event`);
    else problem = eventProblem(member);
    if (!problem) {
      deliver(member as Obj, sink);
      continue;
    }
    bad++;
    first ??= problem;
  }
  if (!first) return;
  const message =
    bad === 1 ? first[1] : `${bad} of ${events.length} batch members were dropped; the first: ${first[1]}`;
  sink.error(new DecodeError({ reason: bad === 1 ? first[0] : 'invalid_batch_members', message, count: bad }));
}

/** Returns [reason, message] when `v` is not a valid event, else undefined. */
function eventProblem(v: Obj): Problem | undefined {
  const name = v.event_type;
  const type = v.type;
  if (name === undefined) {
    if (!isName(type)) return ['no_event_name', 'an event needs a name in event_type or type'];
  } else if (!isName(name)) return ['no_event_name', 'event_type must be a non-empty string'];
  else if (type !== undefined && !isName(type)) return invalid('type must be a non-empty string');
  if (typeof v.timestamp !== 'string') return invalid('an event needs a string timestamp');
  if (!('data' in v)) return invalid('an event needs data');
  if (v.metadata !== undefined && !isObject(v.metadata)) return invalid('metadata must be an object');
  const seq = v.seq;
  if (seq !== undefined && !(typeof seq === 'number' && Number.isSafeInteger(seq) && seq >= 0)) {
    return invalid('seq must be a non-negative integer');
  }
  if (v.message_id !== undefined && !isName(v.message_id)) return invalid('message_id must be a non-empty string');
  if (v.requires_ack !== undefined && typeof v.requires_ack !== 'boolean') {
    return invalid('requires_ack must be a boolean');
  }
  if (v.requires_ack === true && v.message_id === undefined)
    return invalid('an event with requires_ack needs a message_id');
  if (v.requires_ack === true && !isMessageId(v.message_id))
    return invalid(`message_id must be at most ${MAX_MESSAGE_ID_BYTES} bytes (UTF-8)`);
  return undefined;
}

function controlProblem(type: string, v: Obj): string | undefined {
  switch (type) {
    case 'ping':
    case 'pong':
      return v.ts === undefined || typeof v.ts === 'number' ? undefined : 'ts must be a number';
    case 'welcome':
      if (typeof v.session_id !== 'string') return 'session_id must be a string';
      if (
        v.heartbeat_interval !== undefined &&
        !(typeof v.heartbeat_interval === 'number' && v.heartbeat_interval > 0)
      ) {
        return 'heartbeat_interval must be a positive number';
      }
      return undefined;
    case 'subscribed': {
      if (typeof v.id !== 'string') return 'id must be a string';
      if (v.events !== undefined && !(Array.isArray(v.events) && v.events.every((e) => typeof e === 'string'))) {
        return 'events must be a list of names';
      }
      if (v.seq !== undefined && !(typeof v.seq === 'number' && Number.isSafeInteger(v.seq) && v.seq >= 0)) {
        return 'seq must be a non-negative integer';
      }
      const gap = v.gap as Obj | undefined;
      if (gap !== undefined && !(isObject(gap) && typeof gap.from === 'number' && typeof gap.to === 'number')) {
        return 'gap must be {from, to}';
      }
      return undefined;
    }
    case 'unsubscribed':
      return typeof v.id === 'string' ? undefined : 'id must be a string';
    case 'error':
      if (v.id !== undefined && typeof v.id !== 'string') return 'id must be a string';
      return typeof v.code === 'string' && typeof v.message === 'string'
        ? undefined
        : 'code and message must be strings';
    default:
      return `${type} is a client-to-server message`;
  }
}
