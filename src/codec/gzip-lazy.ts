/**
 * What of gzip every client holds: the magic check (cheap and synchronous, on every binary frame)
 * and {@link onDemand}, which loads an inflater on the first gzip frame. Everything else (the
 * header and trailer checks of `gzip.ts`, the inflaters) stays out of the first load in browsers.
 */
import type { RawInflate } from './gzip.js';

/** True when `bytes` starts with the gzip magic number. */
export function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

/**
 * @internal An inflater loaded by `load` on its first call (once: calls meanwhile share the load),
 * then called directly. A load that fails rejects that frame's decode (the inbox reports it as
 * `codec_failed`) and is tried again on the next gzip frame (a chunk that failed to load).
 */
export function onDemand(load: () => Promise<RawInflate>): RawInflate {
  let loaded: RawInflate | undefined;
  let loading: Promise<RawInflate> | undefined;
  return (bytes, cap, checkCrc) => {
    if (loaded) return loaded(bytes, cap, checkCrc);
    loading ??= load().then(
      (inflate) => (loaded = inflate),
      (cause: unknown) => {
        loading = undefined;
        throw cause;
      },
    );
    return loading.then((inflate) => inflate(bytes, cap, checkCrc));
  };
}
