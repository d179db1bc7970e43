import { words } from '#words';
import { kind, shown as quoted } from '../errors/base.js';
import { DecodeError, type DecodeReason } from '../errors/errors.js';
import { CONTROL_TYPES, type EventwireEvent } from '../protocol/event.js';
import type { DialectSink } from './dialect.js';
import { isMessageId, isName, isObject, MESSAGE_ID_TOO_LONG, type Obj } from './shared.js';

/** What is wrong with a message: a stable reason and a message for people. */
type Problem = [DecodeReason, string];

/** The pong of protocol v1, shared (it carries nothing). */
const PONG = { type: 'pong' };

/** A seq as PROTOCOL.md §2 has it: an integer >= 0 that a double holds exactly. */
const isSeq = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
/** Words used more than once, folded to their facts in a browser production bundle (see src/errors/words.ts). */
const BAD_SEQ = words ? 'seq must be a non-negative integer' : 'seq: integer >= 0';
const BAD_ID = words ? 'id must be a string' : 'id: string';

/**
 * Protocol v1's reader: routes one decoded JSON value to the sink. A hand-written
 * equivalent of `ServerMessageSchema` (a property test keeps the two in agreement), because
 * it runs for every message and must not allocate.
 */
export function readEventwire(value: unknown, sink: DialectSink): void {
  if (!isObject(value)) {
    sink.error(
      new DecodeError(
        'not_object',
        words ? `a message must be a JSON object, got ${kind(value)}` : `message: ${kind(value)}`,
      ),
    );
    return;
  }
  const type = value.type;
  if (typeof type === 'string' && CONTROL_TYPES.has(type)) {
    if (type === 'batch') {
      const events = value.events;
      if (!Array.isArray(events)) {
        sink.error(
          new DecodeError('invalid_batch', words ? 'a batch needs an events array' : 'batch: no events array'),
        );
        return;
      }
      readBatch(events, sink);
      return;
    }
    const problem = controlProblem(type, value);
    if (problem)
      sink.error(
        new DecodeError('invalid_message', words ? `invalid ${type} message: ${problem}` : `${type}: ${problem}`),
      );
    else control(type, value, sink);
    return;
  }
  if (type === undefined && value.event_type === undefined && typeof value.id === 'string') {
    if (typeof value.success !== 'boolean') {
      sink.error(
        new DecodeError(
          'invalid_message',
          words ? 'a response needs a boolean success' : 'response: success not boolean',
        ),
      );
      return;
    }
    const error = value.error;
    // a string or a number as sent; anything else (an object: String() may throw on it) as its kind
    const failure = isObject(error)
      ? { code: text(error.code, 'unknown'), message: text(error.message, '') }
      : undefined;
    if (!sink.response(value.id, false, value.success, value.result, failure))
      unasked(value.id, value.success, failure, sink);
    return;
  }
  if (value.event_type === undefined && isName(type) && !('data' in value) && !('timestamp' in value)) {
    const shown = JSON.stringify(type).slice(0, 80);
    sink.error(new DecodeError('unknown_type', words ? `unknown message type ${shown}` : `unknown type ${shown}`));
    return;
  }
  readEvent(value, sink);
}

/**
 * A response no request waits for (nor one that timed out or was aborted lately): a failure is the
 * server's error (a ServerError, as forge() reports one), a success a DecodeError (`invalid_message`).
 */
function unasked(id: string, ok: boolean, failure: { code: string; message: string } | undefined, sink: DialectSink) {
  const shown = quoted(id.slice(0, 80));
  const what = words ? `a response to ${shown}, no request of this client's` : `response ${shown}`;
  if (ok) sink.error(new DecodeError('invalid_message', what));
  else sink.serverError(failure?.code ?? 'unknown', `${failure?.message ?? 'request failed'} (${what})`);
}

/** A server's field as text: a string or a number as it was sent, `otherwise` when absent, else its kind. */
const text = (value: unknown, otherwise: string): string =>
  typeof value === 'string' || typeof value === 'number' ? String(value) : value == null ? otherwise : kind(value);

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
    default: // unsubscribed (controlProblem refuses the other types)
      sink.unsubscribed?.(v.id as string);
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

const notObject = (v: unknown): Problem => [
  'not_object',
  words ? `an event must be a JSON object, got ${kind(v)}` : `event: ${kind(v)}`,
];

/** An event refused for `message`. */
const invalid = (message: string): Problem => ['invalid_event', message];

/**
 * A batch: over `maxBatchSize` members it is refused whole, before any member is
 * looked at; otherwise each good member is delivered, in order, and the bad ones (not events,
 * or control messages in disguise) are reported together, as one DecodeError with their count.
 */
