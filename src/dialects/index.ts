/**
 * `eventwire/dialects`: the servers eventwire speaks besides its own protocol, one function
 * each (tree-shaken: an app carries only the one it uses).
 *
 * @example
 * ```ts
 * import { querri } from 'eventwire/dialects';
 * createClient({ url, token, dialect: querri() });
 * ```
 */
export { type BusterOptions, buster } from './buster.js';
export type { Dialect, DialectSink, Liveness, SubscriptionSpec } from './dialect.js';
export { eventwire } from './eventwire.js';
export { forge } from './forge.js';
export { type MdbOptions, mdb } from './mdb.js';
export { provisioning } from './provisioning.js';
export { type QuerriOptions, querri } from './querri.js';
