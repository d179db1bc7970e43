import { num, optionObject, secretless, typed } from '../protocol/option-rules.js';
import type { Codec } from './codec.js';
import { type JsonCodecOptions, jsonCodec as makeJsonCodec } from './json.js';

/**
 * The protocol's own format: text frames are JSON; binary frames are UTF-8 JSON, or gzip
 * (recognised by its magic bytes) of UTF-8 JSON, inflated under a hard cap. Its options are
 * checked at the call, with the client's `OptionsError` (an unknown key with the nearest known
 * one, a limit that is not a number >= 1, a `checkCrc` that is not a boolean, an `inflate` that
 * is not a function): a misspelled or out-of-range limit was kept without a word (`maxBytes` for
 * `maxMessageBytes` left 16 MiB; `maxMessageBytes: -1` refused every frame).
 *
 * @example
 * ```ts
 * createClient({ url, codec: jsonCodec({ maxMessageBytes: 4 << 20, maxDepth: 32 }) });
 * ```
 */
export function jsonCodec(options?: JsonCodecOptions): Codec {
  secretless('jsonCodec', options);
  const given =
    optionObject(
      'jsonCodec() options',
      options ?? undefined,
      ['maxMessageBytes', 'maxDepth', 'maxObjects', 'checkCrc', 'inflate'],
      'jsonCodec() option',
    ) ?? {};
  // an integer, or Infinity (no limit) as the client's own option takes it
  for (const key of ['maxMessageBytes', 'maxDepth', 'maxObjects'] as const)
    if (given[key] !== undefined && given[key] !== Number.POSITIVE_INFINITY)
      num(key, given[key], 1, false, key !== 'maxMessageBytes');
  typed('checkCrc', given.checkCrc, 'boolean');
  typed('inflate', given.inflate, 'function');
  return makeJsonCodec(given);
}
