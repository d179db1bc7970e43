/**
 * `npm test` finds a Chromium by itself (scripts/chromium.mjs), run as a real process with a
 * PATH made for each case. Installing Debian's package as root is checked by hand (see
 * the closing note of issue 13): a test must not install system packages.
 */
import { execFile } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';

const script = new URL('../scripts/chromium.mjs', import.meta.url).pathname;
const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** A directory holding only `node` (and what the case adds): the PATH of a machine without Chromium. */
function bareBin(): string {
  const dir = mkdtempSync(join(tmpdir(), 'ew-bin-'));
  dirs.push(dir);
  chmodSync(dir, 0o755);
  symlinkSync(process.execPath, join(dir, 'node'));
  return dir;
}

/** setpriv from this process's PATH (the child's PATH is made bare on purpose). */
function setpriv(): string {
  const found = (process.env.PATH ?? '')
    .split(':')
    .map((d) => join(d, 'setpriv'))
    .find((f) => existsSync(f));
  if (!found) throw new Error('this test runs as root and needs setpriv (util-linux) to run a step as nobody');
  return found;
}

function run(env: Record<string, string>, asNobody = false) {
  const bin = env.PATH ?? '';
  const nodeBin = join(bin.split(':')[0] ?? '', 'node');
  // As root, the no-Chromium case runs as `nobody` (setpriv, util-linux): root with apt would install one.
  // nobody may not read this checkout (a fresh clone in a 0700 temp dir): it runs a copy
  const copy = join(bin.split(':')[0] ?? '', 'chromium.mjs');
  if (asNobody) copyFileSync(script, copy);
  const [file, args] =
    asNobody && process.getuid?.() === 0
      ? [setpriv(), ['--reuid=65534', '--regid=65534', '--clear-groups', nodeBin, copy]]
      : [nodeBin, [asNobody ? copy : script]];
  return new Promise<{ code: number; out: string; err: string }>((resolve) => {
    execFile(file, args, { env: { HOME: '/nonexistent', ...env } }, (error, out, err) =>
      resolve({ code: error ? Number(error.code ?? 1) : 0, out, err }),
    );
  });
}

describe('npm test finds a Chromium by itself', () => {
  it("uses Debian's chromium on the PATH", async () => {
    const bin = bareBin();
    writeFileSync(join(bin, 'chromium'), '#!/bin/sh\n', { mode: 0o755 });
    const { code, out } = await run({ PATH: bin });
    expect(code).toBe(0);
    expect(out).toContain(`chromium: ${join(bin, 'chromium')}`);
  });

  it('CHROMIUM_PATH comes first, and a wrong one is named', async () => {
    const bin = bareBin();
    writeFileSync(join(bin, 'my-chrome'), '#!/bin/sh\n', { mode: 0o755 });
    const ok = await run({ PATH: bin, CHROMIUM_PATH: join(bin, 'my-chrome') });
    expect(ok.out).toContain(`chromium: ${join(bin, 'my-chrome')}`);
    const wrong = await run({ PATH: bin, CHROMIUM_PATH: join(bin, 'nope') });
    expect(wrong.code).toBe(1);
    expect(wrong.err).toContain('CHROMIUM_PATH');
  });

  it('without one, and unable to install one, it stops at once with the command that does', async () => {
    const { code, out, err } = await run({ PATH: bareBin() }, true);
    expect(code).toBe(1);
    expect(out).toBe('');
    expect(err).toContain('Install one with:  sudo apt-get install -y chromium');
  });
});
