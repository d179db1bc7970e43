import { Gunzip, gunzipSync } from 'fflate';
import { DecodeError } from '../errors/errors.js';
import { crc32 } from './crc32.js';

/** Deflate cannot expand data by more than about 1032:1. */
const MAX_RATIO = 1032;

/**
 * Inflates one untrusted gzip member under a hard cap and checks its trailer. The default
 * is fflate's ({@link gunzipCapped}); in Node the package's `#inflate` import resolves to
 * `node:zlib` (`inflate-zlib.ts`), which is faster and checks the trailer itself.
 * @example `jsonCodec({ inflate: gunzipCapped })`
 */
export type Inflate = (bytes: Uint8Array, cap: number, checkCrc: boolean) => Uint8Array | DecodeError;

/** @internal Cheap checks of the trailer's declared size, before any inflation. */
export function trailerProblem(bytes: Uint8Array, cap: number): DecodeError | undefined {
  if (bytes.length < 18) return new DecodeError({ reason: 'bad_gzip', message: 'gzip frame is truncated' });
  const declaredSize = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(bytes.length - 4, true);
  if (declaredSize > bytes.length * MAX_RATIO) {
    return new DecodeError({
      reason: 'bad_trailer',
      message: `gzip trailer declares ${declaredSize} bytes, more than ${bytes.length} bytes can inflate to`,
    });
  }
  if (declaredSize > cap) return tooLarge(declaredSize, cap, 'declares');
  return undefined;
}
/** Input is fed to the streaming inflater in slices this big, bounding each output burst. */
const SLICE = 4096;

/** True when `bytes` starts with the gzip magic number. */
export function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

/**
 * Inflates one untrusted gzip member, never holding more than `cap` inflated bytes, and
 * checks its trailer: the length (ISIZE) and, when `checkCrc`, the CRC-32.
 *
 * Fast path: when even a lying trailer could not make the output exceed the cap (the
 * compressed size times deflate's maximum ratio is under it), the output buffer is
 * allocated once at the declared size (plus one byte, to catch a trailer that declares
 * too little) and fflate inflates into it in one call. Otherwise the streaming `Gunzip`
 * is fed small slices and stopped as soon as the output passes the cap.
 */
export function gunzipCapped(bytes: Uint8Array, cap: number, checkCrc: boolean): Uint8Array | DecodeError {
  if (bytes.length < 18) return new DecodeError({ reason: 'bad_gzip', message: 'gzip frame is truncated' });
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const declaredCrc = view.getUint32(bytes.length - 8, true);
  const declaredSize = view.getUint32(bytes.length - 4, true);
  if (declaredSize > bytes.length * MAX_RATIO) {
    return new DecodeError({
      reason: 'bad_trailer',
      message: `gzip trailer declares ${declaredSize} bytes, more than ${bytes.length} bytes can inflate to`,
    });
  }
  if (declaredSize > cap) return tooLarge(declaredSize, cap, 'declares');

  let output: Uint8Array;
  if (bytes.length * MAX_RATIO <= cap) {
    try {
      output = gunzipSync(bytes, { out: new Uint8Array(declaredSize + 1) });
    } catch (cause) {
      return new DecodeError({ reason: 'bad_gzip', message: `corrupt gzip frame: ${(cause as Error).message}`, cause });
    }
  } else {
    const streamed = inflateStreaming(bytes, cap);
    if (streamed instanceof DecodeError) return streamed;
    output = streamed;
  }
  if (output.length !== declaredSize) {
    return new DecodeError({
      reason: 'bad_trailer',
      message: `gzip trailer declares ${declaredSize} bytes but the data inflates to ${output.length > declaredSize ? 'more' : output.length}`,
    });
  }
  if (checkCrc && crc32(output) !== declaredCrc)
    return new DecodeError({ reason: 'bad_crc', message: 'gzip CRC-32 does not match the data' });
  return output;
}

function inflateStreaming(bytes: Uint8Array, cap: number): Uint8Array | DecodeError {
  const chunks: Uint8Array[] = [];
  let total = 0;
  let held = 0;
  let over = false;
  let ended = false;
  const inflater = new Gunzip((chunk, final) => {
    if (over) return;
    total += chunk.length;
    if (total > cap) {
      over = true;
      chunks.length = 0; // drop what was held at once
      return;
    }
    chunks.push(chunk);
    held = total;
    if (final) ended = true;
  });
  try {
    for (let offset = 0; offset < bytes.length && !over; offset += SLICE) {
      const end = Math.min(offset + SLICE, bytes.length);
      inflater.push(bytes.subarray(offset, end), end === bytes.length);
    }
  } catch (cause) {
    return new DecodeError({ reason: 'bad_gzip', message: `corrupt gzip frame: ${(cause as Error).message}`, cause });
  }
  if (over) return tooLarge(total, cap, 'inflates to more than', held);
  if (!ended) return new DecodeError({ reason: 'bad_gzip', message: 'gzip frame is truncated' });
  if (chunks.length === 1) return chunks[0] as Uint8Array;
  const output = new Uint8Array(total);
  let at = 0;
  for (const chunk of chunks) {
    output.set(chunk, at);
    at += chunk.length;
  }
  return output;
}

/** @internal */
export function tooLarge(size: number, cap: number, verb: string, held = 0): DecodeError {
  return new DecodeError({
    reason: 'too_large',
    message: `gzip frame ${verb} ${size} bytes, over maxMessageBytes (${cap})`,
    held,
  });
}
