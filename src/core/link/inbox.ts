import type { Codec, DecodeFlags } from '../../codec/codec.js';
import { hasProtoKey } from '../../codec/json.js';
import type { Dialect, DialectSink } from '../../dialects/dialect.js';
import type { EventwireError } from '../../errors/base.js';
import { DecodeError } from '../../errors/errors.js';

const hasBlob = typeof Blob !== 'undefined';

/** @internal The dialect's sink, plus where frames go that no dialect could read. */
export interface InboxSink extends DialectSink {
  undecodable(error: EventwireError): void;
}

/**
 * @internal Takes frames in arrival order, decodes each once, applies the guards no dialect
 * may skip (the codec's size, UTF-8 and depth checks; `__proto__` keys), and hands the value
 * to the dialect to read.
 * Frames are decoded synchronously, except a `Blob` (which browsers deliver when a socket's
 * binaryType is 'blob'), read asynchronously; frames behind it wait their turn, so order is
 * kept.
 */
export class Inbox {
  readonly #codec: Codec;
  readonly #dialect: Dialect;
  readonly #sink: InboxSink;
  readonly #flags: DecodeFlags = { text: false, suspect: false };
  #queue: Promise<void> | undefined;
  #queued = 0;

  constructor(codec: Codec, dialect: Dialect, sink: InboxSink) {
    this.#codec = codec;
    this.#dialect = dialect;
    this.#sink = sink;
  }

  receive(frame: unknown, text = false): void {
    // The common kinds first: every instanceof that fails walks a prototype chain.
    if (this.#queue === undefined && (typeof frame === 'string' || frame instanceof Uint8Array))
      this.#decode(frame, text);
    else if (this.#queue !== undefined || (hasBlob && frame instanceof Blob)) this.#later(frame, text);
    else this.#process(frame, text);
  }

  #process(frame: unknown, text: boolean): void {
    if (typeof frame === 'string' || frame instanceof Uint8Array || frame instanceof ArrayBuffer)
      this.#decode(frame, text);
    else if (ArrayBuffer.isView(frame))
      this.#decode(new Uint8Array(frame.buffer, frame.byteOffset, frame.byteLength), text);
    else
      this.#sink.undecodable(
        new DecodeError({ reason: 'unsupported_frame', message: `unsupported frame type ${typeof frame}` }),
      );
  }

  #decode(input: string | ArrayBuffer | Uint8Array, text: boolean): void {
    const flags = this.#flags;
    flags.text = text;
    flags.suspect = false;
    let value: unknown;
    try {
      value = this.#codec.decode(input, flags);
    } catch (cause) {
      value =
        cause instanceof DecodeError
          ? cause
          : new DecodeError({ reason: 'codec_failed', message: `the codec threw: ${String(cause)}`, cause });
    }
    if (value instanceof DecodeError) this.#sink.undecodable(value);
    else if (flags.suspect && hasProtoKey(value))
      this.#sink.undecodable(
        new DecodeError({ reason: 'forbidden_key', message: 'a message holds a "__proto__" key; it is dropped' }),
      );
    else {
      try {
        this.#dialect.read(value, this.#sink);
      } catch (cause) {
        this.#sink.undecodable(
          new DecodeError({
            reason: 'dialect_failed',
            message: `the ${this.#dialect.name} dialect threw: ${String(cause)}`,
            cause,
          }),
        );
      }
    }
  }

  #later(frame: unknown, text: boolean): void {
    this.#queued++;
    this.#queue = (this.#queue ?? Promise.resolve())
      .then(async () => this.#process(hasBlob && frame instanceof Blob ? await frame.arrayBuffer() : frame, text))
      .catch((cause: unknown) =>
        this.#sink.undecodable(
          new DecodeError({ reason: 'unreadable_frame', message: 'could not read a binary frame', cause }),
        ),
      )
      .finally(() => {
        if (--this.#queued === 0) this.#queue = undefined;
      });
  }
}
