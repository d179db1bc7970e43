/**
 * The package as users install it (README "Install"): packed by npm, installed into a fresh
 * project (optional peers left out), then loaded by Node both ways, bundled for the browser
 * by esbuild, type-checked by TypeScript under each module resolution and its command run, as
 * an app would. `npm test` builds dist/ before the tests run.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';
import ts from 'typescript';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('..', import.meta.url));
let app: string;
/** What `npm pack` reported: each file of the tarball and its size. */
let packed: { filename: string; size: number; unpackedSize: number; files: Array<{ path: string; size: number }> };

beforeAll(() => {
  app = mkdtempSync(join(tmpdir(), 'eventwire-app-'));
  [packed] = JSON.parse(
    execFileSync('npm', ['pack', '--json', '--pack-destination', app], { cwd: root, encoding: 'utf8' }),
  );
  writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'app', private: true, type: 'module' }));
  execFileSync(
    'npm',
    ['install', '--no-audit', '--no-fund', '--prefer-offline', '--omit=peer', join(app, packed.filename)],
    { cwd: app, stdio: 'ignore' },
  );
}, 120_000);

afterAll(() => rmSync(app, { recursive: true, force: true }));

const node = (args: string[]) => execFileSync(process.execPath, args, { cwd: app, encoding: 'utf8' }).trim();

/**
 * A browser bundle of `source` made in the app, as a bundler would resolve the package (for production, unless
 * `conditions` adds `development` as Vite's dev server and webpack's development mode do).
 */
async function bundle(source: string, conditions: string[] = []) {
  const result = await build({
    conditions,
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
    // A dialect is carried when its definition is (`name: 'forge'` beside its reader). The other
    // dialects' names alone may appear: the mismatch hint names the dialect whose frames arrive.
    const defines = (name: string) => new RegExp(`name:\\s*"${name}"`);
    expect(code).toMatch(defines('querri'));
    for (const other of ['forge', 'mdb', 'buster', 'provisioning']) expect(code).not.toMatch(defines(other));
    expect(code).not.toContain('checkpoint_created'); // forge's reader
  });

  it('the file for pages without a bundler imports nothing, and holds no ws, node: import or zod', async () => {
    const { code, imports } = await bundle("export * from 'eventwire/browser';");
    expect(imports).toEqual([]);
    expect(clients(code)).toBe(1);
    expect(code).not.toMatch(/perMessageDeflate|Sec-WebSocket-Key|node:|_zod/);
  });
});

