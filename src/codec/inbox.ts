import { DecodeError } from '../errors/errors.js';
import { classify, type MessageSink } from './classify.js';
import type { Codec, DecodeFlags } from './codec.js';

/** @internal Takes frames in arrival order, decodes each once, and classifies the result. */
export interface Inbox {
  receive(frame: unknown): void;
}

const hasBlob = typeof Blob !== 'undefined';

/**
 * @internal Frames are decoded synchronously, except a `Blob` (which browsers deliver when
 * a socket's binaryType is 'blob'), read asynchronously; frames behind it wait their turn,
 * so order is kept.
 */
export function createInbox(codec: Codec, sink: MessageSink): Inbox {
  const flags: DecodeFlags = { suspect: false };
  let queue: Promise<void> | undefined;
  let queued = 0;

  const process = (frame: unknown) => {
    let input: string | ArrayBuffer | Uint8Array;
    if (typeof frame === 'string' || frame instanceof ArrayBuffer || frame instanceof Uint8Array) input = frame;
    else if (ArrayBuffer.isView(frame)) input = new Uint8Array(frame.buffer, frame.byteOffset, frame.byteLength);
    else return sink.error(new DecodeError('unsupported_frame', `unsupported frame type ${typeof frame}`));
    flags.suspect = false;
    let value: unknown;
    try {
      value = codec.decode(input, flags);
    } catch (cause) {
      value =
        cause instanceof DecodeError
          ? cause
          : new DecodeError('codec_failed', `the codec threw: ${String(cause)}`, cause);
    }
    if (value instanceof DecodeError) sink.error(value);
    else classify(value, sink, flags.suspect);
  };

  const later = (frame: unknown) => {
    queued++;
    queue = (queue ?? Promise.resolve())
      .then(async () => process(hasBlob && frame instanceof Blob ? await frame.arrayBuffer() : frame))
      .catch((cause: unknown) =>
        sink.error(new DecodeError('unreadable_frame', 'could not read a binary frame', cause)),
      )
      .finally(() => {
        if (--queued === 0) queue = undefined;
      });
  };

  return {
    receive(frame) {
      if (queue !== undefined || (hasBlob && frame instanceof Blob)) later(frame);
      else process(frame);
    },
  };
}
