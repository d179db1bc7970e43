/**
 * Finds the real server stacks the dialect tests run against, or installs them.
 *
 * Querri's and mdb_engine's emulators are FastAPI apps on uvicorn (`test/fixtures/python/`),
 * and Querri fans out through a real `redis-server`. Looked for: a Python 3 that imports
 * `fastapi` and `uvicorn` (`EVENTWIRE_PYTHON`, else `python3` on the PATH, else Debian's
 * `/usr/bin/python3`, which a pyenv shim may hide), and `redis-server` on the PATH (or
 * `/usr/bin/redis-server`). Where either is missing, `npm test` (which runs this file after
 * scripts/chromium.mjs) installs Debian's packages when it runs as root with apt, and otherwise
 * stops with the one command that installs them. The real-stack tests never skip.
 *
 * Imported by the test fixture (`findServers()`), run by `npm test` (`node scripts/servers.mjs`).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Debian's packages for the stacks (python3-websockets: uvicorn's WebSocket implementation). */
export const PACKAGES = ['python3-fastapi', 'python3-uvicorn', 'python3-websockets', 'redis-server'];

/** The one command that installs them. */
export const INSTALL = `sudo apt-get install -y ${PACKAGES.join(' ')}`;

const executable = (file) => {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
};

const onPath = (name) =>
  (process.env.PATH ?? '')
    .split(delimiter)
    .filter(Boolean)
    .map((dir) => join(dir, name))
    .find(executable);

/** Whether `python` imports FastAPI, uvicorn and websockets (uvicorn's `ws` implementation). */
const importsStack = (python) =>
  spawnSync(python, ['-c', 'import fastapi, uvicorn, websockets'], { stdio: 'ignore', timeout: 30_000 }).status === 0;

/**
 * The Python and redis-server the stacks run on; each undefined when this machine lacks it.
 * @returns {{ python: string | undefined, redis: string | undefined }}
 */
export function findServers() {
  const given = process.env.EVENTWIRE_PYTHON;
  if (given && !executable(given)) throw new Error(`EVENTWIRE_PYTHON=${given} is not an executable file`);
  const candidates = given ? [given] : [onPath('python3'), '/usr/bin/python3'];
  const python = candidates.find((p) => p && executable(p) && importsStack(p));
  const redis = onPath('redis-server') ?? ['/usr/bin/redis-server'].find(executable);
  return { python, redis };
}

function main() {
  let found = findServers();
  const missing = () =>
    [!found.python && 'python3 with fastapi and uvicorn', !found.redis && 'redis-server'].filter(Boolean);
  if (missing().length === 0) {
    console.log(`servers: ${found.python} (fastapi, uvicorn), ${found.redis}`);
    return;
  }
  const root = typeof process.getuid === 'function' && process.getuid() === 0;
  if (root && onPath('apt-get')) {
    console.log(`servers: no ${missing().join(', no ')}; installing Debian's ${PACKAGES.join(' ')} (apt-get, as root)`);
    const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
    execFileSync('apt-get', ['update', '-qq'], { stdio: 'inherit', env });
    execFileSync('apt-get', ['install', '-y', '-qq', ...PACKAGES], { stdio: ['ignore', 'ignore', 'inherit'], env });
    found = findServers();
    if (missing().length === 0) {
      console.log(`servers: ${found.python} (fastapi, uvicorn), ${found.redis}`);
      return;
    }
  }
  console.error(
    [
      `The real-stack tests need ${missing().join(' and ')}, and this machine has none that they can find.`,
      `Install them with:  ${INSTALL}`,
      'or point EVENTWIRE_PYTHON at a Python 3 that imports fastapi and uvicorn, then run npm test again.',
    ].join('\n'),
  );
  process.exit(1);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  try {
    main();
  } catch (error) {
    console.error(`servers: ${error.message}`);
    process.exit(1);
  }
}
