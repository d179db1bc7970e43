// Packs the package as npm would publish it, then checks the tarball with publint and
// @arethetypeswrong/cli (types resolve for every entry, both ways).
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
  execFileSync('npx', ['attw', tarball, '--profile', 'node16', '--exclude-entrypoints', 'package.json', 'browser'], {
    stdio: 'inherit',
  });
} finally {
  rmSync(dir, { recursive: true, force: true });
}
