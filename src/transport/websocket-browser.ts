import { words } from '#words';
import type { ConnectionFailure } from '../errors/connection.js';
import type { Transport, TransportConfig, TransportEvents } from './transport.js';

/** @internal The parts of a WebSocket (browser API, or `ws` in Node) the transport uses. */
export interface SocketLike {
  readonly readyState: number;
  /** Bytes sent but not yet taken by the network (both APIs have it). */
  readonly bufferedAmount?: number;
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
  removeListener?(type: string, listener: (...args: never[]) => void): void;
  /** The subprotocol the server selected ('' for none), once open. */
  readonly protocol?: string;
  onopen?: (() => void) | null;
  onmessage?: ((event: { data: string | ArrayBuffer | Blob }) => void) | null;
  onclose?: ((event: { code: number; reason: string }) => void) | null;
  onerror?: ((event: unknown) => void) | null;
}
/** @internal A WebSocket constructor: the browser's (two arguments), or `ws` (options third). */
export type SocketClass = new (url: string, protocols?: string | string[], options?: object) => SocketLike;

/**
 * @internal What the `#platform` import gives the client (package.json "imports"): under the
 * `node` condition `./websocket-node.ts` (`ws`, its EventEmitter API, Node's error codes),
 * elsewhere this module (the browser WebSocket API alone), so that a browser's first load
 * carries no code that could only ever run in Node.
 */
export interface Platform {
  /** The transport `createWebSocketTransport` builds. */
  readonly Transport: new (
    config: TransportConfig,
    events: TransportEvents,
  ) => Transport;
  /**
   * What kind of failure an error with a `code` is (Node's: ENOTFOUND, ECONNREFUSED, TLS...),
   * with its cause in a few words; undefined for a code it does not know, and where errors
   * carry no code (browsers say nothing of why).
   */
  readonly classify:
    | ((code: string, error: object, message: string, url: string) => [ConnectionFailure, string] | undefined)
    | undefined;
  /**
   * What is wrong with the upgrade's headers (the `headers` option), if anything: outside Node,
   * that no socket sends them (a browser's sends its cookies by itself).
   */
  readonly checkHeaders: (headers: Record<string, string>) => string | undefined;
}

export const OPEN = 1;

/**
 * This side of `#platform` where it runs in Node: an app bundled without the `node` export
 * condition (esbuild's neutral platform, Rollup's node-resolve by default) got it, and its
 * failures say how to get Node's side instead of failing as a browser would.
 */
const wrongBuild = (): string | undefined =>
  typeof process !== 'undefined' && typeof process.versions?.node === 'string'
    ? words
      ? "eventwire's browser build runs in Node here: import 'eventwire' (not eventwire/browser), or bundle with the `node` export condition (see README, Install)"
      : "browser build in Node: import 'eventwire', or bundle with the node condition"
    : undefined;

/** Where a socket's events find their transport: one property on the socket, no closure per event. */
const OWNER = Symbol('eventwire.transport');
/** @internal A socket, with the transport that made it. */
export type Owned = SocketLike & { [OWNER]?: BrowserTransport };

/** @internal The transport `ws` reports to, while it is that transport's current socket. */
export function ownerOf(ws: Owned): BrowserTransport | undefined {
  const owner = ws[OWNER];
  return owner?.socket === ws ? owner : undefined;
}

// The socket's handlers: one function each for every socket of every client, called with the
// socket as `this` (as a browser calls its `on…` handlers, and `ws` too).
function onBrowserOpen(this: Owned): void {
  ownerOf(this)?.events.onUpgrade?.(this.protocol ?? '');
  ownerOf(this)?.events.onOpen(); // onUpgrade may have ended the attempt (no subprotocol selected)
}
function onBrowserMessage(this: Owned, event: { data: string | ArrayBuffer | Blob }): void {
  ownerOf(this)?.events.onMessage(event.data, false);
}
function onBrowserError(this: Owned): void {
  const owner = ownerOf(this);
  if (owner)
    owner.failure ??= new Error(
      words
        ? 'the connection failed (a browser does not say why: refused, DNS, TLS or an HTTP answer)'
        : 'connection failed',
    );
}
function onBrowserClose(this: Owned, event: { code: number; reason: string }): void {
  ownerOf(this)?.ended(event.code, event.reason);
}

