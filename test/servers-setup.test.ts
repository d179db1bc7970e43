/**
 * `npm test` finds the real server stacks by itself (scripts/servers.mjs), run as a real
 * process with a PATH made for each case. Installing Debian's packages as root is not run by a
 * test (a test must not install system packages): the missing case runs as `nobody`.
 */
import { execFile } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';

const script = new URL('../scripts/servers.mjs', import.meta.url).pathname;
const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** A directory holding `node` and what the case adds, readable by everyone (the case may run as nobody). */
function bareBin(): string {
  const dir = mkdtempSync(join(tmpdir(), 'ew-srv-'));
  dirs.push(dir);
  chmodSync(dir, 0o755);
  symlinkSync(process.execPath, join(dir, 'node'));
  return dir;
}

const fake = (dir: string, name: string, exit: number) => {
  writeFileSync(join(dir, name), `#!/bin/sh\nexit ${exit}\n`, { mode: 0o755 });
  return join(dir, name);
};

function setpriv(): string {
  const found = (process.env.PATH ?? '')
    .split(':')
    .map((d) => join(d, 'setpriv'))
    .find((f) => existsSync(f));
  if (!found) throw new Error('this test runs as root and needs setpriv (util-linux) to run a step as nobody');
  return found;
}

function run(bin: string, env: Record<string, string>, asNobody = false) {
  const copy = join(bin, 'servers.mjs');
  copyFileSync(script, copy); // nobody may not read this checkout
  const node = join(bin, 'node');
  const [file, args] =
    asNobody && process.getuid?.() === 0
      ? [setpriv(), ['--reuid=65534', '--regid=65534', '--clear-groups', node, copy]]
      : [node, [copy]];
  return new Promise<{ code: number; out: string; err: string }>((resolve) => {
    execFile(file, args, { env: { HOME: '/nonexistent', PATH: bin, ...env } }, (error, out, err) =>
      resolve({ code: error ? Number(error.code ?? 1) : 0, out, err }),
    );
  });
}

describe('npm test finds the Python stacks and redis-server by itself', () => {
  it('uses a python3 on the PATH that imports fastapi and uvicorn, and redis-server on the PATH', async () => {
    const bin = bareBin();
    const python = fake(bin, 'python3', 0);
    const redis = fake(bin, 'redis-server', 0);
    const { code, out } = await run(bin, {});
    expect(code).toBe(0);
    expect(out).toBe(`servers: ${python} (fastapi, uvicorn), ${redis}\n`);
  });

  it('EVENTWIRE_PYTHON comes first, and a wrong one is named', async () => {
    const bin = bareBin();
    fake(bin, 'redis-server', 0);
    const wrong = await run(bin, { EVENTWIRE_PYTHON: join(bin, 'nope') });
    expect(wrong.code).toBe(1);
    expect(wrong.err).toContain('EVENTWIRE_PYTHON');
  });

  it('without a Python that imports them, and unable to install, it stops at once with the command that does', async () => {
    const bin = bareBin();
    fake(bin, 'redis-server', 0);
    const python = fake(bin, 'python3', 1); // imports fail
    const { code, out, err } = await run(bin, { EVENTWIRE_PYTHON: python }, true);
    expect(code).toBe(1);
    expect(out).toBe('');
    expect(err).toContain('need python3 with fastapi and uvicorn');
    expect(err).toContain(
      'Install them with:  sudo apt-get install -y python3-fastapi python3-uvicorn python3-websockets redis-server',
    );
  });
});
