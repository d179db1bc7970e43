/**
 * What an app ships, in min+gzip bytes (gzip -9 of each file the browser fetches; KB = 1024 B):
 * eventwire from the `npm pack`ed tarball installed into an app directory of its own (exactly
 * what users get), and the anchors each from its own installed package, imported and used the
 * way its README starts. Two bundlers, each as an app uses it:
 * - esbuild (browser, ESM, minify, code splitting on, tsconfigRaw '{}'), and
 * - a Vite app build (index.html + main.js, Vite's defaults; its modulepreload polyfill off,
 *   since it is Vite's bytes, not the library's).
 * "First load" is the entry chunk plus every chunk it imports statically; chunks reached only
 * by `import()` are "on demand", loaded when a feature needs them.
 *   tsx bench/size.ts   -> prints the tables (the anchors, eventwire's bundles, where the bytes go)
 */
import { mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build as esbuild, type Metafile, type OutputFile } from 'esbuild';
import { firstLoadFiles } from '../test/fixtures/browser.js';
import { type Packed, packEventwire } from './pack.js';
import { bytesBySource, groupName, type SourceMapV3, sourceName } from './sourcemap.js';

const repo = fileURLToPath(new URL('..', import.meta.url));
/** One copy of the client holds this string once. */
const MARK = '[eventwire] unhandled';
const gz = (bytes: Uint8Array | string) => gzipSync(bytes, { level: 9 }).length;

interface Bytes {
  min: number;
  gzip: number;
}
interface File extends Bytes {
  name: string;
  text: string;
  map?: SourceMapV3;
}
export interface AppBuild {
  first: Bytes;
  demand: Bytes;
  firstFiles: File[];
  demandFiles: File[];
  /** Copies of the eventwire client in the first load and the on-demand chunks together. */
  clients: number;
  /** gzip of the first load's files joined into one: what they cost gzipped apart shows against `first.gzip`. */
  firstJoinedGzip?: number;
}

const sum = (files: File[]): Bytes => ({
  min: files.reduce((n, f) => n + f.min, 0),
  gzip: files.reduce((n, f) => n + f.gzip, 0),
});
const fileOf = (name: string, text: string, map?: SourceMapV3): File => ({
  name,
  text,
  map,
  min: Buffer.byteLength(text),
  gzip: gz(text),
});
function appBuild(first: File[], demand: File[]): AppBuild {
  const clients = [...first, ...demand].reduce((n, f) => n + f.text.split(MARK).length - 1, 0);
  const firstJoinedGzip = gz(first.map((f) => f.text).join('\n'));
  return { first: sum(first), demand: sum(demand), firstFiles: first, demandFiles: demand, clients, firstJoinedGzip };
}

let serial = 0;
/** A fresh app directory under `base` (node_modules resolve from there upwards). */
function appDir(base: string, name: string) {
  const dir = join(base, `.size-${process.pid}-${serial++}-${name.replace(/[^\w.-]+/g, '_')}`);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  // the real path: bundlers name their outputs by it, and a symlinked base would not match
  return realpathSync(dir);
}

interface Options {
  external?: string[];
  splitting?: boolean;
  sourcemap?: boolean;
}