describe('messages: whole in Node and development bundles, their facts without the explanations in production', () => {
  // A browser production bundle resolves `#words` to its terse side (package.json "imports"): these explanations,
  // each on a first-load path, are folded out of it, and stand in Node and under the `development` condition
  const explanations = ['without a #fragment', 'check the URL (its path', 'pass its dialect (eventwire/dialects'];
  const attempt =
    "import { createClient } from 'eventwire';" +
    "try { createClient({ url: 'nope' }) } catch (e) { console.log(JSON.stringify({ name: e.name, code: e.code, message: e.message })) }";
  const run = (code: string) => {
    writeFileSync(join(app, 'attempt.mjs'), code);
    return JSON.parse(node(['attempt.mjs']));
  };

  it('a production bundle carries the facts of each message and none of the explanations', async () => {
    const { code } = await bundle(attempt);
    expect(explanations.filter((text) => code.includes(text))).toEqual([]);
    expect(run(code)).toEqual({
      name: 'OptionsError',
      code: 'ERR_OPTIONS',
      message: 'url: "nope"',
    });
  });

  it('Vite folds them the same way: out of `vite build`, in with NODE_ENV=development (as its dev server resolves)', async () => {
    const { build: vite } = await import('vite');
    writeFileSync(join(app, 'index.html'), '<!doctype html><script type="module" src="/attempt.js"></script>\n');
    writeFileSync(join(app, 'attempt.js'), attempt);
    // Vite picks the `development` or `production` condition from NODE_ENV, not from --mode: unset (as an app's
    // `vite build` runs) it builds for production; vitest sets it to `test`, so each build sets its own
    const env = process.env.NODE_ENV;
    const code = async (nodeEnv: string | undefined) => {
      if (nodeEnv === undefined) delete process.env.NODE_ENV;
      else process.env.NODE_ENV = nodeEnv;
      const result = (await vite({
        root: app,
        configFile: false,
        envFile: false,
        logLevel: 'silent',
        build: { write: false, modulePreload: { polyfill: false }, reportCompressedSize: false, copyPublicDir: false },
      })) as { output: Array<{ code?: string }> } | Array<{ output: Array<{ code?: string }> }>;
      return (Array.isArray(result) ? result.flatMap((r) => r.output) : result.output)
        .map((o) => o.code ?? '')
        .join('\n');
    };
    try {
      const production = await code(undefined);
      expect(explanations.filter((text) => production.includes(text))).toEqual([]);
      expect(production).toContain('ERR_OPTIONS');
      const development = await code('development');
      expect(explanations.filter((text) => !development.includes(text))).toEqual([]);
    } finally {
      process.env.NODE_ENV = env;
    }
  });

  it("Vite's dev server serves the whole messages: the package's #words resolves to its development side", async () => {
    const { createServer } = await import('vite');
    const server = await createServer({
      root: app,
      configFile: false,
      envFile: false,
      logLevel: 'silent',
      server: { middlewareMode: true, hmr: false, ws: false },
      optimizeDeps: { noDiscovery: true, include: [] },
    });
    try {
      const entry = join(installed(), 'dist', 'index.js');
      const browser = await server.environments.client.pluginContainer.resolveId('#words', entry);
      expect(browser?.id).toBe(join(installed(), 'dist', 'words.js'));
      // what a page then loads from the dev server: the constant that keeps every explanation
      const served = await server.transformRequest(`/@fs${browser?.id}`);
      expect(served?.code).toMatch(/export const words = true/);
    } finally {
      await server.close();
    }
  });

  it('eventwire/browser is the production file, and its development twin under the development condition', async () => {
    const production = await bundle("export * from 'eventwire/browser';");
    const development = await bundle("export * from 'eventwire/browser';", ['development']);
    expect([production.imports, development.imports]).toEqual([[], []]);
    expect(explanations.filter((text) => production.code.includes(text))).toEqual([]);
    expect(explanations.filter((text) => !development.code.includes(text))).toEqual([]);
    // the same files (names without their hashes), and no source map in either
    const files = (dir: string) =>
      readdirSync(join(installed(), 'dist', dir))
        .map((name) => name.replace(/-[A-Z0-9]{8}\.js$/, '.js'))
        .sort();
    expect(files('browser-dev')).toEqual(files('browser'));
    expect(files('browser')).toContain('eventwire.js');
    expect(files('browser-dev').filter((name) => !name.endsWith('.js'))).toEqual([]);
  });

  it('a development bundle and Node (import and require) carry them whole', async () => {
    const { code } = await bundle(attempt, ['development']);
    expect(explanations.filter((text) => !code.includes(text))).toEqual([]);
    const whole = {
      name: 'OptionsError',
      code: 'ERR_OPTIONS',
      message: expect.stringContaining('without a #fragment'),
    };
    expect(run(code)).toEqual(whole);
    expect(run(attempt)).toEqual(whole);
    writeFileSync(
      join(app, 'attempt.cjs'),
      attempt.replace(/^import (.*) from 'eventwire';/, "const $1 = require('eventwire');"),
    );
    expect(JSON.parse(node(['attempt.cjs']))).toEqual(whole);
  });
});

/** The installed package's directory in the app. */
const installed = () => join(app, 'node_modules', 'eventwire');

