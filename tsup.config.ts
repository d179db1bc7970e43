import { defineConfig } from 'tsup';

export default defineConfig([
  {
    // Node and bundlers: ESM + CJS + types; dependencies (and react) stay external.
    entry: {
      index: 'src/index.ts',
      protocol: 'src/protocol/index.ts',
      svelte: 'src/adapters/svelte.ts',
      react: 'src/adapters/react.ts',
    },
    format: ['esm', 'cjs'],
    dts: true,
    sourcemap: true,
    clean: true,
    target: 'node20',
    platform: 'node',
    treeshake: true,
    external: ['react'],
  },
  {
    // The `eventwire` command (Node only).
    entry: { cli: 'src/cli/main.ts' },
    format: ['esm'],
    target: 'node20',
    platform: 'node',
    sourcemap: true,
  },
  {
    // Browsers without a bundler (and the `browser` export condition): self-contained ES
    // modules. isomorphic-ws resolves through its `browser` field to the global WebSocket,
    // so `ws` never enters these files.
    entry: { index: 'src/index.ts', svelte: 'src/adapters/svelte.ts', react: 'src/adapters/react.ts' },
    outDir: 'dist/browser',
    format: ['esm'],
    platform: 'browser',
    target: 'es2022',
    // Everything is bundled but react, which the app provides (one copy of React).
    noExternal: [/^(?!react$).*/],
    external: ['react'],
    // One file per entry, loadable as it is from a page: no shared chunks.
    splitting: false,
    minify: true,
    sourcemap: true,
    treeshake: true,
  },
]);
