/** Browsers' (and the default) inflater for gzip frames: fflate, under a hard cap. */
export { gunzipCapped as defaultInflate } from './gzip.js';
