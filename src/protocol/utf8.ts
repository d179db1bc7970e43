/**
 * @internal The UTF-8 length of `text`, counted without allocating (a lone surrogate counts 3, as
 * encoded), up to just past `limit`: the JSON codec's cap on a text frame, the ack ids' (dialects/shared.ts),
 * the dedupe window's weight of an id (delivery.ts).
 */
export function utf8Length(text: string, limit = Number.POSITIVE_INFINITY): number {
  let bytes = 0;
  for (let i = 0; i < text.length && bytes <= limit; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x80) bytes += 1;
    else if (c < 0x800) bytes += 2;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length && (text.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      bytes += 4; // a surrogate pair: one 4-byte character
      i++;
    } else bytes += 3;
  }
  return bytes;
}
