/**
 * Every fenced TypeScript block in an `@example` of `src/` compiles under `--strict`, against
 * the source (`eventwire`, `eventwire/dialects`, … resolve to `src/`, as they do for an app to
 * `dist/`). A block is read as a fragment of a user's program: the names it uses and neither
 * imports nor declares are imported for it, from the module that exports them (an entry point
 * first), and the app names of `test/fixtures/tsdoc/app.d.ts` are in scope.
 */
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const root = new URL('..', import.meta.url).pathname;
const src = join(root, 'src');
/** The package's entry points, as tsup.config.ts builds them. */
const entries: Record<string, string> = {
  eventwire: 'src/index.ts',
  'eventwire/protocol': 'src/protocol/index.ts',
  'eventwire/svelte': 'src/adapters/svelte.ts',
  'eventwire/react': 'src/adapters/react.ts',
  'eventwire/rws': 'src/transport/rws.ts',
  'eventwire/dialects': 'src/dialects/index.ts',
  'eventwire/advanced': 'src/advanced.ts',
  'eventwire/testing': 'src/testing/index.ts',
};
const dir = join(root, 'node_modules', '.cache', 'tsdoc-examples');

interface Example {
  readonly file: string;
  readonly line: number;
  readonly code: string;
  readonly tsx: boolean;
}

function sources(folder: string): string[] {
  return readdirSync(folder, { withFileTypes: true }).flatMap((d) => {
    const path = join(folder, d.name);
    if (d.isDirectory()) return sources(path);
    return d.name.endsWith('.ts') && !d.name.endsWith('.d.ts') ? [path] : [];
  });
}

/** The fenced ```ts blocks of every `@example` tag in `file`. */
function examplesOf(file: string, text: string): Example[] {
  const found: Example[] = [];
  for (const m of text.matchAll(/\/\*\*[\s\S]*?\*\//g)) {
    const comment = m[0];
    const at = comment.indexOf('@example');
    if (at < 0) continue;
    const lines = comment
      .slice(at)
      .split('\n')
      .map((l) => l.replace(/^\s*\*( |$)/, ''));
    let block: string[] | undefined;
    let start = 0;
    let tsx = false;
    lines.forEach((line, i) => {
      if (block === undefined && /^```tsx?\s*$/.test(line.trim())) {
        block = [];
        start = i;
        tsx = line.trim() === '```tsx';
      } else if (block !== undefined && line.trim() === '```') {
        const line0 = text.slice(0, (m.index ?? 0) + at).split('\n').length + start;
        found.push({ file, line: line0, code: block.join('\n'), tsx });
        block = undefined;
      } else block?.push(line);
    });
  }
  return found;
}

/** Every name exported by a module of `src/`, and where from (entry points first). */
function exportMap(program: ts.Program): Map<string, string> {
  const checker = program.getTypeChecker();
  const map = new Map<string, string>();
  const files = [...Object.values(entries).map((f) => join(root, f)), ...sources(src)];
  for (const file of files) {
    const sf = program.getSourceFile(file);
    const module = sf && checker.getSymbolAtLocation(sf);
    if (!module) continue;
    const entry = Object.entries(entries).find(([, f]) => join(root, f) === file)?.[0];
    for (const s of checker.getExportsOfModule(module))
      if (!map.has(s.name)) map.set(s.name, entry ?? file.replace(/\.ts$/, '.js'));
  }
  return map;
}

const options: ts.CompilerOptions = {
  strict: true,
  noEmit: true,
  target: ts.ScriptTarget.ES2022,
  module: ts.ModuleKind.ESNext,
  moduleResolution: ts.ModuleResolutionKind.Bundler,
  lib: ['lib.es2022.d.ts', 'lib.dom.d.ts', 'lib.dom.iterable.d.ts'],
  types: ['node'],
  skipLibCheck: true,
  jsx: ts.JsxEmit.ReactJSX,
  allowImportingTsExtensions: true,
  baseUrl: root,
  paths: Object.fromEntries(Object.entries(entries).map(([name, file]) => [name, [file]])),
};

describe('TSDoc examples', () => {
  it('every fenced @example block of src/ compiles under --strict', () => {
    const examples = sources(src).flatMap((file) => examplesOf(file, readFileSync(file, 'utf8')));
    expect(examples.length).toBeGreaterThan(40);
    // eventwire/testing's examples are among them (its servers, remote control, chaos)
    expect(examples.filter((e) => e.file.startsWith(join(src, 'testing'))).length).toBeGreaterThanOrEqual(5);
    const exported = exportMap(
      ts.createProgram([...Object.values(entries).map((f) => join(root, f)), ...sources(src)], options),
    );
    expect(exported.has('createClient')).toBe(true);

    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    const app = join(dir, 'app.d.ts');
    writeFileSync(app, readFileSync(join(root, 'test/fixtures/tsdoc/app.d.ts'), 'utf8'));
    const where = new Map<string, Example>();
    const files = [app];
    examples.forEach((example, i) => {
      const file = join(dir, `example-${i}.${example.tsx ? 'tsx' : 'ts'}`);
      writeFileSync(file, `${example.code}\nexport {};\n`);
      files.push(file);
      where.set(file, example);
    });
    // first pass: which names does each block use without importing or declaring them?
    const missing = new Map<string, Set<string>>();
    for (const d of ts.getPreEmitDiagnostics(ts.createProgram(files, options))) {
      const name = /^Cannot find name '([\w$]+)'/.exec(ts.flattenDiagnosticMessageText(d.messageText, '\n'))?.[1];
      if (!d.file || !where.has(d.file.fileName) || !name) continue;
      missing.set(d.file.fileName, (missing.get(d.file.fileName) ?? new Set()).add(name));
    }
    // second pass: those names imported from the module that exports them
    for (const [file, names] of missing) {
      const example = where.get(file) as Example;
      writeFileSync(file, `${prelude(names, exported)}${example.code}\nexport {};\n`);
    }
    const program = ts.createProgram(files, options);
    const problems = ts
      .getPreEmitDiagnostics(program)
      .filter((d) => d.file && where.has(d.file.fileName))
      .map((d) => {
        const example = where.get(d.file?.fileName ?? '');
        const at = d.file && d.start !== undefined ? d.file.getLineAndCharacterOfPosition(d.start).line + 1 : 0;
        const text = ts.flattenDiagnosticMessageText(d.messageText, '\n');
        return `${relative(root, example?.file ?? '')}:${example?.line} (line ${at} of the block): TS${d.code} ${text}`;
      });
    expect(problems).toEqual([]);
    rmSync(dir, { recursive: true, force: true });
  }, 120_000);
});

/** Names examples use from other packages. */
const elsewhere: Record<string, string> = { z: 'zod' };

/** Imports of `names` from the modules that export them (the first pass's missing names). */
function prelude(names: Set<string>, exported: Map<string, string>): string {
  const byModule = new Map<string, string[]>();
  for (const name of names) {
    const from = elsewhere[name] ?? exported.get(name);
    if (from) byModule.set(from, [...(byModule.get(from) ?? []), name]);
  }
  const lines = [...byModule].map(([from, list]) => `import { ${list.join(', ')} } from '${from}';`);
  return lines.length > 0 ? `${lines.join(' ')}\n` : '';
}
