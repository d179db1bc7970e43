import { defineConfig } from 'tsup';

/** The gzip inflater is chosen where the package is consumed (package.json "imports"), never at build time. */
const inflate = { '#inflate': './src/codec/inflate-fflate.ts' };

/** The public entry points (each with its type declarations). */
const entries = {
  index: 'src/index.ts',
  protocol: 'src/protocol/index.ts',
  svelte: 'src/adapters/svelte.ts',
  react: 'src/adapters/react.ts',
  rws: 'src/transport/rws.ts',
  dialects: 'src/dialects/index.ts',
};

export default defineConfig([
  {
    // Node and bundlers: ESM + CJS + types, with shared chunks, so that `eventwire`,
    // `eventwire/react` and `eventwire/svelte` hold one copy of the core between them.
    // Dependencies, `#inflate` and node builtins stay imports.
    entry: {
      ...entries,
      'inflate-zlib': 'src/codec/inflate-zlib.ts',
      'inflate-fflate': 'src/codec/inflate-fflate.ts',
    },
    format: ['esm', 'cjs'],
    dts: { entry: entries },
    splitting: true,
    sourcemap: true,
    clean: true,
    target: 'es2022',
    platform: 'neutral',
    treeshake: true,
    external: ['#inflate', 'node:zlib', 'react', 'zod', 'partysocket', 'reconnecting-websocket'],
  },
  {
    // The `eventwire` command (Node only).
    entry: { cli: 'src/cli/main.ts' },
    format: ['esm'],
    target: 'node20',
    platform: 'node',
    sourcemap: true,
    esbuildOptions(options) {
      options.alias = { '#inflate': './src/codec/inflate-zlib.ts' };
    },
  },
  {
    // Pages without a bundler: one self-contained, minified ES module (the global WebSocket,
    // fflate for gzip), loadable as it is with <script type="module">.
    entry: { eventwire: 'src/index.ts' },
    outDir: 'dist/browser',
    format: ['esm'],
    platform: 'browser',
    target: 'es2022',
    noExternal: [/.*/],
    splitting: false,
    minify: true,
    sourcemap: true,
    treeshake: true,
    esbuildOptions(options) {
      options.alias = inflate;
    },
  },
]);
