import { platform } from '#platform';
import type { Transport, TransportConfig, TransportEvents } from './transport.js';

/**
 * eventwire's transport: one WebSocket per `connect()`, nothing else. A socket's events are
 * reported only while it is the current one: once the client has moved on to another attempt
 * (or closed), a late event of an abandoned socket never reaches the client. With `ws` it
 * listens through `ws.on()` and receives Buffers as they are (no `MessageEvent` per frame),
 * and tells `ws` the frame cap (`maxPayload`).
 *
 * An HTTP answer to the upgrade reaches `onClose` as its `status`, and a close code the server
 * put in its `Sec-WebSocket-Close-Code` header as the `code` (else 1006). Only `ws` can read
 * them: a browser reports a refused upgrade as close 1006 with neither.
 *
 * What only Node can run (`ws`'s API, Node's error codes) is its own module, which the
 * `#platform` import (package.json "imports") loads under the `node` condition alone: a
 * browser bundle (or any runtime without that condition) gets the browser WebSocket API only, through which a
 * `ws` class passed as the `WebSocket` option works too (without the byte cap, the headers,
 * the HTTP refusal's status and protocol pings, which only `ws`'s own API gives).
 *
 * Every client has one: its methods live on a prototype and the socket's listeners are shared
 * functions that find it through the socket, so an idle client holds no closure for its socket.
 *
 * @param config - the WebSocket class, the byte cap and upgrade headers
 * @param events - where the current socket's open, frames and close go
 * @default the transport every client uses unless `options.transport` names another
 * @example
 * ```ts
 * createClient({ url, transport: (config, events) => createWebSocketTransport(config, events) });
 * ```
 */
export function createWebSocketTransport(config: TransportConfig, events: TransportEvents): Transport {
  return new platform.Transport(config, events);
}
