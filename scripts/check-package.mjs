// Packs the package as npm would publish it, then checks the tarball with publint and
// @arethetypeswrong/cli under every resolution mode it knows (profile "strict": node10,
// node16 from CommonJS and from ESM, bundler): the types of every entry resolve in each.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const dir = mkdtempSync(join(tmpdir(), 'eventwire-pack-'));
try {
  const out = execFileSync('npm', ['pack', '--json', '--pack-destination', dir], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  const tarball = join(dir, JSON.parse(out)[0].filename);
  console.log(`packed ${tarball}`);
  execFileSync('npx', ['publint', tarball, '--strict'], { stdio: 'inherit' });
  // `eventwire/browser` is the one ES module file for <script type="module"> pages: no CJS twin by design.
  execFileSync('npx', ['attw', tarball, '--profile', 'strict', '--exclude-entrypoints', 'package.json', 'browser'], {
    stdio: 'inherit',
  });
} finally {
  rmSync(dir, { recursive: true, force: true });
}
