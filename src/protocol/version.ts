/**
 * The protocol version this package speaks, sent by servers in `welcome.protocol`.
 * @default 1
 * @example `if (welcome.protocol !== PROTOCOL_VERSION) console.warn('protocol mismatch')`
 */
export const PROTOCOL_VERSION = 1;

/**
 * The WebSocket subprotocol of protocol v1. The client offers it; a v1 server selects it and
 * then always greets (or closes with 4001/4003), so the client can wait for the greeting.
 * @default 'eventwire.v1'
 * @example `new WebSocketServer({ server, handleProtocols: (offered) => offered.has(SUBPROTOCOL) && SUBPROTOCOL })`
 */
export const SUBPROTOCOL = 'eventwire.v1';
