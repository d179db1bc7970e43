// `#inflate`: node:zlib under the `node` condition, DecompressionStream (or fflate) elsewhere (package.json "imports").
import { defaultInflate } from '#inflate';
import { words } from '#words';
import { DecodeError } from '../errors/errors.js';
import { utf8Length } from '../protocol/utf8.js';
import type { Codec, DecodeFlags } from './codec.js';
import type { GzipFault, Inflate, RawInflate } from './gzip.js';
import { isGzip } from './gzip-lazy.js';

/**
 * Limits of the JSON codec.
 * @example `jsonCodec({ maxMessageBytes: 1 << 20 })`
 */
export interface JsonCodecOptions {
  /** Largest frame, after inflation, in bytes. @default 16 MiB */
  maxMessageBytes?: number;
  /** Deepest nesting of objects and arrays in one frame. @default 64 */
  maxDepth?: number;
  /**
   * Most objects, arrays and members (of arrays and objects: the values between commas) in one
   * frame, counted before parsing (a small gzip frame can inflate to millions of empty objects
   * or of array members, each an allocation or a slot). @default 1000000
   */
  maxObjects?: number;
  /** Verify the CRC-32 of gzip frames (zlib always does). @default true */
  checkCrc?: boolean;
  /** The gzip inflater. @default node:zlib in Node; elsewhere DecompressionStream, or fflate where there is none */
  inflate?: Inflate;
}

const utf8 = /* @__PURE__ */ new TextDecoder('utf-8', { fatal: true });
/** A JSON escape of a character of `__proto__` (`_` 5f, `o` 6f, `p` 70, `r` 72, `t` 74): an escaped key may be one. */
const PROTO_ESCAPE = /\\u00(?:5f|6f|7[024])/i;

/**
 * The protocol's own format: text frames are JSON; binary frames are UTF-8 JSON, or gzip
 * (recognised by its magic bytes) of UTF-8 JSON, inflated under a hard cap. Its options are
 * taken as given: the client's default codec is made with checked ones, and the `jsonCodec` of
 * `eventwire` (codec/json-checked.ts) checks a user's first.
 *
 * @example
 * ```ts
 * createClient({ url, codec: jsonCodec({ maxMessageBytes: 4 << 20, maxDepth: 32 }) });
 * ```
 */
export function jsonCodec(options: JsonCodecOptions = {}): Codec {
  const cap = options.maxMessageBytes ?? 16 * 1024 * 1024;
  const maxDepth = options.maxDepth ?? 64;
  const maxObjects = options.maxObjects ?? 1_000_000;
  const checkCrc = options.checkCrc ?? true;
  const inflate: Inflate | RawInflate = options.inflate ?? defaultInflate;
  /** The checks and the parse every frame goes through, once it is text. */
  const parse = (text: string, flags: DecodeFlags): unknown => {
    if (tooDeep(text, maxDepth))
      return new DecodeError(
        'too_deep',
        words ? `JSON nested deeper than maxDepth (${maxDepth})` : `deeper than maxDepth (${maxDepth})`,
      );
    if (text.length > maxObjects && tooMany(text, maxObjects))
      return new DecodeError(
        'too_many_objects',
        words ? `more than ${maxObjects} objects, arrays and members in one frame` : `over maxObjects (${maxObjects})`,
      );
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (cause) {
      const why = (cause as Error).message;
      return new DecodeError('invalid_json', words ? `frame is not valid JSON: ${why}` : `JSON: ${why}`, cause);
    }
    // An escaped key ("\u005f_proto__") is only visible after parsing, hence the second test: it
    // looks for the escapes of `_ p r o t` alone, so that text escaped as Python's json.dumps does
    // (every non-ASCII character) is not walked key by key for nothing.
    flags.suspect = text.includes('__proto__') || (text.includes('\\u00') && PROTO_ESCAPE.test(text));
    return value;
  };
  /** A frame as bytes (a text frame's, or a binary one once inflated if it was gzip): UTF-8 JSON. */
  const parseBytes = (bytes: Uint8Array | DecodeError | GzipFault, flags: DecodeFlags): unknown => {
    // bytes (every frame in Node) take one check; the rest is a verdict
    if (!(bytes instanceof Uint8Array)) {
      if (bytes instanceof DecodeError) return bytes;
      // the package's inflaters say what is wrong with a frame; the error is made here, in the first load
      if (typeof (bytes as Partial<GzipFault>).reason === 'string') return new DecodeError(bytes as GzipFault);
    }
    let text: string;
    try {
      text = utf8.decode(bytes as Uint8Array); // or what an inflater of the option gave: TextDecoder judges it
    } catch (cause) {
      const kind = flags.text ? 'text' : 'binary';
      return new DecodeError(
        'invalid_utf8',
        words ? `${kind} frame is not valid UTF-8` : `${kind} frame: not UTF-8`,
        cause,
      );
    }
    return parse(text, flags);
  };
  return {
    decode(frame, flags) {
      if (typeof frame === 'string') {
        // The cap is in UTF-8 bytes: a UTF-16 length over it is certainly over it; one over a
        // third of it may be (a character takes up to 3 bytes), and is counted.
        const bytes = frame.length > cap / 3 ? utf8Length(frame, cap) : frame.length;
        if (bytes > cap)
          return new DecodeError(
            'too_large',
            words
              ? `text frame of over ${cap} bytes is over maxMessageBytes (${cap})`
              : `text frame > maxMessageBytes (${cap})`,
          );
        return parse(frame, flags);
      }
      const bytes = frame instanceof Uint8Array ? frame : new Uint8Array(frame);
      if (bytes.length > cap) {
        return new DecodeError(
          'too_large',
          words
            ? `${flags.text ? 'text' : 'binary'} frame of ${bytes.length} bytes is over maxMessageBytes (${cap})`
            : `${flags.text ? 'text' : 'binary'} frame of ${bytes.length} bytes > maxMessageBytes (${cap})`,
        );
      }
      // A text frame as bytes (`ws`, told to skip its own UTF-8 check) is never gzip.
      if (flags.text || !isGzip(bytes)) return parseBytes(bytes, flags);
      const inflated = inflate(bytes, cap, checkCrc);
      // inflated asynchronously (DecompressionStream): the client keeps the frames behind it waiting
      return inflated instanceof Promise
        ? inflated.then((output) => parseBytes(output, flags))
        : parseBytes(inflated, flags);
    },
    encode: (message) => JSON.stringify(message),
  };
}

