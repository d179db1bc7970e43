/**
 * The package exactly as users get it: `npm pack` of this repo's built package, installed by
 * `npm install <tarball>` into an app directory of its own under the OS temp dir (its own
 * node_modules: eventwire and its dependencies, nothing of this repo's). The size and browser
 * benchmarks bundle `eventwire` from there. Done once per process.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = fileURLToPath(new URL('..', import.meta.url));
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';

export interface Packed {
  /** The app directory: `eventwire` resolves from here as in an app. */
  appDir: string;
  /** The installed package: appDir/node_modules/eventwire. */
  pkgDir: string;
  tarball: string;
  version: string;
  /** Bytes of the .tgz (what `npm install` downloads). */
  tarballBytes: number;
}

let packed: Packed | undefined;

export function packEventwire(): Packed {
  if (packed) return packed;
  const root = mkdtempSync(join(tmpdir(), 'eventwire-bench-'));
  const [info] = JSON.parse(
    execFileSync(npm, ['pack', '--json', '--pack-destination', root], { cwd: repo, encoding: 'utf8' }),
  ) as Array<{ filename: string; version: string; size: number }>;
  if (!info) throw new Error('npm pack printed nothing');
  const tarball = join(root, info.filename);
  const appDir = join(root, 'app');
  mkdirSync(appDir);
  writeFileSync(
    join(appDir, 'package.json'),
    JSON.stringify({ name: 'eventwire-bench-app', private: true, type: 'module' }, null, 2),
  );
  execFileSync(
    npm,
    ['install', '--no-audit', '--no-fund', '--prefer-offline', '--ignore-scripts', '--loglevel=error', tarball],
    { cwd: appDir, stdio: ['ignore', 'ignore', 'inherit'] },
  );
  const pkgDir = join(appDir, 'node_modules', 'eventwire');
  const version = (JSON.parse(readFileSync(join(pkgDir, 'package.json'), 'utf8')) as { version: string }).version;
  packed = { appDir, pkgDir, tarball, version, tarballBytes: info.size };
  process.once('exit', () => rmSync(root, { recursive: true, force: true }));
  return packed;
}

if (process.argv[1]?.endsWith('pack.ts')) console.log(packEventwire());
