/**
 * What `share: 'tabs'` costs an app that does not share (README "One connection for all tabs"):
 * a browser bundle of `import { createClient }` built by esbuild from the sources with chunk
 * splitting, as Vite or webpack would split it. The first load (the entry and the chunks it
 * imports statically) holds the option's plan alone, under 2 KB minified; the rest of the
 * share (election, links, hub, the tab's part of the outbox) is a chunk loaded on demand.
 */
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';
import { browserAliases } from '../scripts/aliases.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));

describe("share: 'tabs' in the first load", () => {
  it('the first load of createClient holds the share plan alone (under 2 KB minified); the share module is its own chunk', async () => {
    const { metafile } = await build({
      stdin: {
        contents: "import { createClient } from './src/index.ts'; console.log(createClient);",
        resolveDir: root,
        loader: 'ts',
      },
      alias: browserAliases,
      bundle: true,
      minify: true,
      splitting: true,
      format: 'esm',
      platform: 'browser',
      write: false,
      outdir: '/nonexistent',
      metafile: true,
      logLevel: 'silent',
    });
    const outputs = metafile.outputs;
    const entry = Object.keys(outputs).find((key) => outputs[key]?.entryPoint !== undefined) as string;
    const first = new Set<string>();
    const queue = [entry];
    for (let key = queue.pop(); key !== undefined; key = queue.pop()) {
      if (first.has(key)) continue;
      first.add(key);
      for (const i of outputs[key]?.imports ?? []) if (i.kind === 'import-statement') queue.push(i.path);
    }
    const share = (keys: Iterable<string>) =>
      [...keys].flatMap((key) =>
        Object.entries(outputs[key]?.inputs ?? {})
          .filter(([input, { bytesInOutput }]) => input.startsWith('src/share/') && bytesInOutput > 0)
          .map(([input, { bytesInOutput }]) => [input, bytesInOutput] as const),
      );
    const inFirst = share(first);
    expect(inFirst.map(([input]) => input)).toEqual(['src/share/option.ts']);
    expect(inFirst[0]?.[1]).toBeLessThan(2_048);
    const lazy = share(Object.keys(outputs).filter((key) => !first.has(key))).map(([input]) => input);
    for (const module of ['tabs', 'tab-outbox', 'tab-transport', 'hub', 'hub-link', 'hub-outbox', 'wire'])
      expect(lazy).toContain(`src/share/${module}.ts`);
  });
});
