/**
 * The "done when" as a user meets it: the package packed by npm, installed into a
 * separate app (a temporary folder outside the repository, optional peers left out), and run
 * there by plain Node processes that import `eventwire`, `eventwire/dialects` and
 * `eventwire/testing` from the app's node_modules. The six-dialect matrix of
 * matrix-scenario.mjs, then the process exits by itself after `stop()` and `client.close()`
 * (nothing left open); the node:test recipe of README, run there with `node --test`; and the
 * kit costs the core nothing (no other entry reaches its code, no browser bundle holds it).
 * `npm test` builds dist/ before the tests run (`npm run build` by hand).
 */
import { execFileSync, spawn } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, posix } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../..', import.meta.url));
const here = (file: string) => join(root, 'test', file);
let app: string;

beforeAll(() => {
  app = mkdtempSync(join(tmpdir(), 'eventwire-kit-app-'));
  const [packed] = JSON.parse(
    execFileSync('npm', ['pack', '--json', '--pack-destination', app], { cwd: root, encoding: 'utf8' }),
  ) as Array<{ filename: string }>;
  writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'app', private: true, type: 'module' }));
  execFileSync(
    'npm',
    ['install', '--no-audit', '--no-fund', '--prefer-offline', '--omit=peer', join(app, packed?.filename ?? '')],
    { cwd: app, stdio: 'ignore' },
  );
  for (const file of ['testing/matrix-run.mjs', 'testing/matrix-scenario.mjs', 'recipes/node-test/ack.test.mjs'])
    copyFileSync(here(file), join(app, file.slice(file.lastIndexOf('/') + 1)));
}, 180_000);

afterAll(() => rmSync(app, { recursive: true, force: true }));

/** Runs `node args` in the app to its end; killed only if it does not end by itself (then it fails). */
async function inApp(args: string[]) {
  const child = spawn(process.execPath, args, { cwd: app, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.on('data', (d) => {
    out += d;
  });
  child.stderr.on('data', (d) => {
    err += d;
  });
  const guard = setTimeout(() => child.kill('SIGKILL'), 60_000);
  const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve) =>
    child.on('exit', (c, s) => resolve([c, s])),
  );
  clearTimeout(guard);
  return { code, signal, out, err };
}

describe('eventwire/testing from the packed tarball, in a separate app', () => {
  it('the app resolves the installed package, not the repository', () => {
    const resolved = execFileSync(
      process.execPath,
      ['--input-type=module', '-e', "console.log(import.meta.resolve('eventwire/testing'))"],
      { cwd: app, encoding: 'utf8' },
    ).trim();
    expect(fileURLToPath(resolved)).toBe(join(app, 'node_modules', 'eventwire', 'dist', 'testing.js'));
    expect(existsSync(join(app, 'node_modules', 'zod')), 'zod, an optional peer, is not installed').toBe(false);
  });

  it('passes the six-dialect matrix, and the process exits by itself', { timeout: 90_000 }, async () => {
    const { code, signal, out, err } = await inApp(['matrix-run.mjs']);
    expect({ code, signal, err }).toEqual({ code: 0, signal: null, err: '' });
    const results = JSON.parse(out) as Array<{
      dialect: string;
      ticks: number[];
      refused: unknown;
      authClose: { code: number; state: string };
      authCloseCode: number;
      errors: string[];
    }>;
    expect(results.map((r) => r.dialect)).toEqual(['eventwire', 'provisioning', 'querri', 'forge', 'mdb', 'buster']);
    for (const r of results) {
      expect(r.ticks, r.dialect).toEqual([1, 2, 3]);
      expect(r.refused, r.dialect).toEqual({ says401: true, state: 'closed' });
      expect(r.authClose, r.dialect).toEqual({ code: r.authCloseCode, state: 'closed' });
      expect(r.errors, r.dialect).toContain('ERR_AUTH');
      expect(
        r.errors.filter((c) => c !== 'ERR_AUTH' && c !== 'ERR_CONNECTION'),
        r.dialect,
      ).toEqual([]);
    }
  });

  it("README's node:test recipe passes there with `node --test`, and its process exits by itself", {
    timeout: 60_000,
  }, async () => {
    expect(readFileSync(join(app, 'ack.test.mjs'), 'utf8')).toContain("from 'eventwire/testing'");
    const { code, signal, out } = await inApp(['--test', 'ack.test.mjs']);
    expect(out).toMatch(/# pass 1\b/);
    expect({ code, signal }).toEqual({ code: 0, signal: null });
  });
});

/** Strings of the kit's own code (its error messages): wherever they are, its code is. */
const KIT = ['eventwire/testing has no server for the dialect', 'the test server is stopped'];

/** Every file of dist/ that `file` loads, itself included, following its relative imports. */
function graph(dist: string, file: string, seen = new Set<string>()): Set<string> {
  if (seen.has(file)) return seen;
  seen.add(file);
  const code = readFileSync(join(dist, file), 'utf8');
  for (const m of code.matchAll(/(?:from\s*|import\s*\(?\s*|require\()['"]\.\/([^'"]+)['"]/g))
    graph(dist, posix.join(posix.dirname(file), m[1] ?? ''), seen); // relative to the importing file
  return seen;
}

describe('eventwire/testing costs the core nothing', () => {
  it('no other entry point of the installed package loads its code, in ESM or CommonJS', () => {
    const dist = join(app, 'node_modules', 'eventwire', 'dist');
    const kit = readFileSync(join(dist, 'testing.js'), 'utf8');
    for (const marker of KIT) expect(kit, marker).toContain(marker);
    const entries = readdirSync(dist).filter((n) => /\.c?js$/.test(n) && !n.startsWith('chunk-'));
    const others = entries.filter((n) => !n.startsWith('testing.'));
    expect(others.length).toBeGreaterThanOrEqual(14);
    for (const entry of [...others, 'browser/eventwire.js']) {
      for (const file of graph(dist, entry)) {
        expect(file, entry).not.toMatch(/^testing\./);
        const code = readFileSync(join(dist, file), 'utf8');
        for (const marker of KIT) expect(code.includes(marker), `${entry} → ${file}: ${marker}`).toBe(false);
      }
    }
  });

  it('a browser bundle of every browser entry holds none of it; a browser bundle of the kit fails', async () => {
    const bundle = (contents: string) =>
      build({
        stdin: { contents, resolveDir: app, loader: 'js' },
        bundle: true,
        write: false,
        format: 'esm',
        platform: 'browser',
        external: ['react', 'zod', 'zod/*'],
        logLevel: 'silent',
      });
    const all = ['eventwire', 'eventwire/svelte', 'eventwire/react', 'eventwire/dialects', 'eventwire/protocol'];
    const { outputFiles } = await bundle(all.map((name, i) => `export * as e${i} from '${name}';`).join('\n'));
    const code = outputFiles[0]?.text ?? '';
    expect(code).toContain('[eventwire] unhandled'); // the client is there
    for (const marker of KIT) expect(code.includes(marker), marker).toBe(false);
    // Node only: a bundler for the browser stops at its Node imports
    await expect(bundle("export * from 'eventwire/testing';")).rejects.toThrow(/Could not resolve "(http|net|events)"/);
  });
});
