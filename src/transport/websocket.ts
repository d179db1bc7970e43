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
  removeListener?(type: string, listener: (...args: never[]) => void): void;
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

/** Where a socket's events find their transport: one property on the socket, no closure per event. */
const OWNER = Symbol('eventwire.transport');
type Owned = SocketLike & { [OWNER]?: WebSocketTransport };

/** The transport `ws` reports to, while it is that transport's current socket. */
function ownerOf(ws: Owned): WebSocketTransport | undefined {
  const owner = ws[OWNER];
  return owner?.socket === ws ? owner : undefined;
}

// The socket's listeners: one function each for every socket of every client, called with the
// socket as `this` (`ws` emits so, and a browser calls its `on…` handlers so).
function onUpgrade(this: Owned, res: UpgradeAnswer): void {
  const selected = res.headers?.['sec-websocket-protocol'];
  ownerOf(this)?.events.onUpgrade?.(typeof selected === 'string' ? selected : '');
}
function onOpen(this: Owned): void {
  ownerOf(this)?.opened(this);
}
function onMessage(this: Owned, data: Uint8Array, binary: boolean): void {
  ownerOf(this)?.events.onMessage(data, !binary);
}
function onError(this: Owned, error: Error): void {
  const owner = ownerOf(this);
  if (owner) owner.failure ??= error;
}
function onRefused(this: Owned, _req: unknown, res: UpgradeAnswer): void {
  const owner = ownerOf(this);
  if (owner) {
    owner.status = res.statusCode;
    const text = res.statusMessage ? ` ${res.statusMessage}` : '';
    owner.failure = new Error(`the server answered the upgrade with HTTP ${owner.status}${text}`);
    owner.refusal = closeHeaders(res.headers);
  }
  this.terminate?.();
}
function onPong(this: Owned): void {
  ownerOf(this)?.events.onPong?.();
}
function onPing(this: Owned, data: Uint8Array): void {
  ownerOf(this)?.pinged(this, data);
}
function onClose(this: Owned, code: number, reason: Uint8Array): void {
  ownerOf(this)?.ended(code, String(reason));
}
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
      'the connection failed (a browser does not say why: refused, DNS, TLS or an HTTP answer)',
    );
}
function onBrowserClose(this: Owned, event: { code: number; reason: string }): void {
  ownerOf(this)?.ended(event.code, event.reason);
}

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
  return new WebSocketTransport(config, events);
}

/** The state is read by the listeners above (this module's own: the class is not exported). */
class WebSocketTransport implements Transport {
  readonly #Socket: SocketClass;
  readonly #nodeApi: boolean;
  /** `ws` answers protocol pings itself unless the client does (through its rate limit). */
  readonly #autoPong: boolean;
  // the config's parts, kept rather than the object the client made for the call
  readonly #maxPayload: number;
  readonly #headers: Record<string, string> | undefined;
  readonly #protocols: readonly string[] | undefined;
  /** Counts attempts, for a socket that could not even be made (its failure is reported later). */
  #attempt = 0;
  /** The latest protocol ping's payload (at most 125 bytes: `ws` refuses a larger control frame). */
  #lastPing: Uint8Array | undefined;
  /** The current socket's `answer` to protocol pings, made on its first ping. */
  #answer: (() => boolean) | undefined;
  readonly events: TransportEvents;
  /** The current attempt's socket: the one whose events are reported. */
  socket: SocketLike | undefined;
  // what the current attempt learnt before it ended
  failure: unknown;
  status: number | undefined;
  refusal: { code: number; reason: string } | undefined;

  constructor(config: TransportConfig, events: TransportEvents) {
    this.events = events;
    this.#Socket = socketClass(config.WebSocket);
    this.#nodeApi = typeof this.#Socket.prototype?.on === 'function';
    this.#autoPong = events.onPing === undefined;
    this.#maxPayload = config.maxPayload;
    this.#headers = config.headers;
    this.#protocols = config.protocols;
  }

  connect(url: string): void {
    this.#leave(1000, '');
    const id = this.#attempt;
    this.failure = this.status = this.refusal = this.#lastPing = this.#answer = undefined;
    const protocols = this.#protocols?.length ? [...this.#protocols] : undefined;
    let ws: Owned;
    try {
      ws = this.#nodeApi
        ? new this.#Socket(url, protocols, {
            maxPayload: this.#maxPayload,
            skipUTF8Validation: true,
            autoPong: this.#autoPong,
            ...(this.#headers ? { headers: this.#headers } : {}),
          })
        : new this.#Socket(url, protocols);
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
    if (this.#nodeApi && ws.on) {
      // `upgrade` comes before ws checks the answer: one that selects none of the offered
      // subprotocols is then refused ("Server sent no subprotocol"), and the socket closes. The
      // link's listeners come on open (see `opened`).
      ws.on('upgrade', onUpgrade);
      ws.on('open', onOpen);
      ws.on('error', onError);
      ws.on('unexpected-response', onRefused);
      ws.on('close', onClose);
    } else {
      ws.binaryType = 'arraybuffer';
      ws.onopen = onBrowserOpen;
      ws.onmessage = onBrowserMessage;
      ws.onerror = onBrowserError;
      ws.onclose = onBrowserClose;
    }
  }

  send(data: string): boolean {
    if (this.socket?.readyState !== OPEN) return false;
    this.socket.send(data);
    return true;
  }

  close(code = 1000, reason = ''): void {
    this.#leave(code, reason);
  }

  ping(): boolean {
    const socket = this.socket;
    if (!this.#nodeApi || socket?.readyState !== OPEN || !socket.ping) return false;
    socket.ping();
    return true;
  }

  /** `ws` (the current socket, in Node) opened. */
  opened(ws: SocketLike): void {
    if (ws.on) {
      // what comes before the open is over: `ws` keeps listeners in a dictionary that grows by
      // steps, and five cost about 200 bytes less a socket than eight
      ws.removeListener?.('upgrade', onUpgrade);
      ws.removeListener?.('open', onOpen);
      ws.removeListener?.('unexpected-response', onRefused);
      ws.on('message', onMessage);
      ws.on('pong', onPong);
      if (!this.#autoPong) ws.on('ping', onPing);
    }
    this.events.onOpen();
  }

  /** A protocol ping on `ws`, the current socket: its answer is the client's to send. */
  pinged(ws: SocketLike, data: Uint8Array): void {
    this.#lastPing = data;
    this.#answer ??= () => {
      if (ws !== this.socket || ws.readyState !== OPEN) return false;
      ws.pong?.(this.#lastPing);
      return true;
    };
    this.events.onPing?.(this.#answer);
  }

  /** The current attempt ended: reported once. */
  ended(code: number, reason: string): void {
    this.socket = undefined;
    const refusal = this.refusal;
    this.events.onClose(refusal?.code ?? code, refusal?.reason ?? reason, this.failure, this.status);
  }

  /** Leaves the current socket: its events are ignored from now on. */
  #leave(code: number, reason: string): void {
    this.#attempt++;
    const old = this.socket;
    this.socket = undefined;
    if (!old) return;
    if (old.readyState !== OPEN && old.terminate) return void old.terminate();
    try {
      old.close(code, reason);
    } catch {
      old.close(); // a code this socket refuses (1005, 1006...): close plainly
    }
  }
}