function readBatch(events: unknown[], sink: DialectSink): void {
  if (events.length > sink.maxBatchSize) {
    const message = words
      ? `a batch of ${events.length} members is over maxBatchSize (${sink.maxBatchSize})`
      : `batch of ${events.length} > maxBatchSize (${sink.maxBatchSize})`;
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
      problem = invalid(
        words
          ? `a batch member typed ${JSON.stringify(member.type)} is not an event`
          : `${JSON.stringify(member.type)} in a batch`,
      );
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
    bad === 1
      ? first[1]
      : words
        ? `${bad} of ${events.length} batch members were dropped; the first: ${first[1]}`
        : `${bad} of ${events.length} dropped; first: ${first[1]}`;
  sink.error(new DecodeError({ reason: bad === 1 ? first[0] : 'invalid_batch_members', message, count: bad }));
}

/** Returns [reason, message] when `v` is not a valid event, else undefined. */
function eventProblem(v: Obj): Problem | undefined {
  const name = v.event_type;
  const type = v.type;
  if (name === undefined) {
    if (!isName(type))
      return ['no_event_name', words ? 'an event needs a name in event_type or type' : 'no event_type or type'];
  } else if (!isName(name))
    return ['no_event_name', words ? 'event_type must be a non-empty string' : 'event_type: non-empty string'];
  else if (type !== undefined && !isName(type))
    return invalid(words ? 'type must be a non-empty string' : 'type: non-empty string');
  if (typeof v.timestamp !== 'string')
    return invalid(words ? 'an event needs a string timestamp' : 'timestamp: string');
  if (!('data' in v)) return invalid(words ? 'an event needs data' : 'no data');
  if (v.metadata !== undefined && !isObject(v.metadata))
    return invalid(words ? 'metadata must be an object' : 'metadata: object');
  const seq = v.seq;
  if (seq !== undefined && !isSeq(seq)) {
    return invalid(BAD_SEQ);
  }
  if (v.message_id !== undefined && !isName(v.message_id))
    return invalid(words ? 'message_id must be a non-empty string' : 'message_id: non-empty string');
  if (v.requires_ack !== undefined && typeof v.requires_ack !== 'boolean') {
    return invalid(words ? 'requires_ack must be a boolean' : 'requires_ack: boolean');
  }
  if (v.requires_ack === true && v.message_id === undefined)
    return invalid(words ? 'an event with requires_ack needs a message_id' : 'requires_ack without message_id');
  if (v.requires_ack === true && !isMessageId(v.message_id)) return invalid(MESSAGE_ID_TOO_LONG);
  return undefined;
}

function controlProblem(type: string, v: Obj): string | undefined {
  switch (type) {
    case 'ping':
    case 'pong':
      return v.ts === undefined || typeof v.ts === 'number' ? undefined : words ? 'ts must be a number' : 'ts: number';
    case 'welcome':
      if (typeof v.session_id !== 'string') return words ? 'session_id must be a string' : 'session_id: string';
      if (
        v.heartbeat_interval !== undefined &&
        !(typeof v.heartbeat_interval === 'number' && v.heartbeat_interval > 0)
      ) {
        return words ? 'heartbeat_interval must be a positive number' : 'heartbeat_interval: number > 0';
      }
      return undefined;
    case 'subscribed': {
      if (typeof v.id !== 'string') return BAD_ID;
      if (v.events !== undefined && !(Array.isArray(v.events) && v.events.every((e) => typeof e === 'string'))) {
        return words ? 'events must be a list of names' : 'events: string[]';
      }
      if (v.seq !== undefined && !isSeq(v.seq)) return BAD_SEQ;
      const gap = v.gap as Obj | undefined;
      // seqs, the first not after the last: a gap users refetch by is a range
      if (gap !== undefined && !(isObject(gap) && isSeq(gap.from) && isSeq(gap.to) && gap.from <= gap.to)) {
        return words ? 'gap must be {from, to}: seqs, from <= to' : 'gap: {from <= to}';
      }
      return undefined;
    }
    case 'unsubscribed':
      return typeof v.id === 'string' ? undefined : BAD_ID;
    case 'error':
      if (v.id !== undefined && typeof v.id !== 'string') return BAD_ID;
      return typeof v.code === 'string' && typeof v.message === 'string'
        ? undefined
        : words
          ? 'code and message must be strings'
          : 'code, message: strings';
    default:
      return words ? `${type} is a client-to-server message` : 'client-to-server';
  }
}
