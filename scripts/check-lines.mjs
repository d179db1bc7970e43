// Files stay small enough to read in one sitting (issue 19): no source file in src/ over MAX_LINES lines.
// A file that grows past it is split by concept (as the async iterator left subscription.ts), not trimmed.
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const MAX_LINES = 400;
const root = fileURLToPath(new URL('..', import.meta.url));

const files = readdirSync(join(root, 'src'), { recursive: true, withFileTypes: true })
  .filter((entry) => entry.isFile() && /\.(ts|tsx|mts|cts|js|mjs|svelte)$/.test(entry.name))
  .map((entry) => join(entry.parentPath, entry.name));

const over = files
  .map((file) => ({ file: relative(root, file), lines: readFileSync(file, 'utf8').trimEnd().split('\n').length }))
  .filter(({ lines }) => lines > MAX_LINES)
  .sort((a, b) => b.lines - a.lines);

for (const { file, lines } of over) console.log(`FAIL ${file}: ${lines} lines (at most ${MAX_LINES})`);
if (over.length > 0) process.exit(1);
console.log(`ok   ${files.length} files in src/, none over ${MAX_LINES} lines`);
