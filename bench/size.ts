/**
 * min+gzip bytes of what an app ships, all built the same way (esbuild --bundle --minify,
 * browser, then gzip -9), importing the built package by name as an app does, and the anchors.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';

/** One copy of the client holds this string once. */
const MARK = '[eventwire] unhandled';

async function bundleSize(contents: string, external: string[] = []) {
  const result = await build({
    stdin: { contents, resolveDir: process.cwd(), loader: 'js' },
    bundle: true,
    minify: true,
    write: false,
    format: 'esm',
    platform: 'browser',
    external,
    // as an app resolves the package: not through this repo's tsconfig paths (they serve the sources)
    tsconfigRaw: '{}',
    logLevel: 'silent',
  });
  const code = result.outputFiles[0]?.contents ?? new Uint8Array();
  const text = new TextDecoder().decode(code);
  return { min: code.length, gzip: gzipSync(code, { level: 9 }).length, clients: text.split(MARK).length - 1 };
}

/** The chunk a bundler splits off for `share: 'tabs'` (loaded only by a client that shares). */
async function shareChunk() {
  const dir = join(process.cwd(), 'node_modules', '.cache', 'share-size');
  mkdirSync(dir, { recursive: true });
  const entry = join(dir, 'app.js');
  writeFileSync(entry, `export { createClient } from 'eventwire';`);
  const result = await build({
    entryPoints: [entry],
    bundle: true,
    minify: true,
    splitting: true,
    outdir: join(dir, 'out'),
    write: false,
    format: 'esm',
    platform: 'browser',
    tsconfigRaw: '{}',
    logLevel: 'silent',
  });
  const chunk = result.outputFiles.find((f) => f.text.includes('eventwire:share:'));
  const code = chunk?.contents ?? new Uint8Array();
  return { min: code.length, gzip: gzipSync(code, { level: 9 }).length, clients: 0 };
}

export async function sizes() {
  return [
    {
      name: "eventwire core: import { createClient } from 'eventwire'",
      ...(await bundleSize(`export { createClient } from 'eventwire';`)),
    },
    { name: 'eventwire, everything it exports', ...(await bundleSize(`export * from 'eventwire';`)) },
    {
      name: 'eventwire + eventwire/react (react external)',
      ...(await bundleSize(
        `export { createClient } from 'eventwire'; export { EventwireProvider, useEvents, useConnectionState } from 'eventwire/react';`,
        ['react'],
      )),
    },
    {
      name: 'eventwire + eventwire/svelte',
      ...(await bundleSize(
        `export { createClient } from 'eventwire'; export { eventList, connectionState } from 'eventwire/svelte';`,
      )),
    },
    {
      name: 'dist/browser/eventwire.js (pages without a bundler)',
      ...(await bundleSize(`export * from 'eventwire/browser';`)),
    },
    { name: "share: 'tabs', the chunk loaded on demand", ...(await shareChunk()) },
    { name: 'socket.io-client', ...(await bundleSize(`export * from 'socket.io-client';`)) },
    { name: 'centrifuge', ...(await bundleSize(`export * from 'centrifuge';`)) },
    { name: 'partysocket', ...(await bundleSize(`export * from 'partysocket';`)) },
  ];
}
