/**
 * The `#inflate` import everywhere but Node (package.json "imports"): the platform's own
 * `DecompressionStream` (`inflate-stream.ts`), or, where there is none (or one that does not
 * refuse bytes after a member), fflate, loaded on first use by a dynamic `import()`: bundlers
 * that split put it in a chunk of its own, out of the first load.
 */
import type { Inflate } from './gzip.js';
import { streamInflate, streamSupport } from './inflate-stream.js';

let fallback: Promise<Inflate> | undefined;

const fflate: Inflate = (bytes, cap, checkCrc) => {
  fallback ??= import('./gzip-fflate.js').then(
    (loaded) => loaded.gunzipCapped,
    (cause: unknown) => {
      fallback = undefined; // the next gzip frame tries again (a chunk that failed to load)
      throw cause;
    },
  );
  return fallback.then((inflate) => inflate(bytes, cap, checkCrc));
};

export const defaultInflate: Inflate = (bytes, cap, checkCrc) => {
  const streams = streamSupport();
  if (typeof streams === 'boolean') return (streams ? streamInflate : fflate)(bytes, cap, checkCrc);
  return streams.then((usable) => (usable ? streamInflate : fflate)(bytes, cap, checkCrc));
};
