/**
 * The `#inflate` import everywhere but Node (package.json "imports"): a loader, nothing more.
 * The inflater itself (the platform's `DecompressionStream`, or fflate where there is none:
 * `inflate-stream.ts`) and the gzip header and trailer checks it shares with the other inflaters
 * (`gzip.ts`) are loaded by a dynamic `import()` on the first gzip frame: bundlers that split put
 * them in a chunk of their own, out of the first load of apps whose server never sends gzip.
 * A gzip frame is inflated asynchronously in browsers anyway; the frames behind it wait, in order,
 * while the chunk loads, under the inbox's caps (`backlog_full`).
 */

import type { RawInflate } from './gzip.js';
import { onDemand } from './gzip-lazy.js';

export const defaultInflate: RawInflate = onDemand(() =>
  import('./inflate-stream.js').then((m) => m.browserInflate(onDemand)),
);
