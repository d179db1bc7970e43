/**
 * README "Testing your app": each recipe is a file here, README holds it verbatim, and it is
 * run as a user runs it, against the built package (`eventwire` resolves to dist/): the vitest
 * recipes (Svelte store, React) with their own vitest config, the Playwright one with `playwright test` and the
 * system's Chromium, the node:test one with `node --test`.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { stripVTControlCharacters } from 'node:util';
import { describe, expect, it } from 'vitest';
import { findChromium } from '../../scripts/chromium.mjs';

const root = fileURLToPath(new URL('../..', import.meta.url));
const here = (file: string) => join(root, 'test', 'recipes', file);
const readme = readFileSync(join(root, 'README.md'), 'utf8');
const section = readme.slice(readme.indexOf('## Testing your app'), readme.indexOf('## Notes on dependencies'));

/** Runs a command to its end; resolves with its exit code and output. */
function run(args: string[], env: Record<string, string> = {}) {
  const child = spawn(process.execPath, args, { cwd: root, env: { ...process.env, ...env }, stdio: 'pipe' });
  let out = '';
  child.stdout.on('data', (d) => {
    out += d;
  });
  child.stderr.on('data', (d) => {
    out += d;
  });
  return new Promise<{ code: number | null; out: string }>((resolve) =>
    child.on('close', (code) => resolve({ code, out })),
  );
}

/** The fence's language of a recipe file in README. */
const lang = (file: string) => ({ html: 'html', mjs: 'js', tsx: 'tsx' })[file.slice(file.lastIndexOf('.') + 1)] ?? 'ts';

describe('README recipes, as written', () => {
  const files = [
    'vitest/reconnect-banner.spec.ts',
    'vitest/auth-banner.spec.tsx',
    'playwright/playwright.config.ts',
    'playwright/global-setup.ts',
    'playwright/app.html',
    'playwright/status.e2e.ts',
    'node-test/ack.test.mjs',
  ];
  it.each(files)('README holds %s verbatim, in a fenced block', (file) => {
    expect(section).toContain(`\n\`\`\`${lang(file)}\n${readFileSync(here(file), 'utf8')}\`\`\`\n`);
  });

  it('the vitest recipes pass (happy-dom, the Svelte store and React, real test servers)', {
    timeout: 60_000,
  }, async () => {
    const { code, out } = await run([
      'node_modules/vitest/vitest.mjs',
      'run',
      '--config',
      here('vitest/vitest.config.ts'),
    ]);
    expect(stripVTControlCharacters(out)).toMatch(/Tests\s+2 passed \(2\)/);
    expect(code).toBe(0);
  });

  it('the node:test recipe passes and its process exits by itself', { timeout: 60_000 }, async () => {
    const { code, out } = await run(['--test', here('node-test/ack.test.mjs')]);
    expect(out).toMatch(/# pass 1/);
    expect(code).toBe(0);
  });

  it('the Playwright recipe passes in Chromium, through a restart', { timeout: 120_000 }, async () => {
    const chromium = await findChromium();
    expect(chromium, 'a Chromium on this machine (npm test installs one)').toBeDefined();
    const output = mkdtempSync(join(tmpdir(), 'eventwire-pw-'));
    try {
      const { code, out } = await run(
        [
          'node_modules/@playwright/test/cli.js',
          'test',
          '--config',
          here('playwright/playwright.config.ts'),
          '--output',
          output,
        ],
        chromium && 'executablePath' in chromium ? { CHROMIUM_PATH: chromium.executablePath } : {},
      );
      expect(out).toMatch(/1 passed/);
      expect(code).toBe(0);
    } finally {
      rmSync(output, { recursive: true, force: true });
    }
  });
});
