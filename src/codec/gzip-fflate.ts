/**
 * The fallback inflater for gzip frames where the platform has no `DecompressionStream` (it is
 * loaded on first use by `inflate-stream.ts`, so a bundler that splits puts it and fflate in a
 * chunk of their own). The header and trailer are read by the same code as the other inflaters
 * (`readMember`), so that all give one verdict.
 */

import { Gunzip, inflateSync } from 'fflate';
import { words } from '#words';
import {
  badGzip,
  bytesFollow,
  finishMember,
  type Inflated,
  isFault,
  MAX_RATIO,
  passedDeclared,
  readMember,
  truncated,
} from './gzip.js';

const NOT_AT_TRAILER = words
  ? 'the gzip member does not end 8 bytes before its frame does'
  : 'gzip member end not 8 bytes before frame end';

/** Frames whose deflate data could not inflate past this many bytes are inflated in one call. */
const WHOLE_MAX_OUTPUT = 1 << 20;

/**
 * Inflates one untrusted gzip member with fflate, never holding more inflated bytes than its
 * trailer declares (which is at most `cap`), and checks it: one member that ends 8 bytes
 * before the frame does, its length (ISIZE) and, when `checkCrc`, its CRC-32.
 *
 * Small frames (whose deflate data cannot inflate past 1 MiB, nor past the cap) are inflated in
 * one call into a buffer of the declared size plus one byte, then once more without their last
 * byte: if that completes, the deflate data ended early and bytes follow the member. Other
 * frames are fed to fflate's streaming `Gunzip` in slices (512 bytes, doubling up to
 * `cap / 8192`, at most 64 KiB), and stopped as soon as the output passes the declared size.
 */
export function gunzipCapped(bytes: Uint8Array, cap: number, checkCrc: boolean): Inflated {
  const member = readMember(bytes, cap);
  if (isFault(member)) return member;
  const body = bytes.subarray(member.body, bytes.length - 8);
  const output =
    body.length * MAX_RATIO <= Math.min(cap, WHOLE_MAX_OUTPUT)
      ? inflateWhole(body, bytes, member.size, cap)
      : inflateSliced(body, bytes.subarray(bytes.length - 8), member.size, cap);
  return isFault(output) ? output : finishMember(output, member, checkCrc);
}

function inflateWhole(body: Uint8Array, bytes: Uint8Array, size: number, cap: number): Inflated {
  const out = new Uint8Array(size + 1); // one more, to see data that inflates past the declared size
  let output: Uint8Array;
  try {
    output = inflateSync(body, { out });
  } catch {
    // Invalid, truncated or overflowing data: the streaming path says which, as it would for a large frame.
    return inflateSliced(body, bytes.subarray(bytes.length - 8), size, cap);
  }
  if (output.length > size) return passedDeclared(size);
  try {
    inflateSync(body.subarray(0, body.length - 1), { out });
  } catch {
    return output; // the deflate data needs its last byte: it ends exactly where the trailer starts
  }
  return bytesFollow();
}

/** A gzip header with no flags: the streaming inflater is told the member starts here. */
const BARE_HEADER = /* @__PURE__ */ new Uint8Array([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff]);
const FIRST_SLICE = 512;

/**
 * fflate tells no consumed-byte count, but its `Gunzip` reads concatenated members and reports
 * where each new one starts (`onmember`). It is given a bare header, the deflate data in slices,
 * then the 8 trailer bytes and a bare header again: a member that ends exactly where its
 * trailer starts puts that second header at the offset expected, and anything else does not.
 */
function inflateSliced(body: Uint8Array, trailer: Uint8Array, size: number, cap: number): Inflated {
  const out = new Uint8Array(size);
  let held = 0;
  let over = false;
  let probing = false;
  let next = -1; // where fflate saw the next member start
  const gunzip = new Gunzip((chunk) => {
    if (over || probing || next >= 0) return; // past the end: garbage or another member
    if (chunk.length > size - held) over = true;
    else {
      out.set(chunk, held);
      held += chunk.length;
    }
  });
  gunzip.onmember = (offset) => {
    if (next < 0) next = offset;
  };
  const maxSlice = Math.min(65_536, Math.max(FIRST_SLICE, Math.floor(cap / 8192)));
  try {
    gunzip.push(BARE_HEADER, false);
    for (let at = 0, slice = FIRST_SLICE; at < body.length; at += slice, slice = Math.min(2 * slice, maxSlice)) {
      gunzip.push(body.subarray(at, at + slice), false);
      if (over) return passedDeclared(size);
      if (next >= 0) return bytesFollow();
    }
    probing = true;
    const probe = new Uint8Array(8 + BARE_HEADER.length);
    probe.set(trailer);
    probe.set(BARE_HEADER, 8);
    gunzip.push(probe, false);
  } catch (cause) {
    // fflate found no gzip header after the end of the deflate data (FlateErrorCode.InvalidHeader)
    const noHeader = (cause as { code?: unknown }).code === 6;
    if (!probing)
      return noHeader
        ? bytesFollow()
        : badGzip(
            words ? `corrupt gzip data: ${(cause as Error).message}` : `gzip: ${(cause as Error).message}`,
            cause,
          );
    return noHeader ? badGzip(NOT_AT_TRAILER) : truncated();
  }
  if (next === BARE_HEADER.length + body.length + 8) return out.subarray(0, held);
  return next < 0 ? truncated() : badGzip(NOT_AT_TRAILER);
}
