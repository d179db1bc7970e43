/** min+gzip bytes of each entry and of the anchors, all built the same way: esbuild --bundle --minify, gzip -9. */
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';

async function bundleSize(contents: string, external: string[] = []) {
  const result = await build({
    stdin: { contents, resolveDir: process.cwd(), loader: 'ts' },
    bundle: true,
    minify: true,
    write: false,
    format: 'esm',
    platform: 'browser',
    external,
    logLevel: 'silent',
  });
  const code = result.outputFiles[0]?.contents ?? new Uint8Array();
  return { min: code.length, gzip: gzipSync(code, { level: 9 }).length };
}

export async function sizes() {
  return [
    { name: 'eventwire core (browser)', ...(await bundleSize(`export * from './src/index.ts';`)) },
    { name: 'eventwire/svelte', ...(await bundleSize(`export * from './src/adapters/svelte.ts';`)) },
    {
      name: 'eventwire/react (react external)',
      ...(await bundleSize(`export * from './src/adapters/react.ts';`, ['react'])),
    },
    { name: 'socket.io-client', ...(await bundleSize(`export * from 'socket.io-client';`)) },
    { name: 'centrifuge', ...(await bundleSize(`export * from 'centrifuge';`)) },
    { name: 'partysocket', ...(await bundleSize(`export * from 'partysocket';`)) },
  ];
}
