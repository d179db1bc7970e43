/**
 * What a transport reports to the client, for its current socket only: events of a socket
 * the client has replaced (by `connect()` again or `close()`) are never reported.
 * @example `events.onMessage('{"type":"pong"}', true)` (a transport reporting a text frame)
 */
export interface TransportEvents {
  /**
   * The server accepted the upgrade (HTTP 101) and selected `protocol` among the subprotocols
   * offered (`TransportConfig.protocols`), '' for none. Called before `onOpen`, or, where the
   * socket refuses an answer that selects none (`ws` in Node does), before `onClose`.
   * Optional: a transport that cannot tell never calls it, and nothing is checked.
   */
  onUpgrade?(protocol: string): void;
  /** The socket opened. */
  onOpen(): void;
  /**
   * A frame arrived: a string, or bytes (`text` tells a text frame given as bytes, as `ws`
   * delivers them, from a binary one), or a `Blob` (browsers with binaryType 'blob').
   */
  onMessage(data: string | ArrayBuffer | Uint8Array | Blob, text: boolean): void;
  /**
   * The attempt or connection ended; exactly once per `connect()`. `error` is set when it
   * failed rather than closed; `status` when the server answered the upgrade with HTTP.
   */
  onClose(code: number, reason: string, error?: unknown, status?: number): void;
  /** A protocol-level pong arrived (after {@link Transport.ping}). */
  onPong?(): void;
  /**
   * A protocol-level ping arrived; `answer()` sends the pong, echoing the latest ping's payload
   * (RFC 6455 5.5.3 lets a pong answer only the latest of several pings), and says whether the
   * socket took it. Where this is given the transport leaves the answer to the client, which
   * sends it within its rate limit; where it is not, the socket answers by itself (as
   * browsers always do). `answer` is one function per socket.
   */
  onPing?(answer: () => boolean): void;
}

/**
 * The socket seen by the client: it opens, sends, closes and reports, one socket per attempt;
 * it owns no policy. Reconnect timing, timeouts, auth and state live in the client.
 *
 * @example
 * ```ts
 * import { createWebSocketTransport, type TransportEvents } from 'eventwire';
 * const events: TransportEvents = {
 *   onOpen: () => transport.send('{"type":"ping"}'),
 *   onMessage: (data) => console.log(data),
 *   onClose: (code, reason) => console.log('closed', code, reason),
 * };
 * const transport = createWebSocketTransport({ maxPayload: 1 << 20 }, events);
 * transport.connect('ws://127.0.0.1:8080/?token=t');
 * ```
 */
export interface Transport {
  /** Opens one socket to `url` (already resolved: token and parameters in it), dropping the current one. */
  connect(url: string): void;
  /** Sends a frame if the socket is open; returns whether the socket took it. */
  send(data: string): boolean;
  /** Closes the current socket. Nothing more is reported for it. */
  close(code?: number, reason?: string): void;
  /**
   * Sends a WebSocket protocol ping, where the socket can (`ws` in Node; browsers cannot).
   * Absent, or false, when it cannot.
   */
  ping?(): boolean;
  /**
   * Bytes the current socket holds that the network has not taken yet (its `bufferedAmount`),
   * 0 without a socket. The client writes nothing more while it is over 1 MiB (a server that
   * stops reading must not make the client buffer without end). Absent where the socket cannot
   * tell: then nothing is held back.
   */
  buffered?(): number;
}

/** How a transport is configured for one client. @example `createWebSocketTransport({ maxPayload: 1 << 20, headers: { cookie: 'sid=1' } }, events)` */
export interface TransportConfig {
  /** The WebSocket constructor. @default globalThis.WebSocket, or `ws` in Node */
  WebSocket?: unknown;
  /** Largest frame the socket may buffer, in bytes (enforced where the socket supports it: `ws`). */
  maxPayload: number;
  /** Headers on the upgrade request (where the socket supports them: `ws` in Node). @default none */
  headers?: Record<string, string> | undefined;
  /** The WebSocket subprotocols to offer (the dialect's, see `Dialect.protocols`). @default none */
  protocols?: readonly string[] | undefined;
}

/**
 * Builds a transport. Swap it to run eventwire over another socket implementation (see the
 * `eventwire/rws` adapter for one).
 *
 * @example
 * ```ts
 * import { createClient, createWebSocketTransport, type TransportFactory } from 'eventwire';
 * // the built-in transport, with every frame it receives logged. Forward each event by calling it
 * // on `events` (its handlers are methods: a `{ ...events }` copy would lose them), and `onPing`
 * // only where given (then the client answers pings itself, through its rate limit)
 * const logged: TransportFactory = (config, events) =>
 *   createWebSocketTransport(config, {
 *     onUpgrade: (protocol) => events.onUpgrade?.(protocol),
 *     onOpen: () => events.onOpen(),
 *     onMessage: (data, text) => {
 *       console.debug(data);
 *       events.onMessage(data, text);
 *     },
 *     onClose: (code, reason, error, status) => events.onClose(code, reason, error, status),
 *     onPong: () => events.onPong?.(),
 *     ...(events.onPing ? { onPing: (answer: () => boolean) => events.onPing?.(answer) } : {}),
 *   });
 * createClient({ url: 'wss://events.example.com/ws', transport: logged });
 * ```
 */
export type TransportFactory = (config: TransportConfig, events: TransportEvents) => Transport;
