import { fileURLToPath } from 'node:url';
import { gunzipSync, gzipSync } from 'node:zlib';
import { build } from 'esbuild';
import { Gunzip } from 'fflate';
import { describe, expect, it, vi } from 'vitest';
import { defaultInflate } from '#inflate';
import { browserAliases } from '../scripts/aliases.mjs';
import type { Inflated } from '../src/codec/gzip.js';
import { gunzipCapped } from '../src/codec/gzip-fflate.js';
import { onDemand } from '../src/codec/gzip-lazy.js';
import { defaultInflate as browserInflate } from '../src/codec/inflate-browser.js';
import { streamSupport } from '../src/codec/inflate-stream.js';
import { defaultInflate as zlibInflate } from '../src/codec/inflate-zlib.js';
import { DecodeError, type Inflate, jsonCodec } from '../src/index.js';
import { gzipBomb } from './fixtures/gzip-bomb.js';
import { inflationMemory } from './fixtures/gzip-memory.js';
import { CAP, cutFrames, fflateDiffers, large, small, table } from './fixtures/gzip-table.js';

type SyncInflate = (bytes: Uint8Array, cap: number, checkCrc: boolean) => Inflated;
/** The inflaters give the bytes, or a DecodeError's fields (the codec makes the error: see json.ts). */
const verdict = (r: Inflated) => (r instanceof Uint8Array ? 'ok' : r.reason);
const engines: Array<[string, SyncInflate]> = [
  ['fflate (browsers without DecompressionStream)', gunzipCapped],
  ['node:zlib (Node)', zlibInflate],
];

/** Bombs are slow to build (1 GiB through zlib): each size once. */
const bombs = new Map<number, Promise<Buffer>>();
const bomb = (mib: number) => bombs.get(mib) ?? (bombs.set(mib, gzipBomb(mib)).get(mib) as Promise<Buffer>);

it('in Node, #inflate resolves to node:zlib (browsers get DecompressionStream: see the browser test)', () => {
  expect(defaultInflate).toBe(zlibInflate);
});

describe('one verdict for every gzip frame, in Node (zlib) and from fflate (Chromium: test/browser.test.ts)', () => {
  it.each(table)('%s', (_name, frame, expected, cap = CAP, checkCrc = true) => {
    const bytes = new Uint8Array(frame);
    const [fflate, zlib] = engines.map(([, inflate]) => inflate(bytes, cap, checkCrc));
    expect([verdict(fflate as Uint8Array), verdict(zlib as Uint8Array)]).toEqual([expected, expected]);
    if (expected === 'ok') expect(Buffer.from(fflate as Uint8Array).equals(Buffer.from(zlib as Uint8Array))).toBe(true);
  });

  it.each([
    ['small', small],
    ['large', large],
  ])('%s frame cut anywhere: the same verdict from both, never ok', (_name, data) => {
    for (const [cut, frame] of cutFrames(data)) {
      const verdicts = engines.map(([, inflate]) => verdict(inflate(new Uint8Array(frame), CAP, true)));
      expect(verdicts, cut).toEqual([verdicts[1], verdicts[1]]);
      expect(verdicts[0]).not.toBe('ok');
    }
  });
});

