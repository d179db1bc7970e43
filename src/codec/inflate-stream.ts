/**
 * Gzip frames inflated by the platform's own `DecompressionStream` (browsers, and every runtime
 * that is not Node), under the same cap and with the same verdicts as `node:zlib`
 * (`inflate-zlib.ts`) and fflate (`gzip-fflate.ts`).
 *
 * The frame is written in slices of 4 KiB and its output counted as it comes; past the size its
 * trailer declares (at most the cap), the stream is cancelled: the browser inflates each slice in
 * one go, so a slice bounds the work done before the count can stop it (a 1 GiB bomb is stopped
 * within its first 4 MiB). Written in one piece, a frame is inflated whole before any output is seen.
 *
 * The `gzip` format checks the member's CRC-32 and size itself, and refuses bytes after it. Its
 * errors do not say which check failed, and the output of the call that failed is lost with the
 * error, so a frame it refuses is read once more, its deflate data alone (`deflate-raw`, 1 KiB
 * slices, the output of each counted): data that inflates past the declared size is `bad_trailer`;
 * data that is corrupt, cut, or followed by other bytes is `bad_gzip`; data of another size than
 * declared is `bad_trailer`; data of that size, which the `gzip` format refused, has the wrong CRC.
 */
import { words } from '#words';
import {
  badGzip,
  crcMismatch,
  type GzipFault,
  type GzipMember,
  type Inflated,
  isFault,
  passedDeclared,
  type RawInflate,
  readMember,
  sizeMismatch,
  truncated,
} from './gzip.js';
import type { onDemand } from './gzip-lazy.js';

/** Two empty gzip members: a platform that reads them as one frame joins members, or skips what follows one. */
const TWO_MEMBERS = /* @__PURE__ */ (() => {
  const empty = [0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff, 3, 0, 0, 0, 0, 0, 0, 0, 0, 0];
  return new Uint8Array([...empty, ...empty]);
})();

let support: boolean | Promise<boolean> | undefined;

/**
 * @internal The browser inflater (`inflate-browser.ts` loads this module on the first gzip frame,
 * and hands over its loader: this chunk imports nothing of the first load's):
 * the platform's `DecompressionStream` where it is usable, else fflate, a chunk of its own loaded on first use.
 */
export function browserInflate(load: typeof onDemand): RawInflate {
  const fflate = load(() => import('./gzip-fflate.js').then((m) => m.gunzipCapped));
  return (bytes, cap, checkCrc) => {
    const streams = streamSupport();
    if (typeof streams === 'boolean') return (streams ? streamInflate : fflate)(bytes, cap, checkCrc);
    return streams.then((usable) => (usable ? streamInflate : fflate)(bytes, cap, checkCrc));
  };
}

/**
 * @internal Whether the platform's `DecompressionStream` can be used: it reads `gzip` and
 * `deflate-raw`, and refuses bytes after a member, as the Compression Streams standard says and
 * browsers do (Node's joins members and ignores other bytes: it would accept frames that zlib
 * refuses). Known after the first call's Promise settles.
 */
export function streamSupport(): boolean | Promise<boolean> {
  if (support === undefined) {
    support =
      typeof DecompressionStream === 'function' && reads('gzip') && reads('deflate-raw')
        ? inflate('gzip', TWO_MEMBERS, 0, 64, 1).then(
            (probe) => (support = probe.error !== undefined),
            () => (support = false),
          )
        : false;
  }
  return support;
}

function reads(format: CompressionFormat): boolean {
  try {
    new DecompressionStream(format);
    return true;
  } catch {
    return false;
  }
}

/** Inflates one untrusted gzip member with the platform's `DecompressionStream`. */
function streamInflate(bytes: Uint8Array, cap: number, checkCrc: boolean): GzipFault | Promise<Inflated> {
  const member = readMember(bytes, cap);
  if (isFault(member)) return member;
  return inflate('gzip', bytes, member.size, 4096, 1).then((gzip) => {
    if (gzip.over) return passedDeclared(member.size);
    // size and CRC checked by the platform
    if (gzip.error === undefined)
      return gzip.held === member.size ? gzip.output() : sizeMismatch(member.size, gzip.held);
    return inflate('deflate-raw', bytes.subarray(member.body, bytes.length - 8), member.size, 1024, 17).then((raw) =>
      verdict(raw, member, checkCrc),
    );
  });
}

/** What the deflate data alone says, once the whole member was refused. */
function verdict(raw: Stream, member: GzipMember, checkCrc: boolean): Inflated {
  if (raw.over) return passedDeclared(member.size);
  if (raw.error !== undefined) {
    if (raw.closing) return truncated();
    return badGzip(
      words ? `corrupt gzip data, or bytes after the member: ${String(raw.error)}` : `gzip: ${String(raw.error)}`,
      raw.error,
    );
  }
  if (raw.held !== member.size) return sizeMismatch(member.size, raw.held);
  return checkCrc ? crcMismatch() : raw.output();
}

interface Stream {
  /** The output passed the declared size: the stream was cancelled there. */
  readonly over: boolean;
  /** What the stream failed with, if it did. */
  readonly error: unknown;
  /** It failed when closed: the data stopped short. */
  readonly closing: boolean;
  /** Inflated bytes counted. */
  readonly held: number;
  output(): Uint8Array;
}

/**
 * Writes `input` in slices of `slice` bytes to a `DecompressionStream` of `format`, with `reads`
 * reads waiting for its output at all times (a chunk handed to a waiting read is kept when the
 * stream fails; one still queued in the stream is lost with it), and keeps at most `size` bytes.
 */
async function inflate(
  format: CompressionFormat,
  input: Uint8Array,
  size: number,
  slice: number,
  reads: number,
): Promise<Stream> {
  const stream = new DecompressionStream(format);
  const writer = stream.writable.getWriter();
  const reader = stream.readable.getReader();
  const chunks: Uint8Array[] = [];
  let held = 0;
  let over = false;
  const drained = new Promise<void>((done) => {
    const take = (result: ReadableStreamReadResult<Uint8Array>): void => {
      if (over) return;
      if (result.done) {
        done();
        return;
      }
      const chunk = result.value;
      if (chunk.length > size - held) {
        over = true;
        reader.cancel().catch(ignore); // the pending write fails, and the feeding stops
        done();
        return;
      }
      chunks.push(chunk);
      held += chunk.length;
      reader.read().then(take, failed);
    };
    const failed = () => done();
    for (let i = 0; i < reads; i++) reader.read().then(take, failed);
  });
  let error: unknown;
  let closing = false;
  try {
    for (let at = 0; at < input.length && !over; at += slice)
      await writer.write(input.subarray(at, at + slice) as Uint8Array<ArrayBuffer>);
    closing = true;
    if (!over) await writer.close();
  } catch (cause) {
    error = cause;
  }
  await drained;
  return { over, error: over ? undefined : error, closing, held, output: () => join(chunks, held) };
}

const ignore = () => {};

/** The chunks as one array (the only chunk itself, as it usually is for a frame of a few KB). */
function join(chunks: Uint8Array[], length: number): Uint8Array {
  if (chunks.length === 1) return chunks[0] as Uint8Array;
  const out = new Uint8Array(length);
  let at = 0;
  for (const chunk of chunks) {
    out.set(chunk, at);
    at += chunk.length;
  }
  return out;
}
