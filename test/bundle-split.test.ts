/**
 * README's "What each import costs": with a splitting bundler, `createClient` loads the core; the
 * logger's writer, the request tracker, the time cursor and `share: 'tabs'` are chunks of their own,
 * loaded by the clients that use them (the logger, a request, a dialect that resumes by time, `share`).
 * Bundled from the sources by esbuild as an app's bundler would (browser, ESM, splitting).
 */
import { join, relative } from 'node:path';
import { gzipSync } from 'node:zlib';
import { build, type Metafile } from 'esbuild';
import { describe, expect, it } from 'vitest';

const root = new URL('..', import.meta.url).pathname;

/** The sources in the chunks a page loads before any code runs (the entry and its static imports), and in the rest. */
async function split(code: string): Promise<{ first: Set<string>; lazy: Set<string>; firstGzip: number }> {
  const result = await build({
    stdin: { contents: code, resolveDir: root, loader: 'ts' },
    bundle: true,
    minify: true,
    format: 'esm',
    platform: 'browser',
    splitting: true,
    write: false,
    metafile: true,
    outdir: join(root, 'node_modules', '.cache', 'bundle-split'),
    alias: { '#inflate': './src/codec/inflate-browser.ts' },
    logLevel: 'silent',
  });
  const outputs: Metafile['outputs'] = result.metafile.outputs;
  const entry = Object.keys(outputs).find((key) => outputs[key]?.entryPoint);
  const seen = new Set<string>();
  const queue = entry ? [entry] : [];
  for (let key = queue.pop(); key !== undefined; key = queue.pop()) {
    if (seen.has(key)) continue;
    seen.add(key);
    for (const i of outputs[key]?.imports ?? [])
      if (i.kind === 'import-statement' && outputs[i.path]) queue.push(i.path);
  }
  const first = new Set<string>();
  const lazy = new Set<string>();
  for (const [key, output] of Object.entries(outputs))
    for (const [source, input] of Object.entries(output.inputs))
      if (input.bytesInOutput > 0) (seen.has(key) ? first : lazy).add(source);
  let firstGzip = 0;
  for (const file of result.outputFiles)
    if (seen.has(relative(root, file.path))) firstGzip += gzipSync(file.contents, { level: 9 }).length;
  return { first, lazy, firstGzip };
}

const ON_DEMAND = [
  'src/core/util/log-writer.ts',
  'src/core/outbox/requests.ts',
  'src/core/streams/time-cursor.ts',
  'src/share/tabs.ts',
];

describe('what each import costs', () => {
  it('createClient loads the core; the log writer, request tracker, time cursor and tabs share load on demand', async () => {
    const { first, lazy } = await split("import { createClient } from './src/index.ts'; console.log(createClient);");
    for (const source of ON_DEMAND) {
      expect(first.has(source), `${source} in the first load`).toBe(false);
      expect(lazy.has(source), `${source} in a chunk of its own`).toBe(true);
    }
    expect(first.has('src/core/core.ts')).toBe(true);
    expect(first.has('src/core/link/connection.ts')).toBe(true);
    expect(first.has('node_modules/fflate/esm/browser.js')).toBe(false); // loaded where DecompressionStream is missing
  });

  it('the first load stays within its budget: 25.13 KB gzip measured (issue #22 aims at 12.8 KB)', async () => {
    const { firstGzip } = await split("import { createClient } from './src/index.ts'; console.log(createClient);");
    expect(firstGzip).toBeGreaterThan(10_000); // the measure reads the chunks (not an empty set)
    expect(firstGzip).toBeLessThanOrEqual(25.45 * 1024);
  });
});
