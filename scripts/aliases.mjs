// The internal imports of src/ (package.json "imports", which point at dist/) resolved to the
// sources, for whatever builds or runs the sources: `node` for Node (the tests, the CLI, the
// testing kit), `browser` for everything else (browser bundles). One list, so that a new
// internal import is resolved the same way everywhere.
import { fileURLToPath } from 'node:url';

const src = (file) => fileURLToPath(new URL(`../src/${file}`, import.meta.url));

/** Node's side: node:zlib's inflater, `ws` with Node's error codes, and messages in full. */
export const nodeAliases = {
  '#inflate': src('codec/inflate-zlib.ts'),
  '#platform': src('transport/websocket-node.ts'),
  '#words': src('errors/words.ts'),
};

/**
 * Everywhere else: DecompressionStream (fflate behind it), the browser WebSocket API alone, and
 * messages without their explanations (a production bundle; a development one adds the
 * `development` condition, which picks errors/words.ts as in Node).
 */
export const browserAliases = {
  '#inflate': src('codec/inflate-browser.ts'),
  '#platform': src('transport/websocket-browser.ts'),
  '#words': src('errors/words-terse.ts'),
};

/** The browser's side with messages whole: a development bundle's (the `development` condition). */
export const developmentAliases = { ...browserAliases, '#words': nodeAliases['#words'] };
