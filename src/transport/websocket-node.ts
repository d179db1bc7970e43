import IsoWebSocket from 'isomorphic-ws';
import { words } from '#words';
import { type ConnectionFailure, firstLine } from '../errors/connection.js';
import { DecodeError } from '../errors/decode.js';
import type { TransportConfig, TransportEvents } from './transport.js';
import { BrowserTransport, OPEN, type Owned, ownerOf, type Platform, type SocketLike } from './websocket-browser.js';

// `#platform` under the `node` condition (package.json "imports"): what only Node can run, kept
// out of the browser's first load (there `#platform` is ./websocket-browser.ts alone).

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

/** The transport `ws` reports to, while it is that transport's current socket (always a `NodeTransport`). */
const nodeOwner = ownerOf as (ws: Owned) => NodeTransport | undefined;

/**
 * How long (ms) a socket that is closing may wait for the server's close frame before it is
 * terminated. `ws` waits 30 s, on a timer that keeps the process alive: a server that reads
 * nothing would hold a Node process that long after `close()`. A live server answers within a
 * round trip (well under a second, even on a slow mobile link), and the client's own close
 * frame is already written when the wait starts: past 1 s the answer is not coming.
 */
const CLOSE_GRACE = 1_000;
/** The timer of a socket's closing grace, on the socket itself (a socket the transport has left has no other home). */
const GRACE = Symbol('eventwire.closeGrace');
/** A socket, with its closing grace's timer while it runs. */
type Closing = Owned & { [GRACE]?: ReturnType<typeof setTimeout> };

function terminate(ws: SocketLike): void {
  ws.terminate?.();
}

/** Terminates `ws` unless it has closed within {@link CLOSE_GRACE}; the timer holds no process alive. */
function graceClose(ws: Closing): void {
  if (ws[GRACE] !== undefined) return;
  ws[GRACE] = setTimeout(terminate, CLOSE_GRACE, ws);
  ws[GRACE].unref?.(); // Node's timers have it; a runtime whose setTimeout returns a number (Deno, Electron) does not
}

// `ws`'s listeners: one function each for every socket of every client, called with the socket
// as `this` (`ws` emits so).
function onUpgrade(this: Owned, res: UpgradeAnswer): void {
  const selected = res.headers?.['sec-websocket-protocol'];
  nodeOwner(this)?.events.onUpgrade?.(typeof selected === 'string' ? selected : '');
}
function onOpen(this: Owned): void {
  nodeOwner(this)?.opened(this);
}
function onMessage(this: Owned, data: Uint8Array, binary: boolean): void {
  nodeOwner(this)?.events.onMessage(data, !binary);
}
function onError(this: Owned, error: Error): void {
  const owner = nodeOwner(this);
  if ((error as { code?: unknown }).code !== 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH') {
    if (owner) owner.failure ??= error;
    return;
  }
  // a frame over `maxPayload`: ws stops reading and closes with 1009; the server's close frame
  // will not be read, so the socket is not kept open for it
  graceClose(this);
  if (owner) owner.failure ??= owner.tooLarge();
}
function onRefused(this: Owned, _req: unknown, res: UpgradeAnswer): void {
  const owner = nodeOwner(this);
  if (owner) {
    owner.status = res.statusCode;
    const text = res.statusMessage ? ` ${res.statusMessage}` : '';
    owner.failure = new Error(`the server answered the upgrade with HTTP ${owner.status}${text}`);
    owner.refusal = closeHeaders(res.headers);
  }
  this.terminate?.();
}
function onPong(this: Owned): void {
  nodeOwner(this)?.events.onPong?.();
}
function onPing(this: Owned, data: Uint8Array): void {
  nodeOwner(this)?.pinged(this, data);
}
function onClose(this: Closing, code: number, reason: Uint8Array): void {
  if (this[GRACE] !== undefined) clearTimeout(this[GRACE]);
  nodeOwner(this)?.ended(code, String(reason));
}

