import { words } from '#words';
import type { Codec, DecodeFlags } from '../../codec/codec.js';
import { hasProtoKey } from '../../codec/json.js';
import type { Dialect, DialectSink } from '../../dialects/dialect.js';
import { describe, type EventwireError } from '../../errors/base.js';
import { DecodeError } from '../../errors/errors.js';
import { MismatchWatch } from './mismatch.js';

const hasBlob = typeof Blob !== 'undefined';

/** Most frames that wait behind one being decoded asynchronously. */
const MAX_WAITING = 1024;

/**
 * The flags of a synchronous decode, one object for every inbox: each reads them before the
 * dialect runs, and a decode that goes asynchronous keeps the object, leaving a new one here.
 */
let syncFlags: DecodeFlags = { text: false, suspect: false };
/** No frame waits: the empty queue every inbox starts with (never written; a frame that waits makes one). */
const NONE_WAITING: readonly unknown[] = [];
/** What `#reading` holds once the dialect refused the value being read: a second refusal is reported as it is. */
const REFUSED = Symbol('refused');

/** @internal The dialect's sink, plus where frames go that no dialect could read. */
export interface InboxSink extends DialectSink {
  undecodable(error: EventwireError): void;
}

/**
 * @internal Takes frames in arrival order, decodes each once, applies the guards no dialect
 * may skip (the codec's size, UTF-8 and depth checks; `__proto__` keys), and hands the value
 * to the dialect to read.
 *
 * Frames are decoded synchronously, except a `Blob` (which browsers deliver when a socket's
 * binaryType is 'blob'), read asynchronously, and a frame the codec decodes asynchronously (it
 * returns a Promise: gzip in browsers). Frames that arrive meanwhile wait their turn, so order
 * is kept; at most {@link MAX_WAITING} of them and `maxBytes` bytes (the transport's
 * `maxPayload`: twice `maxMessageBytes` and 64 KiB) wait,
 * and a frame past either is dropped with a `DecodeError` (`backlog_full`). {@link Inbox.reset}
 * (the link went down) drops the waiting frames and whatever the pending decode gives: nothing
 * from an old socket is read after it.
 */
export class Inbox {
  readonly #codec: Codec;
  readonly #dialect: Dialect;
  readonly #sink: InboxSink;
  readonly #maxBytes: number;
  /** A frame is being read or decoded asynchronously: the frames that arrive wait. */
  #busy = false;
  /** The waiting frames, each as two entries: the frame, then whether it came as text. */
  #waiting: readonly unknown[] = NONE_WAITING;
  #waitingBytes = 0;
  /** Which link the pending decode belongs to: {@link Inbox.reset} moves on. */
  #epoch = 0;
  /** The value the dialect is reading; {@link REFUSED} once it refused it (till the next read). */
  #reading: unknown;
  /** Frames in a row the dialect refuses, which another dialect reads (see {@link MismatchWatch}): made on the first. */
  #watch: MismatchWatch | undefined;

  constructor(codec: Codec, dialect: Dialect, sink: InboxSink, maxBytes = 16 * 1024 * 1024) {
    this.#codec = codec;
    this.#dialect = dialect;
    this.#sink = sink;
    this.#maxBytes = maxBytes;
  }

  /** Frames counted instead of reported, after a `DialectMismatchError` named their dialect. */
  get mismatched(): number {
    return this.#watch?.counted ?? 0;
  }

  /** The value the dialect is reading (undefined between frames; a symbol once refused). */
  get reading(): unknown {
    return this.#reading;
  }

  /**
   * The dialect refused the frame being read (`error`): returns what to report (`error`, or the
   * one `DialectMismatchError`), or undefined when the frame is counted instead.
   */
  refused(error: EventwireError): EventwireError | undefined {
    const value = this.#reading;
    if (value === REFUSED) return error; // a second complaint about one frame (a batch's)
    this.#reading = REFUSED;
    this.#watch ??= new MismatchWatch(this.#dialect.name);
    return this.#watch.refused(error, value);
  }