describe('the installed package, as a new user meets it', () => {
  it('TypeScript finds every entry point under moduleResolution node10, node16 and bundler', () => {
    const manifest = JSON.parse(readFileSync(join(installed(), 'package.json'), 'utf8'));
    const subpaths = Object.keys(manifest.exports).filter((key) => key !== './package.json');
    expect(subpaths.length).toBeGreaterThanOrEqual(8);
    // node10 reads no "exports": each subpath needs its typesVersions entry
    for (const key of subpaths.filter((k) => k !== '.'))
      expect(manifest.typesVersions['*'], key).toHaveProperty(key.slice(2));
    const file = join(app, 'entries.ts');
    const names = subpaths.map((key) => `eventwire${key.slice(1)}`);
    writeFileSync(
      file,
      `${names.map((name, i) => `import * as e${i} from '${name}';`).join('\n')}\n` +
        "import { createClient, type ClientStats } from 'eventwire';\n" +
        "import { decide, DEFAULT_BACKOFF } from 'eventwire/advanced';\n" +
        "import { querri } from 'eventwire/dialects';\n" +
        'const seen: ClientStats | undefined = undefined;\n' +
        `export const all = [${names.map((_, i) => `e${i}`).join(', ')}, createClient, decide, DEFAULT_BACKOFF, querri, seen];\n`,
    );
    const modes: Array<[string, ts.CompilerOptions]> = [
      ['node10', { moduleResolution: ts.ModuleResolutionKind.Node10, module: ts.ModuleKind.CommonJS }],
      ['node16', { moduleResolution: ts.ModuleResolutionKind.Node16, module: ts.ModuleKind.Node16 }],
      ['bundler', { moduleResolution: ts.ModuleResolutionKind.Bundler, module: ts.ModuleKind.ESNext }],
    ];
    for (const [mode, options] of modes) {
      const program = ts.createProgram([file], {
        ...options,
        strict: true,
        noEmit: true,
        target: ts.ScriptTarget.ES2022,
        skipLibCheck: true,
        types: [],
      });
      const problems = ts
        .getPreEmitDiagnostics(program)
        .filter((d) => d.file?.fileName === file)
        .map((d) => `TS${d.code} ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`);
      expect(problems, mode).toEqual([]);
    }
  });

  it('npx eventwire runs the command from the app', () => {
    const out = execFileSync('npx', ['--no-install', 'eventwire', '--version'], { cwd: app, encoding: 'utf8' });
    expect(out.trim()).toContain(JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).version);
  });

  it("README's Quickstart, as written, against `eventwire serve` run from the app (no clone, no zod)", async () => {
    const readme = readFileSync(join(root, 'README.md'), 'utf8');
    const quickstart = readme.slice(readme.indexOf('## Quickstart'));
    expect(quickstart.slice(0, quickstart.indexOf('```js'))).toContain('npx eventwire serve');
    const block = /```js\n([\s\S]*?)```/.exec(quickstart)?.[1] ?? '';
    const started = (args: string[]) => {
      const child = spawn(process.execPath, args, { cwd: app, stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      child.stdout.on('data', (d) => (out += d));
      child.stderr.on('data', (d) => (out += d));
      const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
      // asked at each chunk printed (after `out` took it), until it shows, the child exits, or 10 s pass
      const printed = (pattern: RegExp) =>
        new Promise<string>((resolve, reject) => {
          const done = (error?: Error) => {
            clearTimeout(timer);
            child.stdout.off('data', check);
            child.stderr.off('data', check);
            child.off('close', gone);
            if (error) reject(error);
            else resolve(pattern.exec(out)?.[0] ?? '');
          };
          const check = () => pattern.test(out) && done();
          const gone = () => done(new Error(`exited before ${pattern}: ${JSON.stringify(out)}`));
          const timer = setTimeout(() => done(new Error(`no ${pattern} in ${JSON.stringify(out)}`)), 10_000);
          child.stdout.on('data', check);
          child.stderr.on('data', check);
          child.on('close', gone);
          check();
        });
      return { child, exited, printed };
    };
    const children: ChildProcess[] = [];
    try {
      const server = started([join(app, 'node_modules', '.bin', 'eventwire'), 'serve', '--port', '0']);
      children.push(server.child);
      const url = await server.printed(/ws:\/\/127\.0\.0\.1:\d+/);
      writeFileSync(join(app, 'quickstart.mjs'), block.replace('ws://127.0.0.1:8080', url));
      const client = started(['quickstart.mjs']);
      children.push(client.child);
      await client.printed(/state: connecting -> open/);
      await client.printed(/\d+ \{ task_id: 'task-1', host: 'db-01', status: 'Pending' \}/);
      client.child.kill('SIGINT');
      expect(await client.exited).toBe(0);
      server.child.kill('SIGTERM');
      expect(await server.exited).toBe(0);
    } finally {
      for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    }
  });

  it('its source maps weigh less than its code and hold no copy of the sources', () => {
    const bytes = (test: (path: string) => boolean) =>
      packed.files.filter((f) => test(f.path)).reduce((sum, f) => sum + f.size, 0);
    const maps = bytes((path) => path.endsWith('.map'));
    const code = bytes((path) => /\.c?js$/.test(path));
    expect(maps).toBeGreaterThan(0);
    expect(maps).toBeLessThan(code);
    expect(existsSync(join(installed(), 'dist', 'browser', 'eventwire.js.map'))).toBe(false);
    const dist = join(installed(), 'dist');
    for (const name of readdirSync(dist).filter((n) => n.endsWith('.map'))) {
      expect(JSON.parse(readFileSync(join(dist, name), 'utf8')).sourcesContent, name).toBeUndefined();
    }
  });

  it('every runtime dependency is imported by the built code, or is the peer of one that is', () => {
    const manifest = JSON.parse(readFileSync(join(installed(), 'package.json'), 'utf8'));
    const dist = join(installed(), 'dist');
    const code = readdirSync(dist)
      .filter((n) => /\.c?js$/.test(n))
      .map((n) => readFileSync(join(dist, n), 'utf8'))
      .join('\n');
    const imported = (dep: string) => new RegExp(`(from |require\\(|import\\()["']${dep}["']`).test(code);
    const deps = Object.keys(manifest.dependencies);
    const used = deps.filter(imported);
    const peersOfUsed = used.flatMap((dep) =>
      Object.keys(
        JSON.parse(readFileSync(join(app, 'node_modules', dep, 'package.json'), 'utf8')).peerDependencies ?? {},
      ),
    );
    expect(deps.filter((dep) => !used.includes(dep) && !peersOfUsed.includes(dep))).toEqual([]);
  });
});