/**
 * The transport in Node: with `ws` (the default here, or a `WebSocket` option of its kind) it
 * listens through `ws.on()` and receives Buffers as they are (no `MessageEvent` per frame),
 * tells `ws` the frame cap (`maxPayload`), skips its UTF-8 check (the codec makes it), sends
 * upgrade headers, reads an HTTP refusal of the upgrade (its status, and the close code a
 * server put in its `Sec-WebSocket-Close-Code` header), and sends and answers protocol pings.
 * A class with the browser API alone (Node 22's global WebSocket) goes through the browser's.
 */
class NodeTransport extends BrowserTransport {
  // the config's parts, kept rather than the object the client made for the call
  readonly #maxPayload: number;
  readonly #headers: Record<string, string> | undefined;
  /** The latest protocol ping's payload (at most 125 bytes: `ws` refuses a larger control frame). */
  #lastPing: Uint8Array | undefined;
  /** The current socket's `answer` to protocol pings, made on its first ping. */
  #answer: (() => boolean) | undefined;
  // what the current attempt learnt before it ended
  status: number | undefined;
  refusal: { code: number; reason: string } | undefined;

  constructor(config: TransportConfig, events: TransportEvents) {
    super(config, events, IsoWebSocket);
    this.#maxPayload = config.maxPayload;
    this.#headers = config.headers;
    this.#autoPong = events.onPing === undefined;
  }

  // `private`, not `#`: a class with a `#` method or accessor gives each instance a brand slot (8 bytes)
  /** Whether the socket class has `ws`'s API (read when used: no field per client for it). */
  private get nodeApi(): boolean {
    return typeof this.Socket?.prototype?.on === 'function';
  }

  /**
   * `ws` answers protocol pings itself unless the client does (through its rate limit): decided
   * once, with the events, so that a socket never gets both answers, or neither.
   */
  readonly #autoPong: boolean;

  override connect(url: string): void {
    this.status = this.refusal = this.#lastPing = this.#answer = undefined;
    super.connect(url);
  }

  ping(): boolean {
    const socket = this.socket;
    if (!this.nodeApi || socket?.readyState !== OPEN || !socket.ping) return false;
    socket.ping();
    return true;
  }

