/**
 * The docs name what the package exports: every name README and PROTOCOL.md mention is
 * exported by the entry point they name (from the built package, as users import it), and
 * every export of every entry point carries TSDoc.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { blocksOf } from './fixtures/markdown.js';

const root = new URL('..', import.meta.url).pathname;
const read = (file: string) => readFileSync(join(root, file), 'utf8');
const docs = `${read('README.md')}\n${read('PROTOCOL.md')}`;
/** Every entry point of package.json's "exports" (`eventwire/browser` is the main entry's types again). */
const entries = Object.keys(JSON.parse(read('package.json')).exports as Record<string, unknown>)
  .filter((key) => key !== './package.json' && key !== './browser')
  .map((key) => `eventwire${key.slice(1)}`);

/** Each entry's exported names (values and types) and the symbols behind them, from dist/*.d.ts. */
function exportsOf(): Map<string, Map<string, ts.Symbol>> {
  const file = join(root, 'node_modules', '.cache', 'exports-probe.ts');
  const source = entries.map((e, i) => `import * as e${i} from '${e}';\nexport { e${i} };`).join('\n');
  const host = ts.createCompilerHost({});
  const program = ts.createProgram({
    rootNames: [file],
    options: {
      moduleResolution: ts.ModuleResolutionKind.Bundler,
      module: ts.ModuleKind.ESNext,
      strict: true,
      types: [],
    },
    host: {
      ...host,
      fileExists: (f) => f === file || host.fileExists(f),
      readFile: (f) => (f === file ? source : host.readFile(f)),
      getSourceFile: (f, v) => (f === file ? ts.createSourceFile(f, source, v) : host.getSourceFile(f, v)),
    },
  });
  const checker = program.getTypeChecker();
  const probe = program.getSourceFile(file);
  const result = new Map<string, Map<string, ts.Symbol>>();
  probe?.forEachChild((node) => {
    if (!ts.isImportDeclaration(node)) return;
    const entry = (node.moduleSpecifier as ts.StringLiteral).text;
    const module = checker.getSymbolAtLocation(node.moduleSpecifier);
    expect(module, `${entry} resolves`).toBeDefined();
    const names = new Map<string, ts.Symbol>();
    for (const s of module ? checker.getExportsOfModule(module) : []) {
      names.set(s.name, s.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(s) : s);
    }
    result.set(entry, names);
  });
  return result;
}

const exported = exportsOf();
const anywhere = (name: string) => entries.find((e) => exported.get(e)?.has(name));

describe('entry points', () => {
  it('the main entry exports the public API only: the client, its codec and transport, the errors and their guards', () => {
    const values = [...(exported.get('eventwire') ?? [])]
      .filter(([, symbol]) => symbol.flags & ts.SymbolFlags.Value)
      .map(([name]) => name);
    const errors = values.filter((name) => /^(is)?[A-Z]\w*Error$/.test(name));
    expect(values.filter((name) => !errors.includes(name)).sort()).toEqual([
      'createClient',
      'createWebSocketTransport',
      'jsonCodec',
    ]);
    // every error class with its guard, and nothing else named like one
    const classes = errors.filter((name) => !name.startsWith('is'));
    expect(classes.length).toBeGreaterThan(15);
    expect(errors.filter((name) => name.startsWith('is')).sort()).toEqual(classes.map((c) => `is${c}`).sort());
  });

  it('what the client is built from is on eventwire/advanced (and nowhere on the main entry)', () => {
    const advanced = ['decide', 'closeAction', 'CloseCode', 'backoff', 'backoffCeiling', 'DEFAULT_BACKOFF'];
    for (const name of [...advanced, 'systemClock', 'browserSignals']) {
      expect(exported.get('eventwire/advanced')?.has(name), name).toBe(true);
      expect(exported.get('eventwire')?.has(name), name).toBe(false);
    }
    // README names the subpath and what is on it
    const install = read('README.md').slice(read('README.md').indexOf('## Install'));
    for (const name of ['eventwire/advanced', ...advanced]) expect(install).toContain(`\`${name}\``);
  });
});

describe('exports match the docs', () => {
  it('every name imported in a README or PROTOCOL.md example is exported by that entry point', () => {
    const code = blocksOf(docs)
      .map((b) => b.code)
      .join('\n');
    const missing: string[] = [];
    let count = 0;
    for (const m of code.matchAll(/import\s*(?:type\s*)?\{([^}]*)\}\s*from\s*'(eventwire[^']*)'/g)) {
      const entry = m[2] ?? '';
      for (const raw of (m[1] ?? '').split(',')) {
        const name =
          raw
            .replace(/^\s*type\s+/, '')
            .trim()
            .split(/\s+as\s+/)[0] ?? '';
        if (!name) continue;
        count++;
        if (!exported.get(entry)?.has(name)) missing.push(`${name} from ${entry}`);
      }
    }
    expect(count).toBeGreaterThan(15);
    expect(missing).toEqual([]);
  });

  it('every API name the prose mentions is exported, from the entry point it names', () => {
    const notOurs = new Set([
      'Authorization',
      'BroadcastChannel',
      'EventTarget',
      'Gunzip',
      'Infinity',
      'MeterProvider',
      'WebSocket',
      'DecompressionStream',
      'useSyncExternalStore',
    ]);
    const missing: string[] = [];
    const names = new Set<string>();
    // PROTOCOL.md §11 quotes the servers' own code (`WsQuery`, `ValueError`...): the API names it uses are checked elsewhere
    const protocol = read('PROTOCOL.md');
    const servers = protocol.slice(protocol.indexOf('## 11.'));
    const prose = `${read('README.md')}\n${protocol.slice(0, protocol.indexOf('## 11.'))}`;
    expect(servers.length).toBeGreaterThan(1_000);
    for (const m of prose.matchAll(/`([A-Za-z_$][\w$]*)(\(\))?`/g)) {
      const name = m[1] ?? '';
      const ours =
        /^[A-Z][a-z]\w*$/.test(name) ||
        /^(create|use|is)[A-Z]\w*$/.test(name) ||
        (m[2] !== undefined && exported.get('eventwire/dialects')?.has(name)) ||
        name === 'jsonCodec' ||
        name === 'compileFilters';
      if (ours && !notOurs.has(name)) names.add(name);
    }
    for (const name of names) if (!anywhere(name)) missing.push(name);
    // "`eventwire/x`'s `name`": that entry in particular
    for (const m of docs.matchAll(/`(eventwire\/\w+)`'s\s+`(\w+)`/g)) {
      if (!exported.get(m[1] ?? '')?.has(m[2] ?? '')) missing.push(`${m[2]} from ${m[1]}`);
    }
    expect(names.size).toBeGreaterThan(30);
    expect(missing).toEqual([]);
  });

  it('every export of every entry point has TSDoc with an @example', () => {
    const undocumented: string[] = [];
    const noExample: string[] = [];
    for (const [entry, names] of exported) {
      for (const [name, symbol] of names) {
        const hasDoc = (symbol.declarations ?? []).some((d) => ts.getJSDocCommentsAndTags(d).length > 0);
        const example = (symbol.declarations ?? []).some((d) =>
          ts.getJSDocTags(d).some((t) => t.tagName.text === 'example'),
        );
        if (!hasDoc) undocumented.push(`${entry}: ${name}`);
        else if (!example) noExample.push(`${entry}: ${name}`);
      }
    }
    expect(undocumented).toEqual([]);
    expect(noExample).toEqual([]);
  });
});
