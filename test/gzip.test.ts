import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { defaultInflate } from '#inflate';
import { gunzipCapped, type Inflate } from '../src/codec/gzip.js';
import { defaultInflate as zlibInflate } from '../src/codec/inflate-zlib.js';
import { DecodeError } from '../src/index.js';
import { gzipBomb } from './fixtures/gzip-bomb.js';

const CAP = 16 * 1024 * 1024;
const reason = (r: Uint8Array | DecodeError) => (r instanceof DecodeError ? r.reason : 'ok');

it('in Node, #inflate resolves to node:zlib (browsers get fflate: see the browser test)', () => {
  expect(defaultInflate).toBe(zlibInflate);
});

describe.each<[string, Inflate]>([
  ['fflate (browsers)', gunzipCapped],
  ['node:zlib (Node)', zlibInflate],
])('%s inflater', (_name, inflate) => {
  const text = JSON.stringify({ event_type: 'X', data: { pad: 'abc'.repeat(400) } });
  const frame = new Uint8Array(gzipSync(text));

  it('inflates a valid frame exactly', () => {
    const out = inflate(frame, CAP, true);
    expect(new TextDecoder().decode(out as Uint8Array)).toBe(text);
  });

  it('rejects truncated, corrupt and forged frames with the same reasons', () => {
    const forge = (at: number, value: number) => {
      const b = Buffer.from(frame);
      b.writeUInt32LE(value >>> 0, b.length - at);
      return new Uint8Array(b);
    };
    expect(reason(inflate(frame.subarray(0, 10), CAP, true))).toBe('bad_gzip');
    expect(['bad_gzip', 'bad_trailer']).toContain(reason(inflate(frame.subarray(0, frame.length - 20), CAP, true)));
    expect(reason(inflate(forge(8, Buffer.from(frame).readUInt32LE(frame.length - 8) ^ 1), CAP, true))).toBe('bad_crc');
    expect(reason(inflate(forge(4, 100), CAP, true))).toBe('bad_trailer');
    expect(reason(inflate(forge(4, 1_300), CAP, true))).toBe('bad_trailer');
    expect(reason(inflate(forge(4, 0xffffffff), CAP, true))).toBe('bad_trailer');
    expect(reason(inflate(new Uint8Array(gzipSync('x'.repeat(5_000))), 1_000, true))).toBe('too_large');
  });

  it('stops a bomb with a forged trailer at the cap', async () => {
    const bomb = Buffer.from(await gzipBomb(64)); // 64 MiB of zeros
    bomb.writeUInt32LE(1_000, bomb.length - 4);
    const result = inflate(new Uint8Array(bomb), CAP, true);
    expect(reason(result)).toBe('too_large');
    expect((result as DecodeError).held).toBeLessThanOrEqual(CAP);
  });
});
