/**
 * @internal `#words` in a browser production bundle: messages keep their facts and drop their
 * explanations (see ./words.ts). The built file is written as `export const words = false` (tsup.config.ts),
 * a constant a bundler folds into every message.
 */
export const words: boolean = false;
