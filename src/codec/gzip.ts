import { words } from '#words';
import type { DecodeErrorOptions } from '../errors/decode.js';
import type { DecodeError } from '../errors/errors.js';
import { crc32 } from './crc32.js';

/**
 * @internal What is wrong with a gzip frame: a `DecodeError`'s fields, which the codec makes into
 * one (`jsonCodec`). The inflaters load on demand in browsers and import nothing of the first load
 * but types: the error classes stay in the first load's one chunk (see ARCHITECTURE.md).
 */
export type GzipFault = DecodeErrorOptions;

/** @internal What an inflater of this package gives: the bytes, or what is wrong with the frame. */
export type Inflated = Uint8Array | GzipFault;

/** @internal An inflater of this package, at once or asynchronously. */
export type RawInflate = (bytes: Uint8Array, cap: number, checkCrc: boolean) => Inflated | Promise<Inflated>;

/** @internal Deflate cannot expand data by more than about 1032:1. */
export const MAX_RATIO = 1032;

/**
 * Inflates one untrusted gzip member under a hard cap and checks its trailer, at once or
 * asynchronously (a Promise: the client keeps the frames behind it waiting, in order). The
 * package's `#inflate` import picks the default where the package is consumed: `node:zlib` in
 * Node (`inflate-zlib.ts`); elsewhere the platform's `DecompressionStream`, or fflate where there
 * is none (`inflate-stream.ts`), loaded with this file on the first gzip frame (`inflate-browser.ts`). All give the same verdict on every frame
 * whose deflate data is valid: exactly one member, ending 8 bytes before the frame does
 * (PROTOCOL.md §10).
 * @example
 * ```ts
 * import { type Inflate, jsonCodec } from 'eventwire';
 * import { gunzipSync } from 'node:zlib';
 * // for a trusted server: capped, but without the default's trailer checks
 * const inflate: Inflate = (bytes, cap) => new Uint8Array(gunzipSync(bytes, { maxOutputLength: cap }));
 * jsonCodec({ inflate });
 * ```
 */
export type Inflate = (
  bytes: Uint8Array,
  cap: number,
  checkCrc: boolean,
) => Uint8Array | DecodeError | Promise<Uint8Array | DecodeError>;

/** @internal The one gzip member a frame holds, as its header and trailer declare it. */
export interface GzipMember {
  /** Where the deflate data starts; it must end where the trailer starts, 8 bytes before the frame's end. */
  readonly body: number;
  /** The trailer's ISIZE: the inflated size. */
  readonly size: number;
  /** The trailer's CRC-32 of the inflated data. */
  readonly crc: number;
}

const FHCRC = 2;
const FEXTRA = 4;
const FNAME = 8;
const FCOMMENT = 16;
const RESERVED = 0xe0;

const u16 = (b: Uint8Array, at: number) => (b[at] as number) | ((b[at + 1] as number) << 8);
const u32 = (b: Uint8Array, at: number) => (u16(b, at) | (u16(b, at + 2) << 16)) >>> 0;

/**
 * @internal Every check of a gzip frame that needs no inflation, shared by every inflater so that
 * they agree: the header (RFC 1952: method, reserved flags, FEXTRA, FNAME, FCOMMENT, FHCRC and its
 * CRC-16) and the trailer's declared size (what the compressed size can reach, and the cap).
 */
