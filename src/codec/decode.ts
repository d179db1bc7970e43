import { DecodeError } from '../errors/errors.js';

const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Turns one WebSocket frame into a JSON value, or a {@link DecodeError}.
 * Text frames are JSON; binary frames are UTF-8 JSON.
 *
 * @example
 * ```ts
 * const value = decodeFrame('{"type":"ping"}');
 * ```
 */
export function decodeFrame(data: unknown): unknown | DecodeError {
  let text: string;
  if (typeof data === 'string') {
    text = data;
  } else if (data instanceof ArrayBuffer || ArrayBuffer.isView(data)) {
    const bytes =
      data instanceof ArrayBuffer
        ? new Uint8Array(data)
        : new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
    try {
      text = utf8.decode(bytes);
    } catch (cause) {
      return new DecodeError('invalid_utf8', 'binary frame is not valid UTF-8', cause);
    }
  } else {
    return new DecodeError('unsupported_frame', `unsupported frame type ${typeof data}`);
  }
  try {
    return JSON.parse(text);
  } catch (cause) {
    return new DecodeError('invalid_json', `frame is not valid JSON: ${(cause as Error).message}`, cause);
  }
}
