/**
 * README's "What each import costs": with a splitting bundler, `createClient` loads the core; the
 * logger's writer, the request tracker, the time cursor, `share: 'tabs'` and the gzip inflaters are
 * chunks of their own, loaded by the clients that use them (the logger, a request, a dialect that
 * resumes by time, `share`, a gzip frame).
 * Bundled from the sources by esbuild as an app's bundler would (browser, ESM, splitting).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { gzipSync } from 'node:zlib';
import { build, type Metafile } from 'esbuild';
import { describe, expect, it } from 'vitest';
import { browserAliases, developmentAliases } from '../scripts/aliases.mjs';
import { firstLoadFiles } from './fixtures/browser.js';

const root = new URL('..', import.meta.url).pathname;

/**
 * The sources in the chunks a page loads before any code runs (the entry and its static imports), and in the rest;
 * `shared`: the sources of the first load that are not in the entry's chunk (in chunks the lazy ones import too).
 */
async function split(
  code: string,
  alias: Record<string, string> = browserAliases,
): Promise<{
  first: Set<string>;
  lazy: Set<string>;
  shared: Set<string>;
  firstGzip: number;
  /** The gzip bytes of the chunks that hold any of `sources` (each chunk once). */
  gzipOf(...sources: string[]): number;
}> {
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
    alias,
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
  const shared = new Set<string>();
  for (const [key, output] of Object.entries(outputs))
    for (const [source, input] of Object.entries(output.inputs)) {
      if (input.bytesInOutput === 0) continue;
      (seen.has(key) ? first : lazy).add(source);
      if (seen.has(key) && key !== entry) shared.add(source);
    }
  const gzip = new Map(
    result.outputFiles.map((file) => [relative(root, file.path), gzipSync(file.contents, { level: 9 }).length]),
  );
  let firstGzip = 0;
  for (const key of seen) firstGzip += gzip.get(key) ?? 0;
  const gzipOf = (...sources: string[]) =>
    Object.entries(outputs)
      .filter(([, output]) => sources.some((source) => (output.inputs[source]?.bytesInOutput ?? 0) > 0))
      .reduce((sum, [key]) => sum + (gzip.get(key) ?? 0), 0);
  return { first, lazy, shared, firstGzip, gzipOf };
}

const ON_DEMAND = [
  'src/core/util/log-writer.ts',
  'src/core/outbox/requests.ts',
  'src/core/streams/time-cursor.ts',
  'src/share/tabs.ts',
  // the first gzip frame: the inflater, the header and trailer checks, CRC-32 (fflate behind them)
  'src/codec/inflate-stream.ts',
  'src/codec/gzip.ts',
  'src/codec/crc32.ts',
];

