/**
 * What a transport reports to the client. Exactly one `onClose` ends every `connect()`
 * that was not cancelled by the client itself (via `connect()` again or `close()`).
 */
export interface TransportEvents {
  onOpen(): void;
  onMessage(data: unknown): void;
  /** The attempt or connection ended. `error` is set when it failed rather than closed. */
  onClose(code: number, reason: string, error?: unknown): void;
}

/**
 * The socket seen by the client: it opens, sends, closes and reports; it owns no policy.
 * Reconnect timing, auth and state live in the client.
 *
 * @example
 * ```ts
 * const t = factory({ url: async () => 'ws://127.0.0.1:8080', connectTimeout: 10_000 }, events);
 * t.connect();
 * ```
 */
export interface Transport {
  /** Starts one connection attempt, abandoning the current socket or attempt if any. */
  connect(): void;
  /** Sends a frame if the socket is open; returns whether it was handed to the socket. */
  send(data: string): boolean;
  /** Closes the socket or attempt. No event is reported for it. */
  close(code?: number, reason?: string): void;
  /** True while the socket is open. */
  readonly isOpen: boolean;
}

/** How a transport is configured for one client. */
export interface TransportConfig {
  /** Resolves the URL of each attempt (the token is fetched here). */
  url: () => Promise<string>;
  /** A connection attempt that has not opened by then fails (ms). */
  connectTimeout: number;
  /** The WebSocket constructor to use. @default isomorphic-ws: global WebSocket in browsers, `ws` in Node */
  WebSocket?: unknown;
}

/**
 * Builds a transport. Swap it to run eventwire over another socket implementation.
 *
 * @example
 * ```ts
 * createClient({ url, transport: (config, events) => myTransport(config, events) });
 * ```
 */
export type TransportFactory = (config: TransportConfig, events: TransportEvents) => Transport;