describe('the browser inflater (package.json "imports" outside Node)', () => {
  it("uses fflate where DecompressionStream does not refuse a second member (Node's joins them): zlib's verdicts", async () => {
    expect(await streamSupport()).toBe(false);
    for (const [name, frame, expected, cap = CAP, checkCrc = true] of table) {
      const result = await browserInflate(new Uint8Array(frame), cap, checkCrc);
      expect(verdict(result), name).toBe(expected);
    }
  });

  it('keeps the inflaters, their checks and fflate out of the first load: chunks of their own, loaded on the first gzip frame', async () => {
    const out = await build({
      stdin: {
        contents: "import { createClient } from './src/index.ts'; console.log(createClient);",
        resolveDir: fileURLToPath(new URL('..', import.meta.url)),
        loader: 'ts',
      },
      alias: browserAliases,
      bundle: true,
      splitting: true,
      format: 'esm',
      platform: 'browser',
      outdir: '/virtual',
      write: false,
      metafile: true,
      tsconfigRaw: '{}',
      logLevel: 'silent',
    });
    const outputs = out.metafile.outputs;
    const entry = Object.keys(outputs).find((file) => outputs[file]?.entryPoint) as string;
    const first = new Set<string>();
    for (const queue = [entry]; queue.length; ) {
      const file = queue.pop() as string;
      if (first.has(file)) continue;
      first.add(file);
      for (const i of outputs[file]?.imports ?? []) if (i.kind === 'import-statement') queue.push(i.path);
    }
    const inputs = (files: string[]) => files.flatMap((file) => Object.keys(outputs[file]?.inputs ?? {}));
    const loaded = inputs([...first]);
    const later = inputs(Object.keys(outputs).filter((file) => !first.has(file)));
    expect(loaded.some((input) => input.endsWith('src/codec/gzip-lazy.ts'))).toBe(true); // the magic check
    for (const lazy of ['inflate-stream.ts', 'gzip.ts', 'crc32.ts', 'gzip-fflate.ts'])
      expect(loaded.filter((input) => input.endsWith(`src/codec/${lazy}`))).toEqual([]);
    expect(loaded.filter((input) => input.includes('fflate'))).toEqual([]);
    expect(later.some((input) => input.endsWith('src/codec/inflate-stream.ts'))).toBe(true);
    expect(later.some((input) => input.endsWith('src/codec/gzip.ts'))).toBe(true);
    expect(later.some((input) => input.includes('node_modules/fflate'))).toBe(true);
    expect(later.some((input) => input.endsWith('src/codec/gzip-fflate.ts'))).toBe(true);
  });
});

describe('an inflater loaded on demand (the browser inflater, and fflate behind it)', () => {
  const frame = new Uint8Array([0x1f, 0x8b]);
  const inflated = new Uint8Array([1, 2, 3]);

  it('loads once for the frames that come while it loads, then inflates without waiting', async () => {
    const load = vi.fn(async () => () => inflated);
    const inflate = onDemand(load);
    const first = [inflate(frame, CAP, true), inflate(frame, CAP, true)];
    expect(first.every((r) => r instanceof Promise)).toBe(true);
    expect(await Promise.all(first)).toEqual([inflated, inflated]);
    expect(inflate(frame, CAP, true)).toBe(inflated); // loaded: called directly
    expect(load).toHaveBeenCalledTimes(1);
  });

  it('a load that fails rejects that frame (the inbox reports codec_failed) and the next frame loads again', async () => {
    const lost = new Error('chunk did not load');
    const load = vi
      .fn()
      .mockRejectedValueOnce(lost)
      .mockResolvedValueOnce(() => inflated);
    const inflate = onDemand(load);
    await expect(inflate(frame, CAP, true)).rejects.toBe(lost);
    expect(await inflate(frame, CAP, true)).toBe(inflated);
    expect(load).toHaveBeenCalledTimes(2);
  });
});

describe('where zlib (and browsers) and the fflate fallback differ (PROTOCOL.md §10 says so): deflate data they read differently', () => {
  const reasons = (frame: Buffer) => engines.map(([, inflate]) => verdict(inflate(new Uint8Array(frame), CAP, true)));

  it.each(fflateDiffers)('%s', (_name, frame, zlibReason, fflateReason) => {
    expect(reasons(frame)).toEqual([fflateReason, zlibReason]);
  });
});

describe.each(engines)('%s inflater', (_name, inflate) => {
  it('stops as soon as the output passes the declared size: a frame declaring 10 bytes that inflates to 16 MiB', async () => {
    const full = await bomb(16); // 16 MiB of zeros
    const lying = Buffer.from(full);
    lying.writeUInt32LE(10, lying.length - 4);
    const fastest = (frame: Buffer) => {
      let best = Number.POSITIVE_INFINITY;
      let result: Inflated = new Uint8Array();
      for (let i = 0; i < 5; i++) {
        const started = performance.now();
        result = inflate(new Uint8Array(frame), CAP + 1, false);
        best = Math.min(best, performance.now() - started);
      }
      return { best, result };
    };
    const honest = fastest(full);
    expect(verdict(honest.result)).toBe('ok'); // all 16 MiB
    const early = fastest(lying);
    expect(verdict(early.result)).toBe('bad_trailer');
    expect((early.result as DecodeError).held).toBe(10);
    expect((early.result as DecodeError).message).toContain('more than the 10 bytes its trailer declares');
    // measured: about 1/30 of the time, for both (fflate took as long as for all 16 MiB before)
    expect(early.best).toBeLessThan(honest.best / 4);
  });

  it('stops a 1 GiB bomb declaring 1,000 bytes there, not at the cap', async () => {
    const forged = Buffer.from(await bomb(1024));
    forged.writeUInt32LE(1_000, forged.length - 4);
    const started = performance.now();
    const result = inflate(new Uint8Array(forged), CAP, true);
    expect(verdict(result)).toBe('bad_trailer');
    expect((result as DecodeError).held).toBe(1_000);
    expect(performance.now() - started).toBeLessThan(1_000);
  }, 120_000); // the first to build the 1 GiB bomb: measured 6.6 s, 10.7 s with two CPU burners beside
});

