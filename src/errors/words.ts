// `#words` under the `node` or `development` condition (package.json "imports"): messages in full.
// Elsewhere (a browser app's production bundle) `#words` is ./words-terse.ts, and every
// `words ? explanation : facts` in the sources folds to its facts at bundle time.

/**
 * @internal Whether error messages carry their explanations: the hint that says what a failure
 * usually means and what to do. Node and development bundles (Vite's dev server, any bundler run
 * with the `development` condition) get them; a browser production bundle gets the code, the class
 * and the facts (names, numbers, values) without the sentences around them, about 1.2 KB gzip less.
 */
export const words: boolean = true;
