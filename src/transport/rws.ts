import WebSocket from 'isomorphic-ws';
import ReconnectingWebSocket from 'partysocket/ws';
import type { Transport, TransportConfig, TransportEvents, TransportFactory } from './transport.js';

/** The subset of the reconnecting-websocket API this adapter drives. */
export interface RwsLike {
  binaryType: string;
  readonly readyState: number;
  reconnect(code?: number, reason?: string): void;
  close(code?: number, reason?: string): void;
  send(data: string): unknown;
  addEventListener(type: string, listener: (event: Event) => void): void;
}

/** A class with the reconnecting-websocket constructor signature. */
export type RwsConstructor = new (
  url: () => Promise<string>,
  protocols: undefined,
  options: Record<string, unknown>,
) => RwsLike;

const OPEN = 1;

/**
 * A transport over the reconnecting-websocket API (partysocket's maintained fork by
 * default). The client drives every attempt with `reconnect()` so that its own backoff,
 * jitter and close-code policy apply; the library is held to one attempt per call
 * (`maxRetries: 0`), and gives the guarded socket lifecycle: connect timeout, errors of
 * abandoned sockets absorbed, URL-provider failures caught.
 *
 * reconnecting-websocket reports a failed attempt as a synthetic close 1000 followed, in
 * the same tick, by an error event (or the error alone when no socket was created). The
 * adapter folds them into one `onClose(1006, reason, error)` on the next microtask.
 *
 * @param Rws - the class to drive @default partysocket/ws
 * @example
 * ```ts
 * createClient({ url, transport: createRwsTransport() });
 * ```
 */
export function createRwsTransport(
  Rws: RwsConstructor = ReconnectingWebSocket as unknown as RwsConstructor,
): TransportFactory {
  return (config: TransportConfig, events: TransportEvents): Transport => {
    const rws = new Rws(config.url, undefined, {
      WebSocket: config.WebSocket ?? WebSocket,
      startClosed: true,
      maxRetries: 0,
      minReconnectionDelay: 0,
      maxReconnectionDelay: 0,
      maxEnqueuedMessages: 0,
      connectionTimeout: config.connectTimeout,
      minUptime: 0,
    });
    rws.binaryType = 'arraybuffer';

    let muted = false;
    let pending: { code: number; reason: string; error?: unknown } | undefined;

    const flush = () => {
      const ended = pending;
      pending = undefined;
      if (ended) events.onClose(ended.code, ended.reason, ended.error);
    };
    const record = (code: number, reason: string, error?: unknown) => {
      if (muted) return;
      if (!pending) queueMicrotask(flush);
      pending = {
        code: error !== undefined || pending?.error !== undefined ? 1006 : code,
        reason: reason || pending?.reason || '',
        error: error ?? pending?.error,
      };
    };

    rws.addEventListener('open', () => {
      if (!muted) events.onOpen();
    });
    rws.addEventListener('message', (event) => {
      if (!muted) events.onMessage((event as MessageEvent).data);
    });
    rws.addEventListener('close', (event) => {
      const { code, reason } = event as CloseEvent;
      record(code, reason === 'unknown reason' ? '' : reason);
    });
    rws.addEventListener('error', (event) => {
      const { error, message } = event as ErrorEvent;
      record(1006, message === 'TIMEOUT' ? 'connect timeout' : (message ?? ''), error ?? new Error(message));
    });

    const quietly = (fn: () => void) => {
      muted = true;
      pending = undefined;
      try {
        fn();
      } finally {
        muted = false;
      }
    };

    return {
      connect: () => quietly(() => rws.reconnect()),
      send(data) {
        if (rws.readyState !== OPEN) return false;
        rws.send(data);
        return true;
      },
      close: (code = 1000, reason = '') => quietly(() => rws.close(code, reason)),
      get isOpen() {
        return rws.readyState === OPEN;
      },
    };
  };
}
