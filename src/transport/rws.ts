/**
 * `eventwire/rws`: eventwire over a socket with the reconnecting-websocket API, for an app
 * that already uses one. Not the default transport: reconnecting-websocket 4.4.0 is
 * abandoned with open defects (upstream #183, #125, #165, #134), and both it and its
 * maintained fork partysocket clone every message and keep state of their own per client.
 * Install `partysocket` yourself (an optional peer): this module imports it for its default, so it must be
 * installed even where reconnecting-websocket's class is passed in.
 */
import WebSocket from 'isomorphic-ws';
import ReconnectingWebSocket from 'partysocket/ws';
import type { Transport, TransportConfig, TransportEvents, TransportFactory } from './transport.js';

/** The subset of the reconnecting-websocket API this adapter drives. @example `const rws: RwsLike = new ReconnectingWebSocket(url)` */
export interface RwsLike {
  binaryType: string;
  readonly readyState: number;
  /** Its socket's unsent bytes (and its own queue's, kept empty here). */
  readonly bufferedAmount?: number;
  reconnect(code?: number, reason?: string): void;
  close(code?: number, reason?: string): void;
  send(data: string): unknown;
  addEventListener(type: string, listener: (event: Event) => void): void;
}

/** A class with the reconnecting-websocket constructor signature. @example `createRwsTransport(ReconnectingWebSocket as RwsConstructor)` */
export type RwsConstructor = new (
  url: () => Promise<string>,
  protocols: undefined,
  options: Record<string, unknown>,
) => RwsLike;

const OPEN = 1;
/** The client owns the connect timeout; the library's own is pushed out of the way (2^31-1 ms). */
const NO_TIMEOUT = 2_147_483_647;

/**
 * A transport over the reconnecting-websocket API (partysocket's maintained fork by
 * default). The client drives every attempt with `reconnect()` so that its own backoff,
 * jitter, timeouts and close-code policy apply; the library is held to one attempt per call
 * (`maxRetries: 0`, no timeout of its own).
 *
 * reconnecting-websocket reports a failed attempt as a synthetic close 1000 followed, in
 * the same tick, by an error event (or the error alone when no socket was created). The
 * adapter folds them into one `onClose(1006, reason, error)` on the next microtask.
 *
 * @param Rws - the class to drive @default partysocket/ws
 * @example
 * ```ts
 * import { createRwsTransport } from 'eventwire/rws';
 * createClient({ url, transport: createRwsTransport() });
 * ```
 */
export function createRwsTransport(
  Rws: RwsConstructor = ReconnectingWebSocket as unknown as RwsConstructor,
): TransportFactory {
  return (config: TransportConfig, events: TransportEvents): Transport => {
    let url = '';
    const rws = new Rws(async () => url, undefined, {
      WebSocket: config.WebSocket ?? WebSocket,
      startClosed: true,
      maxRetries: 0,
      minReconnectionDelay: 0,
      maxReconnectionDelay: 0,
      maxEnqueuedMessages: 0,
      connectionTimeout: NO_TIMEOUT,
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
      if (!muted) events.onMessage((event as MessageEvent).data, false);
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
      connect(next) {
        url = next;
        quietly(() => rws.reconnect());
      },
      send(data) {
        if (rws.readyState !== OPEN) return false;
        rws.send(data);
        return true;
      },
      close: (code = 1000, reason = '') => quietly(() => rws.close(code, reason)),
      // its socket's unsent bytes (its own queue is off: maxEnqueuedMessages 0)
      buffered: () => rws.bufferedAmount ?? 0,
    };
  };
}
