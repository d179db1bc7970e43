/**
 * The protocol version this package speaks, sent by servers in `welcome.protocol`.
 * @default 1
 * @example `if (welcome.protocol !== PROTOCOL_VERSION) console.warn('protocol mismatch')`
 */
export const PROTOCOL_VERSION = 1;