describe('what each import costs', () => {
  it('createClient loads the core; the log writer, request tracker, time cursor, tabs share and inflaters load on demand', async () => {
    const { first, lazy } = await split("import { createClient } from './src/index.ts'; console.log(createClient);");
    for (const source of ON_DEMAND) {
      expect(first.has(source), `${source} in the first load`).toBe(false);
      expect(lazy.has(source), `${source} in a chunk of its own`).toBe(true);
    }
    expect(first.has('src/core/core.ts')).toBe(true);
    expect(first.has('src/core/link/connection.ts')).toBe(true);
    expect(first.has('src/codec/gzip-lazy.ts')).toBe(true); // the gzip magic check, synchronous
    expect(first.has('node_modules/fflate/esm/browser.js')).toBe(false); // loaded where DecompressionStream is missing
    // `#platform` outside Node: the browser WebSocket API alone, never `ws`'s (not even in a lazy chunk)
    expect(first.has('src/transport/websocket-browser.ts')).toBe(true);
    for (const source of [...first, ...lazy])
      expect(source, 'Node-only code in the browser build').not.toMatch(
        /websocket-node|isomorphic-ws|node_modules\/ws\//,
      );
  });

  it("the on-demand parts weigh what README's table says (KB min+gzip, within 0.1)", async () => {
    const { gzipOf } = await split("import { createClient } from './src/index.ts'; console.log(createClient);");
    const kb = (...sources: string[]) => ({
      // within 0.1 KB of the table's figure
      near: (figure: number) => expect(Math.abs(gzipOf(...sources) / 1024 - figure)).toBeLessThanOrEqual(0.1),
    });
    kb('src/core/util/log-writer.ts').near(1.2);
    kb('src/core/outbox/requests.ts').near(0.9);
    kb('src/core/streams/time-cursor.ts').near(0.75);
    kb('src/share/tabs.ts').near(6.7);
    // the inflater: DecompressionStream's reader, with the header and trailer checks (shared with fflate's chunk)
    kb('src/codec/inflate-stream.ts', 'src/codec/gzip.ts', 'src/codec/crc32.ts').near(1.7);
    kb('node_modules/fflate/esm/browser.js').near(3.0);
  });

  it('the first load is one chunk: no module a lazy chunk imports too is split off', async () => {
    // A module that both the first load and a lazy chunk import is split off into a chunk of its own, and the
    // first load's chunks gzip apart: outbox.ts (imported by the request tracker), json.ts and filters.ts (by
    // the share's hub) cost 0.9 KB that way, the errors and the gzip check (by the inflaters, the request
    // tracker, the share) 0.5 KB more. Lazy code takes such things as arguments, or type-checked literals.
    const { shared } = await split("import { createClient } from './src/index.ts'; console.log(createClient);");
    expect([...shared]).toEqual([]);
  });

  it('the first load stays within its budget: 23.58 KB gzip measured (issue #22 aims at 12.8 KB)', async () => {
    const { firstGzip } = await split("import { createClient } from './src/index.ts'; console.log(createClient);");
    expect(firstGzip).toBeGreaterThan(10_000); // the measure reads the chunks (not an empty set)
    // 22.34 KB before the connect and handshake timeouts took the heartbeat's grace (the link's timer slot): +34 B;
    // hand-built dialects checked (protocols, greeting, resume, rateLimit), empty filter lists refused, the hint of an
    // HTTP 400 or 404, shouldRetry's result checked: +0.23 KB (newcomer mistakes against issue #22's bytes)
    // 22.60 KB; messages without their explanations in a browser production bundle (#words): -1.2 KB; the idle
    // heap's cuts (the phase timer and drop watch folded into Attempts, fewer private brands): +0.08 KB; the
    // escapes of `__proto__` looked for alone, a heartbeat timeout's ms rounded: +0.03 KB; the options' defaults and
    // browserSignals() held once for every client (0.2 KB of heap less a client): +0.13 KB; a hostile server's review
    // (thrown values described safely, __proto__ in batch members, refused acks reported, a stream that started
    // over, a socket backed up or stuck, a server's ping interval floored): +0.56 KB; a newcomer's review and a
    // reviewer's (a loop begun after the client stopped, an empty token, a fractional maxRetries, a dialect's name,
    // a pending token provider said, a starved process not taken for a stuck socket): +0.18 KB; a subscribe the
    // server never confirms reported after requestTimeout: +0.09 KB; a greeting that never came from a server that
    // spoke, a hook's wrong result said as such: +0.06 KB; a wrong dialect named for certain, and the client stopped
    // (protocol v1's welcome to another dialect, messages of another before a required greeting that never came): +0.26 KB;
    // on() refusing socket.io's lifecycle names, server error words cut, a gap checked to be a range, the reviewer's
    // mends (forge and buster refusing v1's welcome): +0.20 KB; an event behind its subscriptions' cursors on a link
    // that delivered past it reported as out_of_order (a seq too high muted a subscription without a word): +0.16 KB;
    // stray answers (an error naming a pending request rejects it; a response, subscribed or unsubscribed for an id
    // the client never gave is reported, not dropped without a word): +0.23 KB; two reviews' mends (the hint said once,
    // an unsubscribed for a live subscription, forge's success to no request, quiet while an unsubscribe is answered): +0.08 KB
    expect(firstGzip).toBeLessThanOrEqual(23.6 * 1024);
  });

  it("a development build's first load carries the messages' explanations: about 1.4 KB more (README)", async () => {
    const code = "import { createClient } from './src/index.ts'; console.log(createClient);";
    const production = await split(code);
    const development = await split(code, developmentAliases);
    const more = (development.firstGzip - production.firstGzip) / 1024;
    expect(more).toBeGreaterThan(1.0);
    expect(more).toBeLessThan(1.6); // 1.2 KB until the wrong-dialect and event-name messages (1.40)
  });

  it('eventwire/browser: its first load (the entry and the chunks it imports statically) is within 1 KB of that, the rest beside it on demand', async () => {
    const dir = join(root, 'dist', 'browser'); // npm test builds before running the tests
    const files = readdirSync(dir).filter((name) => name.endsWith('.js'));
    const first = new Set(firstLoadFiles(dir));
    const gzip = [...first].reduce(
      (sum, name) => sum + gzipSync(readFileSync(join(dir, name)), { level: 9 }).length,
      0,
    );
    const lazy = files.filter((name) => !first.has(name));
    expect(lazy.length).toBeGreaterThanOrEqual(4); // share, log writer, requests, time cursor, fflate
    const { firstGzip } = await split("import { createClient } from './src/index.ts'; console.log(createClient);");
    expect(gzip - firstGzip).toBeLessThanOrEqual(1024);
  });
});