export function readMember(bytes: Uint8Array, cap: number): GzipMember | GzipFault {
  const trailer = bytes.length - 8;
  if (bytes.length < 18) return truncated();
  if (bytes[2] !== 8) return badGzip(words ? 'gzip compression method is not deflate' : 'gzip method not deflate');
  const flags = bytes[3] as number;
  if (flags & RESERVED) return badGzip(words ? 'gzip header sets reserved flags' : 'gzip reserved flags');
  let at = 10;
  if (flags & FEXTRA) at += 2 + (at + 2 <= trailer ? u16(bytes, at) : 0);
  if (flags & FNAME) at = endOfString(bytes, at, trailer);
  if (flags & FCOMMENT) at = endOfString(bytes, at, trailer);
  if (flags & FHCRC) {
    if (at + 2 > trailer) return truncated();
    if ((crc32(bytes.subarray(0, at)) & 0xffff) !== u16(bytes, at))
      return badGzip(words ? 'gzip header CRC-16 does not match the header' : 'gzip header CRC-16 mismatch');
    at += 2;
  }
  if (at >= trailer) return truncated(); // no deflate data before the trailer
  const size = u32(bytes, trailer + 4);
  if (size > bytes.length * MAX_RATIO) {
    return {
      reason: 'bad_trailer',
      message: words
        ? `gzip trailer declares ${size} bytes, more than ${bytes.length} bytes can inflate to`
        : `gzip trailer ${size} bytes > ${bytes.length} can inflate to`,
    };
  }
  if (size > cap) return tooLarge(size, cap);
  return { body: at, size, crc: u32(bytes, trailer) };
}

/** The index after the zero that ends the string starting at `at`, or past `end` if none does before it. */
function endOfString(bytes: Uint8Array, at: number, end: number): number {
  const zero = at < end ? bytes.indexOf(0, at) : -1;
  return zero < 0 || zero >= end ? end : zero + 1;
}

/** @internal The last checks, once the deflate data inflated: its size, then its CRC-32. */
export function finishMember(
  output: Uint8Array,
  member: GzipMember,
  checkCrc: boolean,
  crc: (bytes: Uint8Array) => number = crc32,
): Inflated {
  if (output.length !== member.size) return sizeMismatch(member.size, output.length);
  if (checkCrc && crc(output) !== member.crc) return crcMismatch();
  return output;
}

/** @internal The data inflates to fewer or more bytes than the trailer declares. */
export function sizeMismatch(declared: number, inflated: number): GzipFault {
  return {
    reason: 'bad_trailer',
    message: words
      ? `gzip trailer declares ${declared} bytes but the data inflates to ${inflated}`
      : `gzip trailer ${declared} bytes, inflated ${inflated}`,
  };
}

/** @internal The CRC-32 of the data is not the trailer's. */
export function crcMismatch(): GzipFault {
  return { reason: 'bad_crc', message: words ? 'gzip CRC-32 does not match the data' : 'gzip CRC-32 mismatch' };
}

/** @internal The data inflates to more than the trailer declares: inflation stopped there. */
export function passedDeclared(size: number): GzipFault {
  return {
    reason: 'bad_trailer',
    message: words
      ? `gzip data inflates to more than the ${size} bytes its trailer declares (stopped there)`
      : `gzip over trailer ${size} bytes`,
    held: size,
  };
}

/** @internal The deflate data ends before the trailer: a second member or other bytes follow it. */
export function bytesFollow(): GzipFault {
  return badGzip(words ? 'bytes follow the gzip member (a frame holds exactly one)' : 'bytes after gzip member');
}

/** @internal The deflate data does not end before the trailer. */
export function truncated(): GzipFault {
  return badGzip('gzip frame is truncated');
}

/** @internal */
export function badGzip(message: string, cause?: unknown): GzipFault {
  return { reason: 'bad_gzip', message, cause };
}

/** @internal The trailer declares more than the cap: refused before inflating, nothing held. */
function tooLarge(size: number, cap: number): GzipFault {
  const message = words
    ? `gzip frame declares ${size} bytes, over maxMessageBytes (${cap})`
    : `gzip ${size} bytes > maxMessageBytes (${cap})`;
  return { reason: 'too_large', message, held: 0 };
}

/** @internal Whether `member` is a fault rather than the member (a fault has a `reason`). */
export const isFault = (value: GzipMember | Inflated): value is GzipFault =>
  !(value instanceof Uint8Array) && 'reason' in value;
