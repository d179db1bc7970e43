import { writeFileSync } from 'node:fs';
import type { BuildOptions, Plugin } from 'esbuild';
import { defineConfig, type Options } from 'tsup';
import { browserAliases, developmentAliases, nodeAliases } from './scripts/aliases.mjs';

// The gzip inflater and the Node-only transport (`#inflate`, `#platform`) are chosen where the
// package is consumed (package.json "imports"), never at build time, except in the builds that
// know where they run (Node's CLI and testing kit, the browser file).

/**
 * `#words` (src/errors/words.ts, words-terse.ts), written by hand: a bundle would declare the flag
 * with `var`, and esbuild folds only an imported `const` into the messages that test it.
 */
const writeWords = () => {
  for (const [file, value] of [
    ['words', true],
    ['words-terse', false],
  ] as const) {
    writeFileSync(`dist/${file}.js`, `export const words = ${value};\n`);
    writeFileSync(`dist/${file}.cjs`, `'use strict';\nexports.words = ${value};\n`);
  }
};

/** The public entry points (each with its type declarations). */
const entries = {
  index: 'src/index.ts',
  protocol: 'src/protocol/index.ts',
  svelte: 'src/adapters/svelte.ts',
  react: 'src/adapters/react.ts',
  rws: 'src/transport/rws.ts',
  dialects: 'src/dialects/index.ts',
  advanced: 'src/advanced.ts',
};

/**
 * Source maps name the original file and line (`node --enable-source-maps`, devtools) without
 * a copy of the sources inside (`sourcesContent`), which made up most of the package's bytes.
 */
const noSourcesInMaps = (options: BuildOptions) => {
  options.sourcesContent = false;
};

/** The CLI's `import('./serve.js')` left as `import('./cli-serve.js')`: the build below writes that file. */
const serveApart: Plugin = {
  name: 'serve-apart',
  setup(build) {
    build.onResolve({ filter: /^\.\/serve\.js$/ }, () => ({ path: './cli-serve.js', external: true }));
  },
};

/** The build of `eventwire/browser` (or its development twin) into `outDir`, with the sources' internal imports `alias`. */
function pageBuild(outDir: string, alias: Readonly<Record<string, string>>): Options {
  return {
    entry: { eventwire: 'src/index.ts' },
    outDir,
    format: ['esm'],
    platform: 'browser',
    target: 'es2022',
    noExternal: [/.*/],
    splitting: true,
    minify: true,
    sourcemap: false,
    treeshake: true,
    esbuildOptions(options) {
      options.alias = { ...alias };
    },
  };
}

export default defineConfig([
  {
    // Node and bundlers: ESM + CJS + types, with shared chunks, so that `eventwire`,
    // `eventwire/react` and `eventwire/svelte` hold one copy of the core between them.
    // Dependencies, `#inflate`, `#platform` and node builtins stay imports.
    entry: {
      ...entries,
      'inflate-zlib': 'src/codec/inflate-zlib.ts',
      'inflate-browser': 'src/codec/inflate-browser.ts',
      'platform-node': 'src/transport/websocket-node.ts',
      'platform-browser': 'src/transport/websocket-browser.ts',
    },
    format: ['esm', 'cjs'],
    // `testing`'s declarations are made here (its code is built for Node below): this build's
    // `clean` removes every .d.ts in dist/ when its declarations start.
    dts: { entry: { ...entries, testing: 'src/testing/index.ts' } },
    splitting: true,
    sourcemap: true,
    // Everything but `testing.*` and `cli-serve.*`, which the Node builds below write at the same time.
    clean: ['!testing.*', '!cli-serve.*'],
    target: 'es2022',
    platform: 'neutral',
    treeshake: true,
    esbuildOptions: noSourcesInMaps,
    onSuccess: async () => writeWords(),
    external: ['#inflate', '#platform', '#words', 'node:zlib', 'react', 'zod', 'partysocket', 'reconnecting-websocket'],
  },
  {
    // The `eventwire` command (Node only), in one file: split, it wrote the client's lazy chunks
    // (requests-*.js, tabs-*.js...) under the same names as the build above, at the same time, and
    // a map of one build's ended in the other's bytes (a torn source map, seen once in CI).
    entry: { cli: 'src/cli/main.ts' },
    format: ['esm'],
    splitting: false,
    target: 'node20',
    platform: 'node',
    sourcemap: true,
    // `eventwire serve` (src/cli/serve.ts, the reference server) stays a file of its own, loaded
    // by `import()` for `serve` alone: `tail` starts without the server, `ws`'s server or zod.
    esbuildPlugins: [serveApart],
    esbuildOptions(options) {
      options.alias = nodeAliases;
      noSourcesInMaps(options);
    },
  },
  {
    // `eventwire serve`: the reference server, as dist/testing.js builds it (zod bundled, `ws` an import).
    entry: { 'cli-serve': 'src/cli/serve.ts' },
    format: ['esm'],
    splitting: false,
    target: 'node20',
    platform: 'node',
    sourcemap: true,
    external: ['ws'],
    noExternal: [/^zod/],
    esbuildOptions(options) {
      options.alias = nodeAliases;
      noSourcesInMaps(options);
    },
  },
  {
    // `eventwire/testing` (Node only: servers on 127.0.0.1 for an app's own tests). Its own
    // build, never in the browser bundle nor in the core's chunks; `ws` stays an import.
    entry: { testing: 'src/testing/index.ts' },
    format: ['esm', 'cjs'],
    target: 'node20',
    platform: 'node',
    sourcemap: true,
    external: ['ws'],
    // The reference server checks client messages with the protocol's zod schemas: bundled, so
    // the kit does not need the optional zod peer.
    noExternal: [/^zod/],
    esbuildOptions(options) {
      options.alias = nodeAliases;
      noSourcesInMaps(options);
    },
  },
  // Pages without a bundler: a minified ES module with no bare import (the global WebSocket,
  // DecompressionStream for gzip), loadable as it is with <script type="module">. What only
  // some pages use (share: 'tabs', the log writer, requests, fflate where DecompressionStream
  // is missing, ...) sits in chunk files beside it, loaded by relative URL when first used, as
  // a splitting bundler would: a page pays for what it uses. No source map: without
  // sources it would still be 2.3 times the file's size, and apps that want to step through
  // the code get the unminified `eventwire` entry, whose maps are shipped.
  pageBuild('dist/browser', browserAliases),
  // The same for development (`eventwire/browser` under the `development` condition, or the folder
  // copied as it is): messages whole (`#words` as in Node), the same files otherwise.
  pageBuild('dist/browser-dev', developmentAliases),
]);