/** esbuild, as an app: main.js bundled for the browser, minified, split unless told otherwise. */
async function esbuildApp(base: string, name: string, code: string, o: Options = {}): Promise<AppBuild> {
  const dir = appDir(base, name);
  try {
    writeFileSync(join(dir, 'main.js'), code);
    const result = await esbuild({
      absWorkingDir: dir,
      entryPoints: ['main.js'],
      bundle: true,
      minify: true,
      splitting: o.splitting ?? true,
      outdir: 'out',
      write: false,
      metafile: true,
      format: 'esm',
      platform: 'browser',
      external: o.external ?? [],
      // esbuild chains the package's own source maps (their sourceMappingURL comments)
      sourcemap: o.sourcemap ? 'external' : false,
      // as an app resolves the package: not through this repo's tsconfig paths (they serve the sources)
      tsconfigRaw: '{}',
      logLevel: 'silent',
      logOverride: { 'ignored-bare-import': 'silent' },
    });
    const byName = new Map<string, OutputFile>(result.outputFiles.map((f) => [relative(dir, f.path), f]));
    const outputs = (result.metafile as Metafile).outputs;
    const js = Object.keys(outputs).filter((k) => k.endsWith('.js'));
    const entry = js.find((k) => outputs[k]?.entryPoint);
    const first = new Set<string>();
    const visit = (k: string) => {
      if (first.has(k)) return;
      first.add(k);
      for (const i of outputs[k]?.imports ?? []) if (i.kind === 'import-statement' && !i.external) visit(i.path);
    };
    if (entry) visit(entry);
    const file = (k: string) => {
      const map = byName.get(`${k}.map`);
      return fileOf(k, byName.get(k)?.text ?? '', map ? (JSON.parse(map.text) as SourceMapV3) : undefined);
    };
    return appBuild([...first].map(file), js.filter((k) => !first.has(k)).map(file));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

interface ViteChunk {
  type: 'chunk' | 'asset';
  fileName: string;
  code?: string;
  isEntry?: boolean;
  imports?: string[];
}

/** A Vite app: index.html loading main.js; Vite's defaults but for its modulepreload polyfill. */
async function viteApp(base: string, name: string, code: string): Promise<AppBuild> {
  const { build } = await import('vite');
  const dir = appDir(base, name);
  try {
    writeFileSync(join(dir, 'main.js'), code);
    writeFileSync(join(dir, 'index.html'), '<!doctype html><script type="module" src="/main.js"></script>\n');
    const result = (await build({
      root: dir,
      configFile: false,
      envFile: false,
      logLevel: 'silent',
      build: { write: false, modulePreload: { polyfill: false }, reportCompressedSize: false, copyPublicDir: false },
    })) as { output: ViteChunk[] } | Array<{ output: ViteChunk[] }>;
    const output = (Array.isArray(result) ? result.flatMap((r) => r.output) : result.output).filter(
      (o) => o.type === 'chunk',
    );
    const byName = new Map(output.map((c) => [c.fileName, c]));
    const first = new Set<string>();
    const visit = (k: string) => {
      if (first.has(k)) return;
      first.add(k);
      for (const i of byName.get(k)?.imports ?? []) visit(i);
    };
    for (const c of output) if (c.isEntry) visit(c.fileName);
    const file = (c: ViteChunk) => fileOf(c.fileName, c.code ?? '');
    return appBuild(
      output.filter((c) => first.has(c.fileName)).map(file),
      output.filter((c) => !first.has(c.fileName)).map(file),
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The anchors: each imported and used as its README starts. */
const ANCHORS: Array<{ name: string; pkg: string; usage: string; code: string; external?: string[] }> = [
  {
    name: 'graphql-ws',
    pkg: 'graphql-ws',
    usage: "import { createClient } from 'graphql-ws'",
    code: `import { createClient } from 'graphql-ws'; globalThis.keep = createClient;`,
  },
  {
    name: 'partysocket',
    pkg: 'partysocket',
    usage: "import { PartySocket } from 'partysocket'",
    code: `import { PartySocket } from 'partysocket'; globalThis.keep = PartySocket;`,
  },
  {
    name: 'phoenix',
    pkg: 'phoenix',
    usage: "import { Socket } from 'phoenix'",
    code: `import { Socket } from 'phoenix'; globalThis.keep = Socket;`,
  },
  {
    name: 'socket.io-client',
    pkg: 'socket.io-client',
    usage: "import { io } from 'socket.io-client'",
    code: `import { io } from 'socket.io-client'; globalThis.keep = io;`,
  },
  {
    name: '@supabase/realtime-js',
    pkg: '@supabase/realtime-js',
    usage: "import { RealtimeClient } from '@supabase/realtime-js'",
    code: `import { RealtimeClient } from '@supabase/realtime-js'; globalThis.keep = RealtimeClient;`,
  },
  {
    name: 'pusher-js',
    pkg: 'pusher-js',
    usage: "import Pusher from 'pusher-js'",
    code: `import Pusher from 'pusher-js'; globalThis.keep = Pusher;`,
  },
  {
    name: 'centrifuge',
    pkg: 'centrifuge',
    usage: "import { Centrifuge } from 'centrifuge'",
    code: `import { Centrifuge } from 'centrifuge'; globalThis.keep = Centrifuge;`,
  },
  {
    name: 'ably/modular (minimal)',
    pkg: 'ably',
    usage:
      "import { BaseRealtime, WebSocketTransport, FetchRequest } from 'ably/modular'; new BaseRealtime({ plugins: { WebSocketTransport, FetchRequest } })",
    code: `import { BaseRealtime, WebSocketTransport, FetchRequest } from 'ably/modular';
globalThis.keep = (o) => new BaseRealtime({ ...o, plugins: { WebSocketTransport, FetchRequest } });`,
  },
  {
    name: 'nats.ws',
    pkg: 'nats.ws',
    usage: "import { connect } from 'nats.ws'",
    code: `import { connect } from 'nats.ws'; globalThis.keep = connect;`,
    // a `require('crypto')` behind a `typeof require` guard, never taken in a browser
    external: ['crypto'],
  },
];

/** The installed version of a package, read from its own package.json. */
function versionOf(pkg: string, from: string): string {
  let dir = from;
  for (;;) {
    try {
      return (JSON.parse(readFileSync(join(dir, 'node_modules', pkg, 'package.json'), 'utf8')) as { version: string })
        .version;
    } catch {
      const up = join(dir, '..');
      if (up === dir) return '?';
      dir = up;
    }
  }
}

type Breakdown = Array<{ source: string; min: number; gzipShare: number }>;

interface SizeRow {
  name: string;
  version: string;
  usage: string;
  esbuild: AppBuild;
  vite?: AppBuild;
}

export interface SizeReport {
  packed: Packed;
  viteVersion: string;
  anchors: SizeRow[];
  /** `import { createClient } from 'eventwire'`, code splitting on. */
  core: SizeRow;
  /** The same with esbuild not splitting: everything inlined (what size-limit measures). */
  coreInlined: AppBuild;
  /** `export * from 'eventwire'`: every feature, first load and on demand. */
  everything: AppBuild;
  react: AppBuild;
  svelte: AppBuild;
  /** dist/browser/eventwire.js as shipped, with anything it imports statically. */
  browserFile: Bytes & { files: string[] };
  /** Where the core's first-load bytes go, by source file (the package's own source maps). */
  breakdown: Breakdown;
  /** Every export of `eventwire` in one file (esbuild, no splitting): what `eventwire/browser` holds. */
  everythingInlined: AppBuild;
  /** Where its bytes go, by source file. */
  everythingBreakdown: Breakdown;
}

const keep = (names: string) => `globalThis.keep = [${names}];`;

/**
 * dist/browser/eventwire.js and every file it imports statically (its chunks beside it), as
 * shipped: what a page fetches before any code runs. Its dynamic imports (the on-demand chunks)
 * are not followed. Read from the files' import statements (minified: `from"./x.js"`, `import"./x.js"`).
 */
function browserFile(packed: Packed): Bytes & { files: string[] } {
  const dir = join(packed.pkgDir, 'dist', 'browser');
  const files = firstLoadFiles(dir).map((name) => join(dir, name));
  const texts = files.map((f) => readFileSync(f));
  return {
    files: files.map((f) => relative(packed.pkgDir, f)),
    min: texts.reduce((n, t) => n + t.length, 0),
    gzip: texts.reduce((n, t) => n + gz(t), 0),
  };
}

/** Bytes of the first load by original source file (`src/...`, `fflate`, `(unmapped)`), largest first. */
function breakdownOf(build: AppBuild): Breakdown {
  const total = new Map<string, number>();
  for (const f of build.firstFiles) {
    if (!f.map) continue;
    for (const [source, n] of bytesBySource(f.text, f.map)) {
      const name = groupName(sourceName(source));
      total.set(name, (total.get(name) ?? 0) + n);
    }
  }
  const all = [...total.values()].reduce((a, b) => a + b, 0) || 1;
  return [...total.entries()]
    .map(([source, min]) => ({ source, min, gzipShare: (min / all) * build.first.gzip }))
    .sort((a, b) => b.min - a.min);
}

export async function sizes(): Promise<SizeReport> {
  const packed = packEventwire();
  // The anchors' apps: a temporary directory whose node_modules is this repo's (where the anchors
  // are installed); nothing is written under node_modules itself.
  const cache = mkdtempSync(join(tmpdir(), 'eventwire-anchors-'));
  symlinkSync(join(repo, 'node_modules'), join(cache, 'node_modules'), 'dir');
  process.once('exit', () => rmSync(cache, { recursive: true, force: true }));
  const anchors: SizeRow[] = [];
  for (const a of ANCHORS) {
    anchors.push({
      name: a.name,
      version: versionOf(a.pkg, repo),
      usage: a.usage,
      esbuild: await esbuildApp(cache, a.name, a.code, { external: a.external }),
      vite: await viteApp(cache, a.name, a.code),
    });
  }
  const app = packed.appDir;
  const coreCode = `import { createClient } from 'eventwire'; ${keep('createClient')}`;
  const coreMapped = await esbuildApp(app, 'core-maps', coreCode, { sourcemap: true });
  const everythingCode = `import * as all from 'eventwire'; ${keep('all')}`;
  const everythingInlined = await esbuildApp(app, 'everything-inlined', everythingCode, {
    splitting: false,
    sourcemap: true,
  });
  const core: SizeRow = {
    name: 'eventwire',
    version: packed.version,
    usage: "import { createClient } from 'eventwire'",
    esbuild: await esbuildApp(app, 'core', coreCode),
    vite: await viteApp(app, 'core', coreCode),
  };
  return {
    packed,
    viteVersion: (await import('vite')).version,
    anchors,
    core,
    coreInlined: await esbuildApp(app, 'core-inlined', coreCode, { splitting: false }),
    everything: await esbuildApp(app, 'everything', everythingCode),
    everythingInlined,
    everythingBreakdown: breakdownOf(everythingInlined),
    react: await esbuildApp(
      app,
      'react',
      `import { createClient } from 'eventwire'; import { EventwireProvider, useEvents, useConnectionState } from 'eventwire/react'; ${keep('createClient, EventwireProvider, useEvents, useConnectionState')}`,
      { external: ['react'] },
    ),
    svelte: await esbuildApp(
      app,
      'svelte',
      `import { createClient } from 'eventwire'; import { eventList, connectionState } from 'eventwire/svelte'; ${keep('createClient, eventList, connectionState')}`,
    ),
    browserFile: await browserFile(packed),
    breakdown: breakdownOf(coreMapped),
  };
}

if (process.argv[1]?.endsWith('size.ts')) {
  const { anchorTable, eventwireSizeTable, whereBytes } = await import('./report.js');
  const r = await sizes();
  console.log(`${anchorTable(r)}\n\n${eventwireSizeTable(r)}\n\n${whereBytes(r, 12.8 * 1024)}`);
}