/**
 * @internal The transport through the browser WebSocket API (`onopen`, `onmessage`...), which
 * every WebSocket has, `ws` included: the one a browser bundle (any runtime without the `node`
 * condition) loads, with the
 * global `WebSocket` unless the `WebSocket` option names another class. In Node,
 * `./websocket-node.ts` extends it with `ws`'s own API.
 */
export class BrowserTransport implements Transport {
  /** The class of the sockets, undefined where there is none (the attempt then fails, reported). */
  protected readonly Socket: SocketClass | undefined;
  readonly #protocols: readonly string[] | undefined;
  /** Counts attempts, for a socket that could not even be made (its failure is reported later). */
  #attempt = 0;
  readonly events: TransportEvents;
  /** The current attempt's socket: the one whose events are reported. */
  socket: SocketLike | undefined;
  /** What failed the current attempt, before it ended. */
  failure: unknown;

  constructor(config: TransportConfig, events: TransportEvents, Socket?: unknown) {
    this.events = events;
    this.Socket = (config.WebSocket ?? Socket ?? (globalThis as { WebSocket?: unknown }).WebSocket) as SocketClass;
    this.#protocols = config.protocols;
  }

  connect(url: string): void {
    this.leave(1000, '');
    const id = this.#attempt;
    this.failure = undefined;
    const protocols = this.#protocols?.length ? [...this.#protocols] : undefined;
    let ws: Owned;
    try {
      ws = this.open(url, protocols);
    } catch (error) {
      queueMicrotask(() => {
        if (id !== this.#attempt || this.socket) return;
        this.failure = error;
        this.ended(1006, String((error as Error)?.message ?? error));
      });
      return;
    }
    ws[OWNER] = this;
    this.socket = ws;
    this.listen(ws);
  }

  send(data: string): boolean {
    if (this.socket?.readyState !== OPEN) return false;
    this.socket.send(data);
    return true;
  }

  close(code = 1000, reason = ''): void {
    this.leave(code, reason);
  }

  /** The current socket's `bufferedAmount` (0 without one): see {@link Transport.buffered}. */
  buffered(): number {
    return this.socket?.bufferedAmount ?? 0;
  }

  /** Makes the attempt's socket (throws what its constructor throws). */
  protected open(url: string, protocols: string[] | undefined): SocketLike {
    if (!this.Socket)
      throw new Error(
        `no WebSocket here: ${wrongBuild() ?? (words ? 'pass the `WebSocket` option' : 'WebSocket option')}`,
      );
    return new this.Socket(url, protocols);
  }

  /** Listens to the attempt's socket. */
  protected listen(ws: SocketLike): void {
    ws.binaryType = 'arraybuffer';
    ws.onopen = onBrowserOpen;
    ws.onmessage = onBrowserMessage;
    ws.onerror = onBrowserError;
    ws.onclose = onBrowserClose;
  }

  /** The current attempt ended: reported once. */
  ended(code: number, reason: string, status?: number): void {
    this.socket = undefined;
    this.events.onClose(code, reason, this.failure, status);
  }

  /** Closes a socket the transport has left (not open yet, or open). */
  protected drop(old: SocketLike, code: number, reason: string): void {
    try {
      old.close(code, reason);
    } catch {
      old.close(); // a code this socket refuses (1005, 1006...): close plainly
    }
  }

  // `private`, not `#`: a class with a `#` method or accessor gives each instance a brand slot (8 bytes)
  /** Leaves the current socket: its events are ignored from now on. */
  private leave(code: number, reason: string): void {
    this.#attempt++;
    const old = this.socket;
    this.socket = undefined;
    if (old) this.drop(old, code, reason);
  }
}

/** @internal `#platform` outside Node: the browser WebSocket API, errors without codes, no headers (refused). */
export const platform: Platform = {
  Transport: BrowserTransport,
  classify: undefined,
  checkHeaders: (): string => {
    const wrong = wrongBuild();
    return wrong
      ? `headers cannot be sent: ${wrong}`
      : words
        ? 'headers are for Node (ws); browsers send their cookies by themselves'
        : 'headers: Node only';
  },
};
