import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';
import { nodeAliases } from './scripts/aliases.mjs';
import { svelteCompiler } from './test/fixtures/svelte/plugin.js';

export default defineConfig({
  plugins: [svelteCompiler()],
  resolve: {
    // svelte's `mount` lives in its client build; only `svelte` itself needs the browser entry
    alias: [
      // Node's inflater and transport, from source (the package.json "imports" map points at dist/)
      ...Object.entries(nodeAliases).map(([name, path]) => ({ find: new RegExp(`^${name}$`), replacement: path })),
      {
        find: /^svelte$/,
        replacement: fileURLToPath(new URL('./node_modules/svelte/src/index-client.js', import.meta.url)),
      },
    ],
  },
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 20_000,
    hookTimeout: 20_000,
    pool: 'forks',
  },
});
