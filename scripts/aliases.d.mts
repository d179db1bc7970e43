/** Node's side of src/'s internal imports, as absolute paths of the sources. */
export declare const nodeAliases: Readonly<Record<'#inflate' | '#platform' | '#words', string>>;
/** The browser's side of src/'s internal imports, as absolute paths of the sources. */
export declare const browserAliases: Readonly<Record<'#inflate' | '#platform' | '#words', string>>;
/** The browser's side with messages whole (`#words` as in Node): a development bundle's. */
export declare const developmentAliases: Readonly<Record<'#inflate' | '#platform' | '#words', string>>;
