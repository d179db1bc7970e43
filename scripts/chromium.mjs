/**
 * Finds a Chromium for the browser tests, or makes one available.
 *
 * Looked for, in order: `CHROMIUM_PATH`; Debian's `chromium` (or `chromium-browser`) on the
 * PATH; a Google Chrome installed where playwright-core's `chrome` channel finds it; a
 * browser playwright-core itself downloaded earlier. Where there is none, `npm test` (which
 * runs this file first) installs Debian's `chromium` when it runs as root with apt, and
 * otherwise stops with the one command that installs it. The browser tests never skip.
 *
 * Imported by the tests (`findChromium()`), run by `npm test` (`node scripts/chromium.mjs`).
 */
import { execFileSync } from 'node:child_process';
import { accessSync, constants, existsSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Where playwright-core's `chrome` channel looks for Google Chrome, per platform. */
const CHROME = {
  linux: ['/opt/google/chrome/chrome'],
  darwin: ['/Applications/Google Chrome.app/Contents/MacOS/Google Chrome'],
  win32: [join(process.env.PROGRAMFILES ?? 'C:\\Program Files', 'Google', 'Chrome', 'Application', 'chrome.exe')],
};

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
    .map((dir) => join(dir, name))
    .find(executable);

/**
 * The launch options for playwright-core, or undefined when this machine has no Chromium.
 * @returns {Promise<{ executablePath: string } | { channel: 'chrome' } | undefined>}
 */
export async function findChromium() {
  const given = process.env.CHROMIUM_PATH;
  if (given) {
    if (!executable(given)) throw new Error(`CHROMIUM_PATH=${given} is not an executable file`);
    return { executablePath: given };
  }
  const debian = onPath('chromium') ?? onPath('chromium-browser');
  if (debian) return { executablePath: debian };
  if ((CHROME[process.platform] ?? []).some(executable)) return { channel: 'chrome' };
  try {
    const { chromium } = await import('playwright-core');
    const downloaded = chromium.executablePath();
    if (downloaded && existsSync(downloaded)) return { executablePath: downloaded };
  } catch {
    // playwright-core knows no browser of its own here
  }
  return undefined;
}

/** The one command that installs a Chromium on this machine. */
export const INSTALL =
  process.platform === 'darwin' ? 'brew install --cask chromium' : 'sudo apt-get install -y chromium';

async function main() {
  const found = await findChromium();
  if (found) {
    console.log(`chromium: ${found.executablePath ?? 'Google Chrome (playwright-core channel "chrome")'}`);
    return;
  }
  const root = typeof process.getuid === 'function' && process.getuid() === 0;
  if (root && onPath('apt-get')) {
    console.log("chromium: none found; installing Debian's chromium (apt-get, as root)");
    const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
    execFileSync('apt-get', ['update', '-qq'], { stdio: 'inherit', env });
    execFileSync('apt-get', ['install', '-y', '-qq', 'chromium'], { stdio: ['ignore', 'ignore', 'inherit'], env });
    const installed = await findChromium();
    if (installed) {
      console.log(`chromium: ${installed.executablePath}`);
      return;
    }
  }
  console.error(
    [
      'The browser tests need a Chromium, and this machine has none that they can find.',
      `Install one with:  ${INSTALL}`,
      'or point CHROMIUM_PATH at a Chromium or Chrome executable, then run npm test again.',
    ].join('\n'),
  );
  process.exit(1);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  await main().catch((error) => {
    console.error(`chromium: ${error.message}`);
    process.exit(1);
  });
}
