// Checks the built package the way a user would reach it: by name, with require() and
// import(), through the exports map; and that the file for pages without a bundler carries no
// `ws`, `node:` import or zod.
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { build } from 'esbuild';

const require = createRequire(import.meta.url);
const failures = [];
const check = (ok, message) => {
  console.log(`${ok ? 'ok  ' : 'FAIL'} ${message}`);
  if (!ok) failures.push(message);
};

const cjs = require('eventwire');
check(typeof cjs.createClient === 'function', "require('eventwire').createClient is a function");
check(
  typeof require('eventwire/protocol').ServerMessageSchema?.safeParse === 'function',
  "require('eventwire/protocol') has the schemas",
);
const esm = await import('eventwire');
check(typeof esm.createClient === 'function', "import('eventwire').createClient is a function");
const advanced = await import('eventwire/advanced');
check(
  advanced.backoff(1, advanced.DEFAULT_BACKOFF, () => 0.5) === 250,
  "import('eventwire/advanced') computes backoff",
);
check(
  !('decide' in esm) && typeof require('eventwire/advanced').decide === 'function',
  'decide is on eventwire/advanced only',
);
const proto = await import('eventwire/protocol');
check(proto.PROTOCOL_VERSION === 1, "import('eventwire/protocol') works");
check(require('eventwire/package.json').name === 'eventwire', 'eventwire/package.json is exported');

/** What a built file really imports, as esbuild resolves it (strings in messages do not count). */
async function importsOf(url) {
  const { metafile } = await build({
    entryPoints: [url.pathname],
    bundle: true,
    write: false,
    metafile: true,
    packages: 'external',
    platform: 'browser',
    format: 'esm',
    tsconfigRaw: '{}',
    logLevel: 'silent',
  });
  return Object.values(metafile.outputs).flatMap((o) => o.imports.map((i) => i.path));
}

for (const entry of ['svelte', 'react']) {
  const imports = await importsOf(new URL(`../dist/${entry}.js`, import.meta.url));
  check(
    imports.every(
      (i) =>
        i === 'react' ||
        i.startsWith('./chunk-') ||
        i === '#inflate' ||
        i === '#platform' ||
        i === '#words' ||
        !i.startsWith('.'),
    ),
    `dist/${entry}.js shares the core's chunks (${JSON.stringify(imports)})`,
  );
}
const browserDir = new URL('../dist/browser/', import.meta.url);
const browserEntry = new URL('eventwire.js', browserDir);
const imports = await importsOf(browserEntry);
check(
  imports.length === 0,
  `the file for pages without a bundler imports nothing but its own chunks beside it (imports: ${JSON.stringify(imports)})`,
);
const browserFiles = readdirSync(browserDir).filter((name) => name.endsWith('.js'));
const browser = browserFiles.map((name) => readFileSync(new URL(name, browserDir), 'utf8')).join('\n');
check(
  browserFiles.length > 1 && /import\(["']\.\/[\w-]+\.js["']\)/.test(browser),
  `the browser build loads what only some pages use from chunks beside it (${browserFiles.length} files)`,
);
check(
  !/perMessageDeflate|Sec-WebSocket-Key|createWebSocketStream|unexpected-response|ECONNREFUSED|node:|_zod/.test(
    browser,
  ),
  "the browser files contain no ws code, none of the transport's for ws (#platform's Node side), node: import or zod",
);

if (failures.length) {
  console.error(`${failures.length} check(s) failed`);
  process.exit(1);
}
