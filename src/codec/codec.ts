/**
 * Turns WebSocket frames into protocol values and back. The default is {@link jsonCodec};
 * a user can plug in another format (MessagePack, CBOR...) without touching the core,
 * which only classifies the values a codec returns.
 *
 * @example
 * ```ts
 * import { type Codec, createClient } from 'eventwire';
 * // a server that sends JSON as UTF-16LE binary frames (and text frames as usual)
 * const utf16: Codec = {
 *   decode: (frame, flags) =>
 *     JSON.parse(typeof frame === 'string' ? frame : new TextDecoder(flags.text ? 'utf-8' : 'utf-16le').decode(frame)),
 *   encode: (message) => JSON.stringify(message),
 * };
 * createClient({ url: 'wss://events.example.com/ws', codec: utf16 });
 * ```
 */
export interface Codec {
  /**
   * Decodes one frame into a JSON-like value: one message, or a batch message. Returns a
   * `DecodeError` (or throws; a throw is wrapped into one) for a frame it cannot decode.
   * `flags.text` tells a text frame handed over as bytes (`ws` in Node) from a binary one;
   * `flags.suspect` may be set to ask the core to look for `__proto__` keys in the result.
   * A frame that takes time (the JSON codec's gzip frames, inflated by a `DecompressionStream`
   * in browsers) may return a Promise of the same: the frames that arrive meanwhile wait behind
   * it, in order (set `flags.suspect` before it settles).
   */
  decode(frame: string | ArrayBuffer | Uint8Array, flags: DecodeFlags): unknown;
  /** Encodes an outgoing message. */
  encode(message: object): string;
}

/**
 * What the core tells a codec about a frame, and what the codec tells the core back.
 * @example `codec.decode(bytes, { text: false, suspect: false })`
 */
export interface DecodeFlags {
  /** In: the frame arrived as a text frame (its bytes are UTF-8 JSON, never gzip). */
  text: boolean;
  /** The frame may hold a `__proto__` key: the core checks each message before using it. */
  suspect: boolean;
}
