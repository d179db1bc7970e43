import { EventwireError, guardFor } from './base.js';

/**
 * Why a frame was dropped as undecodable: the stable `reason` of a {@link DecodeError}.
 *
 * Why a union: these strings are part of the contract (alert rules and metrics key on them),
 * so a new one is a visible change to this type, not a silent new string.
 *
 * - frame: `unsupported_frame` (neither text nor bytes), `unreadable_frame` (a Blob that could
 *   not be read), `too_large` (over `maxMessageBytes`, before or while inflating),
 *   `backlog_full` (1,024 frames, or twice `maxMessageBytes`, already wait behind one being inflated
 *   or read);
 * - gzip: `bad_gzip`, `bad_trailer`, `bad_crc`;
 * - text and JSON: `invalid_utf8`, `invalid_json`, `too_deep`, `too_many_objects`, `forbidden_key`;
 * - messages: `not_object`, `unknown_type`, `invalid_message`, `no_event_name`, `invalid_event`,
 *   `invalid_batch`, `batch_too_large`, `invalid_batch_members`;
 * - order: `out_of_order` (an event whose seq is not above the subscription's cursor, on a link where it
 *   already went past it or that asked for no replay, no replay and asking no ack: seqs only go up in a stream; dropped);
 * - your code: `codec_failed` (a custom codec threw), `dialect_failed` (a dialect's `read` threw).
 *
 * @example
 * ```ts
 * import type { DecodeReason } from 'eventwire';
 * const severe: ReadonlySet<DecodeReason> = new Set(['too_large', 'batch_too_large', 'too_many_objects']);
 * ```
 */
export type DecodeReason =
  | 'unsupported_frame'
  | 'unreadable_frame'
  | 'backlog_full'
  | 'too_large'
  | 'bad_gzip'
  | 'bad_trailer'
  | 'bad_crc'
  | 'invalid_utf8'
  | 'invalid_json'
  | 'too_deep'
  | 'too_many_objects'
  | 'forbidden_key'
  | 'not_object'
  | 'unknown_type'
  | 'invalid_message'
  | 'no_event_name'
  | 'invalid_event'
  | 'invalid_batch'
  | 'batch_too_large'
  | 'invalid_batch_members'
  | 'out_of_order'
  | 'codec_failed'
  | 'dialect_failed';

/**
 * What a {@link DecodeError} is made from.
 *
 * Why an object: the context fields only some reasons carry (`held`, `count`) are named at the
 * call site instead of passed as `undefined, undefined`.
 *
 * @example
 * ```ts
 * import { DecodeError, type DecodeErrorOptions } from 'eventwire';
 * const options: DecodeErrorOptions = { reason: 'invalid_batch_members', message: '3 members dropped', count: 3 };
 * const error = new DecodeError(options);
 * ```
 */
export interface DecodeErrorOptions {
  /** The stable reason. */
  readonly reason: DecodeReason;
  /** What was wrong, for people. */
  readonly message: string;
  /** The underlying error, if one was thrown. @default undefined */
  readonly cause?: unknown;
  /** For a gzip frame stopped at its declared size (`bad_trailer`): that size, the most inflated bytes held; 0 for `too_large` refused before inflating. @default undefined */
  readonly held?: number;
  /** For `batch_too_large`, `invalid_batch_members` and `forbidden_key` (members of a batch): how many members were dropped. @default 1 */
  readonly count?: number;
}

/**
 * A frame from the network could not be decoded into protocol messages. The frame (or
 * the bad member of a batch) is dropped and the connection keeps working.
 *
 * Why: a server bug or a hostile peer must not take the client down, but it must not go
 * unseen either; `reason` says which check failed, in a stable word.
 *
 * A custom dialect's `read` reports an unreadable message with one too:
 * `sink.error(new DecodeError({ reason: 'no_event_name', message: 'a message needs a kind' }))`,
 * or the short form `new DecodeError('no_event_name', 'a message needs a kind')`.
 *
 * @example
 * ```ts
 * import { createClient, isDecodeError } from 'eventwire';
 * const client = createClient({ url: 'wss://events.example.com/ws' });
 * client.on('error', (e) => {
 *   if (isDecodeError(e)) console.warn('dropped a frame:', e.reason, e.count);
 * });
 * ```
 */
export class DecodeError extends EventwireError {
  override name = 'DecodeError';
  /** Which check failed; stable, see {@link DecodeReason}. */
  declare readonly reason: DecodeReason;
  /** For a gzip frame stopped at its declared size (`bad_trailer`): that size, the most inflated bytes held (never over the cap); 0 for `too_large` refused before inflating. */
  declare readonly held: number | undefined;
  /** For `batch_too_large`, `invalid_batch_members` and `forbidden_key` (members of a batch): how many members were dropped. @default 1 */
  declare readonly count: number;
  /** Made from {@link DecodeErrorOptions}. */
  constructor(options: DecodeErrorOptions);
  /** The short form, for a custom dialect's `read`: a reason and a message (and the error behind it, its `cause`). */
  constructor(reason: DecodeReason, message: string, cause?: unknown);
  constructor(reasonOrOptions: DecodeReason | DecodeErrorOptions, message?: string, cause?: unknown) {
    const o: DecodeErrorOptions =
      typeof reasonOrOptions === 'string'
        ? { reason: reasonOrOptions, message: message ?? '', cause }
        : reasonOrOptions;
    super('ERR_DECODE', o.message, { cause: o.cause });
    this.reason = o.reason;
    this.held = o.held;
    this.count = o.count ?? 1;
  }
}

/**
 * Is this a {@link DecodeError}? `err.code === 'ERR_DECODE'` says the same of any eventwire error.
 * @example `client.on('error', (e) => isDecodeError(e) && metrics.increment(e.reason))`
 */
export const isDecodeError = /* @__PURE__ */ guardFor(DecodeError, 'DecodeError');
