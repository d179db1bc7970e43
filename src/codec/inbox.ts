import { DecodeError } from '../errors/errors.js';
import { classify, type MessageSink } from './classify.js';
import type { Codec, DecodeFlags } from './codec.js';

const hasBlob = typeof Blob !== 'undefined';

/**
 * @internal Takes frames in arrival order, decodes each once, and classifies the result.
 * Frames are decoded synchronously, except a `Blob` (which browsers deliver when a socket's
 * binaryType is 'blob'), read asynchronously; frames behind it wait their turn, so order is
 * kept.
 */
export class Inbox {
  readonly #codec: Codec;
  readonly #sink: MessageSink;
  readonly #flags: DecodeFlags = { text: false, suspect: false };
  #queue: Promise<void> | undefined;
  #queued = 0;

  constructor(codec: Codec, sink: MessageSink) {
    this.#codec = codec;
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
    else this.#sink.error(new DecodeError('unsupported_frame', `unsupported frame type ${typeof frame}`));
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
          : new DecodeError('codec_failed', `the codec threw: ${String(cause)}`, cause);
    }
    if (value instanceof DecodeError) this.#sink.error(value);
    else classify(value, this.#sink, flags.suspect);
  }

  #later(frame: unknown, text: boolean): void {
    this.#queued++;
    this.#queue = (this.#queue ?? Promise.resolve())
      .then(async () => this.#process(hasBlob && frame instanceof Blob ? await frame.arrayBuffer() : frame, text))
      .catch((cause: unknown) =>
        this.#sink.error(new DecodeError('unreadable_frame', 'could not read a binary frame', cause)),
      )
      .finally(() => {
        if (--this.#queued === 0) this.#queue = undefined;
      });
  }
}