  protected override open(url: string, protocols: string[] | undefined): SocketLike {
    if (!this.nodeApi || !this.Socket) return super.open(url, protocols);
    return new this.Socket(url, protocols, {
      maxPayload: this.#maxPayload,
      skipUTF8Validation: true,
      autoPong: this.#autoPong,
      ...(this.#headers ? { headers: this.#headers } : {}),
    });
  }

  protected override listen(ws: SocketLike): void {
    if (!this.nodeApi || !ws.on) {
      super.listen(ws);
      return;
    }
    // `upgrade` comes before ws checks the answer: one that selects none of the offered
    // subprotocols is then refused ("Server sent no subprotocol"), and the socket closes. The
    // link's listeners come on open (see `opened`).
    ws.on('upgrade', onUpgrade);
    ws.on('open', onOpen);
    ws.on('error', onError);
    ws.on('unexpected-response', onRefused);
    ws.on('close', onClose);
  }

  /** `ws` (the current socket) opened. */
  opened(ws: SocketLike): void {
    // what comes before the open is over: `ws` keeps listeners in a dictionary that grows by
    // steps, and five cost about 200 bytes less a socket than eight
    ws.removeListener?.('upgrade', onUpgrade);
    ws.removeListener?.('open', onOpen);
    ws.removeListener?.('unexpected-response', onRefused);
    ws.on?.('message', onMessage);
    ws.on?.('pong', onPong);
    if (!this.#autoPong) ws.on?.('ping', onPing);
    this.events.onOpen();
  }

  /** A protocol ping on `ws`, the current socket: its answer is the client's to send. */
  pinged(ws: SocketLike, data: Uint8Array): void {
    // a copy: `ws` hands over a view of the socket read the ping came in (events with it), which it would keep alive
    this.#lastPing = data.length > 0 ? new Uint8Array(data) : undefined;
    this.#answer ??= () => {
      if (ws !== this.socket || ws.readyState !== OPEN) return false;
      ws.pong?.(this.#lastPing);
      this.#lastPing = undefined; // answered: the payload is not kept till the next ping
      return true;
    };
    if (this.events.onPing) this.events.onPing(this.#answer);
    else this.#answer(); // the hook went away since: the socket still answers
  }

  /** What a frame over `maxPayload` is reported as (`ws` refuses it unread, and closes the link). */
  tooLarge(): DecodeError {
    const cap = this.#maxPayload;
    return new DecodeError(
      'too_large',
      words
        ? `a frame over ${cap} bytes, the socket's cap (twice maxMessageBytes and 64 KiB), cannot be read: the link is closed (1009)`
        : `frame > ${cap} bytes (socket cap): closed 1009`,
    );
  }

  /**
   * The current attempt ended: reported once, with the close code of an HTTP refusal's headers,
   * or 1009 for a frame over the cap (`ws` closes with it, but never reads the server's answer:
   * it would say 1006).
   */
  override ended(code: number, reason: string): void {
    const refusal = this.refusal;
    if (this.failure instanceof DecodeError) super.ended(1009, 'message too big');
    else super.ended(refusal?.code ?? code, refusal?.reason ?? reason, this.status);
  }

  protected override drop(old: SocketLike, code: number, reason: string): void {
    if (old.readyState !== OPEN && old.terminate) return void old.terminate();
    super.drop(old, code, reason);
    if (this.nodeApi) graceClose(old); // its `close` listener clears the timer (see `onClose`)
  }
}

/** Node's codes for a name that does not resolve. */
const DNS = /^(ENOTFOUND|EAI_)/;
/** Node's codes for TLS: OpenSSL's errors, and the certificates it refused. */
const TLS = /^(ERR_SSL_|ERR_TLS_|EPROTO$)|CERT|_SIGNATURE|SELF_SIGNED/;

/** What kind of failure an error with one of Node's codes is, and its cause in a few words. */
function classify(code: string, error: object, message: string, url: string): [ConnectionFailure, string] | undefined {
  if (DNS.test(code)) return ['dns', `the host name ${new URL(url).hostname} does not resolve (${code})`];
  if (TLS.test(code)) {
    const said = (error as { reason?: unknown }).reason;
    // OpenSSL's "error:0A00010B:SSL routines:ssl3_get_record:wrong version number:<file>:<line>:"
    const why = typeof said === 'string' ? said : (/error:[0-9A-F]+:[^:]*:[^:]*:([^:]+)/.exec(message)?.[1] ?? message);
    const plain = /wrong version number|packet length too long|http request/i.test(why);
    const hint =
      plain && url.startsWith('wss:') ? ': the server does not speak TLS here; is it ws:// rather than wss://?' : '';
    return ['tls', `TLS failed (${code}: ${firstLine(why)})${hint}`];
  }
  if (code === 'ECONNREFUSED') return ['refused', 'connection refused (ECONNREFUSED)'];
  return undefined; // Node's own: "read ECONNRESET", "connect EHOSTUNREACH 10.0.0.1:80"...
}

/**
 * What is wrong with a header, if anything, naming it but never its value (it may be a secret).
 * RFC 7230: a name is a token; a value is visible ASCII, obs-text, space and tab (never CR, LF or NUL).
 */
function checkHeaders(headers: Record<string, string>): string | undefined {
  for (const [name, value] of Object.entries(headers)) {
    if (!/^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/.test(name))
      return `headers: ${JSON.stringify(name)} is not a valid header name (RFC 7230 token)`;
    if (!/^[\t\x20-\x7e\x80-\xff]*$/.test(value))
      return `headers[${JSON.stringify(name)}] has a character a header cannot carry (CR, LF, NUL, a control or non-Latin-1 character)`;
  }
  return undefined;
}

/** @internal `#platform` in Node: `ws` and its API, Node's error codes, and upgrade headers. */
export const platform: Platform = { Transport: NodeTransport, classify, checkHeaders };
