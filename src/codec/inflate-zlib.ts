/**
 * Node's inflater for gzip frames (resolved through the package's `#inflate` import under
 * the `node` condition; browsers get fflate). The header and trailer are read by the same code
 * as fflate's path (`readMember`); zlib inflates the raw deflate data in C, stops as soon as its
 * output passes the declared size (`maxOutputLength`), and tells how many bytes it read, so that
 * bytes after the member are refused as fflate refuses them.
 */
import * as zlib from 'node:zlib';
import { crc32 } from './crc32.js';
import {
  badGzip,
  bytesFollow,
  finishMember,
  type GzipFault,
  type Inflated,
  isFault,
  passedDeclared,
  readMember,
  truncated,
} from './gzip.js';

/** zlib's own CRC-32 (Node 20.15 and later) is C; the table-driven one otherwise. */
const crc: (bytes: Uint8Array) => number = typeof zlib.crc32 === 'function' ? (b) => zlib.crc32(b) : crc32;

interface Zlibbed {
  buffer: Buffer;
  engine: { bytesWritten: number };
}

export const defaultInflate = (bytes: Uint8Array, cap: number, checkCrc: boolean): Inflated => {
  const member = readMember(bytes, cap);
  if (isFault(member)) return member;
  const body = bytes.subarray(member.body, bytes.length - 8);
  // zlib refuses 0; a member of 0 bytes that inflates to 1 is caught by the size check.
  const maxOutputLength = Math.max(1, member.size);
  // One output buffer of the declared size plus one byte: no second copy of the output, and
  // zlib stops the moment that extra byte is written.
  const options = { maxOutputLength, chunkSize: Math.max(64, member.size + 1) };
  let inflated: Zlibbed;
  try {
    inflated = zlib.inflateRawSync(body, { ...options, info: true }) as unknown as Zlibbed;
  } catch (cause) {
    const { code, message } = cause as { code?: string; message?: string };
    if (code === 'ERR_BUFFER_TOO_LARGE') return passedDeclared(member.size);
    if (message === 'unexpected end of file') return truncatedVerdict(body, options, member.size);
    return badGzip(`corrupt gzip data: ${message ?? String(cause)}`, cause);
  }
  const out = inflated.buffer;
  if (out.length > member.size) return passedDeclared(member.size); // a member declaring 0 bytes
  // zlib stops at the end of the deflate data and leaves what follows unread
  if (inflated.engine.bytesWritten !== body.length) return bytesFollow();
  return finishMember(new Uint8Array(out.buffer, out.byteOffset, out.byteLength), member, checkCrc, crc);
};

/**
 * Deflate data that stops short: if what it holds already inflates past the declared size, that
 * is the verdict (fflate, which stops there, cannot know the data is cut further on).
 */
function truncatedVerdict(body: Uint8Array, options: zlib.ZlibOptions, size: number): GzipFault {
  try {
    const partial = zlib.inflateRawSync(body, { ...options, finishFlush: zlib.constants.Z_SYNC_FLUSH });
    if (partial.length > size) return passedDeclared(size); // a member declaring 0 bytes
  } catch (cause) {
    if ((cause as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE') return passedDeclared(size);
  }
  return truncated();
}
