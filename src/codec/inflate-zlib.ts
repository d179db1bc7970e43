/**
 * Node's inflater for gzip frames (resolved through the package's `#inflate` import under
 * the `node` condition; browsers get fflate). zlib inflates in C, stops at
 * `maxOutputLength` before allocating past it, and checks the gzip trailer (CRC-32 and
 * length) itself.
 */
import { gunzipSync } from 'node:zlib';
import { DecodeError } from '../errors/errors.js';
import { type Inflate, tooLarge, trailerProblem } from './gzip.js';

export const defaultInflate: Inflate = (bytes, cap) => {
  const problem = trailerProblem(bytes, cap);
  if (problem) return problem;
  try {
    const { buffer: out, engine } = gunzipSync(bytes, { maxOutputLength: cap, info: true }) as unknown as {
      buffer: Buffer;
      engine: { bytesWritten: number };
    };
    // zlib stops at the end of the member and ignores what follows; fflate (browsers) refuses
    // it, and so does this, so that both give the same verdict.
    if (engine.bytesWritten !== bytes.length)
      return new DecodeError({
        reason: 'bad_gzip',
        message: `${bytes.length - engine.bytesWritten} bytes follow the gzip member`,
      });
    return new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
  } catch (cause) {
    const { code, message } = cause as { code?: string; message?: string };
    if (code === 'ERR_BUFFER_TOO_LARGE') return tooLarge(cap + 1, cap, 'inflates to more than', cap);
    if (message === 'incorrect data check')
      return new DecodeError({ reason: 'bad_crc', message: 'gzip CRC-32 does not match the data', cause });
    if (message === 'incorrect length check') {
      return new DecodeError({
        reason: 'bad_trailer',
        message: 'gzip trailer declares a size the data does not inflate to',
        cause,
      });
    }
    return new DecodeError({ reason: 'bad_gzip', message: `corrupt gzip frame: ${message ?? String(cause)}`, cause });
  }
};
