// The vitest recipe's own config, as an app's would be: `eventwire` and its subpaths resolve
// through the package's "exports" (Node's resolution, from inside the package: dist/).
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const dist = (specifier: string) => fileURLToPath(import.meta.resolve(specifier));

export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  resolve: {
    alias: [
      { find: /^eventwire$/, replacement: dist('eventwire') },
      { find: /^eventwire\/svelte$/, replacement: dist('eventwire/svelte') },
      { find: /^eventwire\/react$/, replacement: dist('eventwire/react') },
      { find: /^eventwire\/dialects$/, replacement: dist('eventwire/dialects') },
      { find: /^eventwire\/testing$/, replacement: dist('eventwire/testing') },
    ],
  },
  test: { include: ['*.spec.ts', '*.spec.tsx'], testTimeout: 20_000 },
});