/**
 * Whether `text` nests objects/arrays deeper than `limit`. Cheap in the common case: a frame
 * of up to `2 * limit + 1` characters, or with no more than `limit` opening brackets, cannot be
 * too deep, and counting them uses the engine's native `indexOf`; only frames with many
 * brackets are scanned.
 */
function tooDeep(text: string, limit: number): boolean {
  const whole = Math.floor(limit);
  if (text.length <= 2 * whole + 1) return false; // each level takes two characters: `[]`
  // A level of an array takes at least 2 characters (`[` `]`), one of an object 5 (`{` `"` `"` `:`
  // `}`: its child is a member's value), but the innermost, 2 (`{}`). With A `[` in the text (in
  // strings too: an upper bound), a path of a array levels and o object levels has
  // a + o <= A + (length + 3 - 2A) / 5 levels. An event frame has few `[`: counting them takes a
  // native call or two, where counting `{` too took one per object.
  const arrays = countUpTo(text, '[', whole);
  if (arrays <= whole) {
    if (arrays + (text.length + 3 - 2 * arrays) / 5 <= whole) return false;
    if (countUpTo(text, '{', whole - arrays) <= whole - arrays) return false; // no more brackets than levels
  }
  // String-aware scan; string bodies are skipped with the native indexOf.
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 34) {
      i = stringEnd(text, i);
      if (i === -1) return false; // unterminated: JSON.parse will reject it
    } else if (c === 123 || c === 91) {
      if (++depth > limit) return true;
    } else if (c === 125 || c === 93) depth--;
  }
  return false;
}

/**
 * Whether `text` holds more than `limit` values that cost an allocation or a slot: objects,
 * arrays and the members between commas (an array of 8 M zeros is 16 MB of text and far more
 * memory once parsed). First an upper bound, counted natively (`{`, `[` and `,` anywhere, in
 * strings too); only a frame over it is scanned again, outside strings, for the verdict.
 */
function tooMany(text: string, limit: number): boolean {
  if (countUpTo(text, '{[,', limit) <= limit) return false;
  let count = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 34) {
      i = stringEnd(text, i);
      if (i === -1) return false; // unterminated: JSON.parse will reject it
    } else if ((c === 123 || c === 91 || c === 44) && ++count > limit) return true;
  }
  return false;
}

/**
 * How many of the characters `chars` occur in `text`, strings included, counting stopped once
 * past `limit`: a quick bound with the engine's native `indexOf`, no scan in JavaScript.
 */
function countUpTo(text: string, chars: string, limit: number): number {
  let count = 0;
  for (let k = 0; k < chars.length; k++) {
    const ch = chars[k] as string;
    for (let i = text.indexOf(ch); i !== -1 && count <= limit; i = text.indexOf(ch, i + 1)) count++;
  }
  return count;
}

/** The index of the quote that closes the string opened at `at`, or -1 when none does. */
function stringEnd(text: string, at: number): number {
  let end = text.indexOf('"', at + 1);
  while (end !== -1 && isEscaped(text, end)) end = text.indexOf('"', end + 1);
  return end;
}

/** Whether the quote at `at` is escaped: preceded by an odd number of backslashes. */
function isEscaped(text: string, at: number): boolean {
  let backslashes = 0;
  for (let i = at - 1; i >= 0 && text.charCodeAt(i) === 92; i--) backslashes++;
  return backslashes % 2 === 1;
}

/** @internal Whether a parsed value holds an own `__proto__` key anywhere (bounded by the depth already checked). */
export function hasProtoKey(value: unknown): boolean {
  if (typeof value !== 'object' || value === null) return false;
  if (Array.isArray(value)) {
    for (const item of value) if (hasProtoKey(item)) return true;
    return false;
  }
  if (Object.hasOwn(value, '__proto__')) return true;
  for (const key in value) if (hasProtoKey((value as Record<string, unknown>)[key])) return true;
  return false;
}
