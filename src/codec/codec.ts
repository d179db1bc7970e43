/**
 * Turns WebSocket frames into protocol values and back. The default is {@link jsonCodec};
 * a user can plug in another format (MessagePack, CBOR...) without touching the core,
 * which only classifies the values a codec returns.
 *
 * @example
 * ```ts
 * const msgpack: Codec = {
 *   decode: (frame) => (typeof frame === 'string' ? JSON.parse(frame) : unpack(new Uint8Array(frame))),
 *   encode: (message) => JSON.stringify(message),
 * };
 * createClient({ url, codec: msgpack });
 * ```
 */
export interface Codec {
  /**
   * Decodes one frame into a JSON-like value: one message, or a batch message. Returns a
   * `DecodeError` (or throws; a throw is wrapped into one) for a frame it cannot decode.
   * `flags.text` tells a text frame handed over as bytes (`ws` in Node) from a binary one;
   * `flags.suspect` may be set to ask the core to look for `__proto__` keys in the result.
   */
  decode(frame: string | ArrayBuffer | Uint8Array, flags: DecodeFlags): unknown;
  /** Encodes an outgoing message. */
  encode(message: object): string;
}

/**
 * What the core tells a codec about a frame, and what the codec tells the core back.
 * @example `codec.decode(frame, { binary: true })`
 */
export interface DecodeFlags {
  /** In: the frame arrived as a text frame (its bytes are UTF-8 JSON, never gzip). */
  text: boolean;
  /** The frame may hold a `__proto__` key: the core checks each message before using it. */
  suspect: boolean;
}
