import { defineConfig } from 'tsup';

export default defineConfig([
  {
    // Node and bundlers: ESM + CJS + types; dependencies stay external.
    entry: { index: 'src/index.ts', protocol: 'src/protocol/index.ts' },
    format: ['esm', 'cjs'],
    dts: true,
    sourcemap: true,
    clean: true,
    target: 'node20',
    platform: 'node',
    treeshake: true,
  },
  {
    // Browsers without a bundler (and the `browser` export condition): one self-contained
    // ES module. isomorphic-ws resolves through its `browser` field to the global
    // WebSocket, so `ws` never enters this file.
    entry: { index: 'src/index.ts' },
    outDir: 'dist/browser',
    format: ['esm'],
    platform: 'browser',
    target: 'es2022',
    noExternal: [/.*/],
    minify: true,
    sourcemap: true,
    treeshake: true,
  },
]);
