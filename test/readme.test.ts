/**
 * README's code as users paste it: every TypeScript block compiles under `tsc --strict`
 * against the built package (its own name resolves to `dist/`, as it does for an app), every
 * JavaScript block parses, the Svelte block compiles without a warning, and every JSON
 * example in PROTOCOL.md is a message the protocol's schemas accept.
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { compile } from 'svelte/compiler';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import * as api from '../src/index.js';
import { ClientMessageSchema, ServerMessageSchema } from '../src/protocol/index.js';
import { type Block, blocksOf } from './fixtures/markdown.js';

const root = new URL('..', import.meta.url).pathname;
const read = (file: string) => readFileSync(join(root, file), 'utf8');

const readme = blocksOf(read('README.md'));
const protocol = blocksOf(read('PROTOCOL.md'));
const exported = new Set(Object.keys(api));

/** Where README's blocks are written: inside the package, so `eventwire` resolves to itself (dist/). */
const dir = join(root, 'node_modules', '.cache', 'readme-blocks');

describe('README blocks', () => {
  it('every TypeScript block compiles under tsc --strict against the built package', () => {
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'app.d.ts'), read('test/fixtures/readme/app.d.ts'));
    const typed = readme.filter((b) => b.lang === 'ts' || b.lang === 'tsx');
    expect(typed.length).toBeGreaterThan(10);
    // The recipes continue the "Typed events" example: its `client` (with its schemas) is theirs.
    const context = typed.find((b) => b.heading === 'Typed events');
    expect(context?.code).toContain('const client = createClient(');
    const files: string[] = [join(dir, 'app.d.ts')];
    const where = new Map<string, Block>();
    typed.forEach((block, i) => {
      let code = block.code;
      if (block === context) code += 'export { client };\n';
      else if (!/^import /m.test(code)) code = prelude(code) + code;
      const file = join(dir, block === context ? 'context.ts' : `block-${i}.${block.lang}`);
      writeFileSync(file, `${code}export {};\n`);
      files.push(file);
      where.set(file, block);
    });
    const program = ts.createProgram(files, {
      strict: true,
      noEmit: true,
      target: ts.ScriptTarget.ES2022,
      module: ts.ModuleKind.ESNext,
      moduleResolution: ts.ModuleResolutionKind.Bundler,
      lib: ['lib.es2022.d.ts', 'lib.dom.d.ts', 'lib.dom.iterable.d.ts'],
      jsx: ts.JsxEmit.ReactJSX,
      types: ['node'],
      skipLibCheck: true,
    });
    const problems = ts.getPreEmitDiagnostics(program).map((d) => {
      const block = d.file ? where.get(d.file.fileName) : undefined;
      const at = d.file && d.start !== undefined ? d.file.getLineAndCharacterOfPosition(d.start).line + 1 : 0;
      const text = ts.flattenDiagnosticMessageText(d.messageText, '\n');
      return `README.md:${block?.line ?? '?'} (${block?.heading ?? d.file?.fileName}), line ${at} of the block: TS${d.code} ${text}`;
    });
    expect(problems).toEqual([]);
    rmSync(dir, { recursive: true, force: true });
  }, 60_000);

  it('every JavaScript block (and the HTML page script) parses', () => {
    const scripts = readme.flatMap((b) => {
      if (b.lang === 'js') return [b.code];
      if (b.lang === 'html') return [...b.code.matchAll(/<script[^>]*>([\s\S]*?)<\/script>/g)].map((m) => m[1] ?? '');
      return [];
    });
    expect(scripts.length).toBeGreaterThanOrEqual(2);
    for (const code of scripts) {
      const out = ts.transpileModule(code, { reportDiagnostics: true, compilerOptions: { allowJs: true } });
      expect(out.diagnostics?.map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n'))).toEqual([]);
    }
  });

  it('the Svelte block compiles without a warning', () => {
    const svelte = readme.filter((b) => b.lang === 'svelte');
    expect(svelte).toHaveLength(1);
    for (const block of svelte) {
      const { warnings } = compile(block.code, { filename: 'Dashboard.svelte', generate: 'client' });
      expect(warnings.map((w) => `${w.code}: ${w.message}`)).toEqual([]);
    }
  });

  it("every JSON example in PROTOCOL.md is a message the protocol's schemas accept", () => {
    const values = protocol.filter((b) => b.lang === 'json').flatMap((b) => jsonValues(b.code));
    expect(values.length).toBeGreaterThan(15);
    const refused = values.filter(
      (v) => !ServerMessageSchema.safeParse(v).success && !ClientMessageSchema.safeParse(v).success,
    );
    expect(refused).toEqual([]);
  });
});

/** Imports for a block that continues the typed example: eventwire's names it uses, and its client. */
function prelude(code: string): string {
  const names = [...new Set(code.match(/\b[A-Za-z_$][\w$]*\b/g) ?? [])].filter((n) => exported.has(n));
  const lines = names.length > 0 ? [`import { ${names.join(', ')} } from 'eventwire';`] : [];
  if (!/\bconst client\b/.test(code)) lines.push("import { client } from './context';");
  return `${lines.join('\n')}\n`;
}

/** The JSON values of a block: one or more, each on one line or spread over several. */
function jsonValues(code: string): unknown[] {
  const values: unknown[] = [];
  let pending = '';
  for (const line of code.split('\n')) {
    pending += `${line}\n`;
    if (pending.trim() === '') continue;
    try {
      values.push(JSON.parse(pending));
      pending = '';
    } catch {
      // a value spread over several lines: read on
    }
  }
  expect(pending.trim(), 'a JSON example that does not parse').toBe('');
  return values;
}