describe('fflate streaming path', () => {
  it('reads no more than about 1 KB of a 16 KB bomb declaring 10 bytes (at most 1032 bytes out per byte in)', async () => {
    const forged = Buffer.from(await bomb(16));
    forged.writeUInt32LE(10, forged.length - 4);
    const push = vi.spyOn(Gunzip.prototype, 'push');
    try {
      expect(verdict(gunzipCapped(new Uint8Array(forged), CAP, true))).toBe('bad_trailer');
      const fed = push.mock.calls.reduce((n, [chunk]) => n + chunk.length, 0);
      expect(forged.length).toBeGreaterThan(15_000);
      expect(fed).toBeLessThanOrEqual(10 + 512); // the bare header, then the first slice: it stopped there
    } finally {
      push.mockRestore();
    }
  });
});

describe('memory: one hostile frame costs at most 3 times maxMessageBytes (the frame itself is at most 1)', () => {
  // Measured in a child process, the frame built first. With a cap of 64 MiB, on Node 20:
  // zlib's peak resident set grows by 1.00 x cap (one output buffer, of the declared size plus one
  // byte); fflate holds at most 1.44 x cap after any push (its output, of the declared size, and one
  // slice's burst), and its peak resident set, garbage not yet collected included, grew 1.5 to 1.8 x.
  const cap = 64 * 1024 * 1024;
  const frames = [
    'a frame declaring the cap that inflates to twice the cap',
    'a valid frame of exactly the cap',
  ] as const;

  it.each(frames)(
    'zlib: %s',
    async (frame) => {
      const measured = await inflationMemory('zlib', frame, cap);
      expect(measured.verdict).toBe(frame.startsWith('a valid') ? 'ok' : 'bad_trailer');
      expect(measured.rss).toBeLessThan(1.25 * cap);
    },
    120_000, // a child process (tsx start-up, its bomb built): measured 1.2-1.7 s, 5.4-6.1 s with two CPU burners
  );

  it.each(frames)(
    'fflate: %s',
    async (frame) => {
      const held = await inflationMemory('fflate', frame, cap, true);
      expect(held.verdict).toBe(frame.startsWith('a valid') ? 'ok' : 'bad_trailer');
      expect(held.pushes).toBeGreaterThan(5); // the streaming path, in slices
      expect(held.heldPerPush).toBeLessThan(1.5 * cap);
      const rss = await inflationMemory('fflate', frame, cap);
      expect(rss.rss).toBeLessThan(2 * cap);
    },
    240_000, // two child processes, one after the other: measured 5.3-6.5 s, 12-20 s with two CPU burners
  );
});

describe("the codec and an inflater of the `inflate` option (the package's own give a DecodeError's fields)", () => {
  const frame = new Uint8Array(gzipSync('{"type":"ping"}'));
  const flags = () => ({ text: false, suspect: false });
  it('a DecodeError it returns is the one reported; bytes it returns are parsed', () => {
    const refused = new DecodeError({ reason: 'bad_gzip', message: 'refused by the app' });
    const refusing: Inflate = () => refused;
    expect(jsonCodec({ inflate: refusing }).decode(frame, flags())).toBe(refused);
    const own: Inflate = (bytes, cap) => new Uint8Array(gunzipSync(bytes, { maxOutputLength: cap }));
    expect(jsonCodec({ inflate: own }).decode(frame, flags())).toEqual({ type: 'ping' });
  });
  it("the package's inflater's fields become a DecodeError with them", () => {
    const stored = frame.slice();
    stored[2] = 7; // not deflate
    const error = jsonCodec().decode(stored, flags());
    expect(error).toBeInstanceOf(DecodeError);
    expect(error).toMatchObject({
      code: 'ERR_DECODE',
      reason: 'bad_gzip',
      message: 'gzip compression method is not deflate',
    });
  });
});