  receive(frame: unknown, text = false): void {
    // The common kinds first: every instanceof that fails walks a prototype chain.
    if (this.#busy) this.#wait(frame, text);
    else if (typeof frame === 'string' || frame instanceof Uint8Array) this.#decode(frame, text);
    else this.#process(frame, text);
  }

  /** The link went down: the waiting frames, and the one being decoded, are dropped unread. */
  reset(): void {
    this.#epoch++;
    this.#busy = false;
    this.#waiting = NONE_WAITING;
    this.#waitingBytes = 0;
  }

  #process(frame: unknown, text: boolean): void {
    if (typeof frame === 'string' || frame instanceof Uint8Array || frame instanceof ArrayBuffer)
      this.#decode(frame, text);
    else if (ArrayBuffer.isView(frame))
      this.#decode(new Uint8Array(frame.buffer, frame.byteOffset, frame.byteLength), text);
    else if (hasBlob && frame instanceof Blob)
      this.#later(
        frame
          .arrayBuffer()
          .catch((cause: unknown) => new DecodeError('unreadable_frame', 'could not read a binary frame', cause)),
        (bytes) => {
          if (bytes instanceof DecodeError) this.#sink.undecodable(bytes);
          else this.#decode(bytes as ArrayBuffer, text);
        },
      );
    else this.#sink.undecodable(new DecodeError('unsupported_frame', `unsupported frame type ${typeof frame}`));
  }

  #decode(input: string | ArrayBuffer | Uint8Array, text: boolean): void {
    const flags = syncFlags;
    flags.text = text;
    flags.suspect = false;
    let value: unknown;
    try {
      value = this.#codec.decode(input, flags);
    } catch (cause) {
      value = codecFailed(cause);
    }
    if (value instanceof Promise) {
      syncFlags = { text: false, suspect: false }; // the pending decode keeps its own
      this.#later(value, (decoded) => this.#read(decoded, flags));
    } else this.#read(value, flags);
  }

  /** Frames wait until `pending` settles; then `settled` takes its value, and they go on. */
  #later(pending: Promise<unknown>, settled: (value: unknown) => void): void {
    this.#busy = true;
    const epoch = this.#epoch;
    const resume = (value: unknown) => {
      if (epoch !== this.#epoch) return; // the link went down meanwhile
      this.#busy = false;
      settled(value);
      this.#next();
    };
    pending.then(resume, (cause: unknown) => resume(codecFailed(cause)));
  }

  #read(value: unknown, flags: DecodeFlags): void {
    if (value instanceof DecodeError) this.#sink.undecodable(value);
    else if (flags.suspect && !this.#withoutProto(value)) return;
    else {
      this.#reading = value;
      try {
        this.#dialect.read(value, this.#sink);
      } catch (cause) {
        this.#sink.undecodable(
          new DecodeError('dialect_failed', `the ${this.#dialect.name} dialect threw: ${describe(cause, true)}`, cause),
        );
      }
      if (this.#reading !== REFUSED) {
        this.#watch?.read();
        this.#reading = undefined;
      }
    }
  }

  /**
   * Whether `value` (a frame whose text spells `__proto__`) can be read: it holds no `__proto__` key, or holds
   * them only in members of a batch (`{type: 'batch', events}`, every dialect's), which are then taken out of it
   * and reported: within a batch only the bad members are dropped. Anywhere else, the whole message is.
   */
  #withoutProto(value: unknown): boolean {
    if (!hasProtoKey(value)) return true;
    const batch = value as { type?: unknown; events?: unknown };
    const events = batch.events;
    let clean: unknown[] | undefined;
    // a batch over maxBatchSize is not picked apart: it is refused whole, as the dialect would refuse it
    const batched = Array.isArray(events) && events.length <= this.#sink.maxBatchSize;
    if (batch.type === 'batch' && batched && !hasProtoKey({ ...batch, events: undefined }))
      clean = events.filter((member) => !hasProtoKey(member));
    const count = clean ? (events as unknown[]).length - clean.length : 1;
    const message = clean
      ? words
        ? `${count} batch member${count === 1 ? '' : 's'} held a "__proto__" key; dropped`
        : `"__proto__" key in ${count} batch members`
      : words
        ? 'a message holds a "__proto__" key; it is dropped'
        : '"__proto__" key';
    this.#sink.undecodable(new DecodeError({ reason: 'forbidden_key', message, count }));
    if (clean) batch.events = clean;
    return clean !== undefined;
  }

  #wait(frame: unknown, text: boolean): void {
    const bytes = sizeOf(frame);
    if (this.#waiting.length >= 2 * MAX_WAITING || this.#waitingBytes + bytes > this.#maxBytes) {
      const waited = `${this.#waiting.length / 2} frames (${this.#waitingBytes} bytes)`;
      this.#sink.undecodable(
        new DecodeError(
          'backlog_full',
          words
            ? `a frame of ${bytes} bytes arrived while ${waited} waited behind one being decoded; it is dropped`
            : `${bytes} bytes dropped, ${waited} waiting`,
        ),
      );
      return;
    }
    if (this.#waiting === NONE_WAITING) this.#waiting = [frame, text];
    else (this.#waiting as unknown[]).push(frame, text);
    this.#waitingBytes += bytes;
  }

  /** The waiting frames, in order, until one is decoded asynchronously again (or the link goes down). */
  #next(): void {
    const waiting = this.#waiting;
    let at = 0;
    while (!this.#busy && waiting === this.#waiting && at < waiting.length) {
      const frame = waiting[at];
      const text = waiting[at + 1] as boolean;
      at += 2;
      this.#waitingBytes -= sizeOf(frame);
      this.#process(frame, text);
    }
    if (waiting === this.#waiting && at > 0) (waiting as unknown[]).splice(0, at);
  }
}

/** What a waiting frame holds, in bytes (a string: its length in UTF-16 units). */
function sizeOf(frame: unknown): number {
  if (typeof frame === 'string') return frame.length;
  if (frame instanceof ArrayBuffer || ArrayBuffer.isView(frame)) return frame.byteLength;
  return hasBlob && frame instanceof Blob ? frame.size : 0;
}

function codecFailed(cause: unknown): DecodeError {
  return cause instanceof DecodeError
    ? cause
    : new DecodeError('codec_failed', `the codec threw: ${describe(cause, true)}`, cause);
}
