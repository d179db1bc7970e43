import IsoWebSocket from 'isomorphic-ws';
import type { Transport, TransportConfig, TransportEvents } from './transport.js';

/** The parts of a WebSocket (browser API, or `ws` in Node) the transport uses. */
interface SocketLike {
  readonly readyState: number;
  binaryType: string;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  /** `ws` only: close the TCP connection at once. */
  terminate?(): void;
  /** `ws` only: a protocol ping, and the answer to one. */
  ping?(): void;
  pong?(data?: Uint8Array): void;
  /** `ws` only: its EventEmitter API, which hands over Buffers and the text/binary flag. */
  on?(type: string, listener: (...args: never[]) => void): void;
  /** The subprotocol the server selected ('' for none), once open. */
  readonly protocol?: string;
  onopen?: (() => void) | null;
  onmessage?: ((event: { data: string | ArrayBuffer | Blob }) => void) | null;
  onclose?: ((event: { code: number; reason: string }) => void) | null;
  onerror?: ((event: unknown) => void) | null;
}
type SocketClass = new (url: string, protocols?: string | string[], options?: object) => SocketLike;

/** `ws`'s HTTP answer to a refused upgrade (a Node `IncomingMessage`), as far as it is read. */
interface UpgradeAnswer {
  statusCode?: number;
  statusMessage?: string;
  headers?: Record<string, string | string[] | undefined>;
}

/**
 * The close code (and reason) a server put on its HTTP refusal of the upgrade, as
 * `Sec-WebSocket-Close-Code` / `Sec-WebSocket-Close-Reason` (Buster answers an invalid or
 * expired token with HTTP 401 and code 4001), or undefined when it gave none. Only codes a
 * close frame could carry (1000-4999) are taken.
 */
function closeHeaders(headers: UpgradeAnswer['headers']): { code: number; reason: string } | undefined {
  const code = Number(headers?.['sec-websocket-close-code']);
  if (!Number.isInteger(code) || code < 1000 || code > 4999) return undefined;
  const reason = headers?.['sec-websocket-close-reason'];
  return { code, reason: typeof reason === 'string' ? reason : '' };
}

const OPEN = 1;
const inNode = typeof process !== 'undefined' && typeof process.versions?.node === 'string';

/**
 * The WebSocket class to use: the `WebSocket` option, else `ws` in Node (which takes the
 * byte cap, leaves UTF-8 checking to the codec and sends headers, none of which the
 * global WebSocket of Node 22+ can), else the global `WebSocket` (browsers, Deno, Bun).
 */
function socketClass(option: unknown): SocketClass {
  if (option !== undefined) return option as SocketClass;
  const global = (globalThis as { WebSocket?: unknown }).WebSocket;
  return (inNode || global === undefined ? IsoWebSocket : global) as unknown as SocketClass;
}

/**
 * eventwire's transport: one WebSocket per `connect()`, nothing else. Each socket's
 * callbacks carry the attempt id they were made for, and are ignored once the client has
 * moved on to another attempt (or closed), so a late event of an abandoned socket never
 * reaches the client. With `ws` it listens through `ws.on()` and receives Buffers as they
 * are (no `MessageEvent` per frame), and tells `ws` the frame cap (`maxPayload`).
 *
 * An HTTP answer to the upgrade reaches `onClose` as its `status`, and a close code the server
 * put in its `Sec-WebSocket-Close-Code` header as the `code` (else 1006). Only `ws` can read
 * them: a browser reports a refused upgrade as close 1006 with neither.
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
  const Socket = socketClass(config.WebSocket);
  const nodeApi = typeof Socket.prototype?.on === 'function';
  let attempt = 0;
  let socket: SocketLike | undefined;
  /** `ws` answers protocol pings itself unless the client does (through its rate limit). */
  const autoPong = events.onPing === undefined;

  /** Leaves the current socket: its events are ignored from now on. */
  const leave = (code: number, reason: string) => {
    attempt++;
    const old = socket;
    socket = undefined;
    if (!old) return;
    if (old.readyState !== OPEN && old.terminate) return old.terminate();
    try {
      old.close(code, reason);
    } catch {
      old.close(); // a code this socket refuses (1005, 1006...): close plainly
    }
  };

  return {
    connect(url) {
      leave(1000, '');
      const id = ++attempt;
      const current = () => id === attempt;
      let failure: unknown;
      let status: number | undefined;
      let refusal: { code: number; reason: string } | undefined;
      const ended = (code: number, reason: string) => {
        if (!current()) return;
        socket = undefined;
        events.onClose(refusal?.code ?? code, refusal?.reason ?? reason, failure, status);
      };
      const protocols = config.protocols?.length ? [...config.protocols] : undefined;
      let ws: SocketLike;
      try {
        ws = nodeApi
          ? new Socket(url, protocols, {
              maxPayload: config.maxPayload,
              skipUTF8Validation: true,
              autoPong,
              ...(config.headers ? { headers: config.headers } : {}),
            })
          : new Socket(url, protocols);
      } catch (error) {
        queueMicrotask(() => {
          failure = error;
          ended(1006, String((error as Error)?.message ?? error));
        });
        return;
      }
      socket = ws;
      if (nodeApi && ws.on) {
        // `upgrade` comes before ws checks the answer: one that selects none of the offered
        // subprotocols is then refused ("Server sent no subprotocol"), and the socket closes
        ws.on('upgrade', (res: UpgradeAnswer) => {
          const selected = res.headers?.['sec-websocket-protocol'];
          if (current()) events.onUpgrade?.(typeof selected === 'string' ? selected : '');
        });
        ws.on('open', () => current() && events.onOpen());
        ws.on('message', (data: Uint8Array, binary: boolean) => current() && events.onMessage(data, !binary));
        ws.on('error', (error: Error) => (failure ??= error));
        ws.on('unexpected-response', (_req: unknown, res: UpgradeAnswer) => {
          status = res.statusCode;
          const text = res.statusMessage ? ` ${res.statusMessage}` : '';
          failure = new Error(`the server answered the upgrade with HTTP ${status}${text}`);
          refusal = closeHeaders(res.headers);
          ws.terminate?.();
        });
        ws.on('pong', () => current() && events.onPong?.());
        if (!autoPong) {
          let lastPing: Uint8Array | undefined; // at most 125 bytes: `ws` refuses a larger control frame
          const answer = () => {
            if (!current() || ws.readyState !== OPEN) return false;
            ws.pong?.(lastPing);
            return true;
          };
          ws.on('ping', (data: Uint8Array) => {
            if (!current()) return;
            lastPing = data;
            events.onPing?.(answer);
          });
        }
        ws.on('close', (code: number, reason: Uint8Array) => ended(code, String(reason)));
      } else {
        ws.binaryType = 'arraybuffer';
        ws.onopen = () => {
          if (!current()) return;
          events.onUpgrade?.(ws.protocol ?? '');
          if (current()) events.onOpen(); // onUpgrade may have ended the attempt (no subprotocol selected)
        };
        ws.onmessage = (event) => current() && events.onMessage(event.data, false);
        ws.onerror = () =>
          (failure ??= new Error(
            'the connection failed (a browser does not say why: refused, DNS, TLS or an HTTP answer)',
          ));
        ws.onclose = (event) => ended(event.code, event.reason);
      }
    },
    send(data) {
      if (socket?.readyState !== OPEN) return false;
      socket.send(data);
      return true;
    },
    close: (code = 1000, reason = '') => leave(code, reason),
    ping() {
      if (!nodeApi || socket?.readyState !== OPEN || !socket.ping) return false;
      socket.ping();
      return true;
    },
  };
}
