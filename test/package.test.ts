/**
 * The package as users install it: packed by npm, installed into a fresh project (optional
 * peers left out), then loaded by Node both ways and bundled for the browser by esbuild as an
 * app would. `npm test` builds dist/ before the tests run.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('..', import.meta.url));
let app: string;

beforeAll(() => {
  app = mkdtempSync(join(tmpdir(), 'eventwire-app-'));
  const packed = JSON.parse(
    execFileSync('npm', ['pack', '--json', '--pack-destination', app], { cwd: root, encoding: 'utf8' }),
  );
  writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'app', private: true, type: 'module' }));
  execFileSync(
    'npm',
    ['install', '--no-audit', '--no-fund', '--prefer-offline', '--omit=peer', join(app, packed[0].filename)],
    { cwd: app, stdio: 'ignore' },
  );
}, 120_000);

afterAll(() => rmSync(app, { recursive: true, force: true }));

const node = (args: string[]) => execFileSync(process.execPath, args, { cwd: app, encoding: 'utf8' }).trim();

/** A browser bundle of `source` made in the app, as a bundler would resolve the package. */
async function bundle(source: string) {
  const result = await build({
    stdin: { contents: source, resolveDir: app, loader: 'js' },
    bundle: true,
    minify: true,
    write: false,
    format: 'esm',
    platform: 'browser',
    external: ['react'],
    metafile: true,
    logLevel: 'silent',
  });
  const code = result.outputFiles[0]?.text ?? '';
  const imports = Object.values(result.metafile.outputs).flatMap((o) => o.imports.map((i) => i.path));
  return { code, imports };
}

/** How many copies of the client a bundle holds: a string that stands once in the core's source. */
const clients = (code: string) => code.split('[eventwire] unhandled').length - 1;

describe('the installed package', () => {
  it('loads with require() and import() in Node 20, with no partysocket, reconnecting-websocket or zod installed', () => {
    for (const optional of ['partysocket', 'reconnecting-websocket', 'zod'])
      expect(existsSync(join(app, 'node_modules', optional)), optional).toBe(false);
    expect(node(['-e', "console.log(typeof require('eventwire').createClient)"])).toBe('function');
    expect(node(['--input-type=module', '-e', "console.log(typeof (await import('eventwire')).createClient)"])).toBe(
      'function',
    );
    // gzip frames decode through the inflater the package's "imports" map gives Node, both ways
    const frame = `Buffer.from('${gzipSync(JSON.stringify({ type: 'ping' })).toString('base64')}', 'base64')`;
    const decode = `.jsonCodec().decode(${frame}, { text: false, suspect: false }).type`;
    expect(node(['-e', `console.log(require('eventwire')${decode})`])).toBe('ping');
    expect(node(['--input-type=module', '-e', `console.log((await import('eventwire'))${decode})`])).toBe('ping');
  });

  it('a React app bundled from eventwire + eventwire/react holds one client, and no ws, node: import or zod', async () => {
    const { code, imports } = await bundle(
      "import { createClient } from 'eventwire'; import { EventwireProvider, useEvents } from 'eventwire/react';" +
        'console.log(createClient, EventwireProvider, useEvents);',
    );
    expect(clients(code)).toBe(1);
    expect(imports).toEqual(['react']);
    expect(code).not.toMatch(/perMessageDeflate|Sec-WebSocket-Key|node:|_zod/);
  });

  it('a Svelte app bundled from eventwire + eventwire/svelte holds one client', async () => {
    const { code, imports } = await bundle(
      "import { createClient } from 'eventwire'; import { eventList } from 'eventwire/svelte';" +
        'console.log(createClient, eventList);',
    );
    expect(clients(code)).toBe(1);
    expect(imports).toEqual([]);
  });

  it('eventwire/dialects is tree-shaken: an app that imports one dialect carries no other', async () => {
    const { code } = await bundle(
      "import { createClient } from 'eventwire'; import { querri } from 'eventwire/dialects';" +
        'console.log(createClient, querri);',
    );
    expect(code).toContain('"querri"');
    for (const other of ['forge', 'mdb', 'buster', 'provisioning']) expect(code).not.toContain(`"${other}"`);
  });

  it('the file for pages without a bundler imports nothing, and holds no ws, node: import or zod', async () => {
    const { code, imports } = await bundle("export * from 'eventwire/browser';");
    expect(imports).toEqual([]);
    expect(clients(code)).toBe(1);
    expect(code).not.toMatch(/perMessageDeflate|Sec-WebSocket-Key|node:|_zod/);
  });
});
