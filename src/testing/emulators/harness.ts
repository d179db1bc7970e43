/**
 * What every emulated server here shares: an HTTP server on 127.0.0.1 (port 0 the first time,
 * the same port after a restart) whose upgrades a subclass answers, the connections it keeps
 * and their timers, and the fault controls (drop, freeze, stop, restart). The generic
 * {@link Emulator} and the Buster emulator add their wire formats on top.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { gzipSync } from 'node:zlib';
import { type WebSocket, WebSocketServer } from 'ws';

/** What every emulated connection holds. */
export interface HarnessConn {
  ws: WebSocket;
  socket: Socket;
  /** Every text frame the client sent, parsed (or as text when it is not JSON). */
  received: unknown[];
  /** Timers cleared when the connection closes (see `later`). */
  timers: Set<ReturnType<typeof setTimeout>>;
}

/** An upgrade's answer: refuse it with these HTTP lines, or accept it with what `connect` is to know (a user, say). */
export type Upgrade<G = true> = { refuse: string } | { accept: G };

/**
 * The server side of an emulator. A subclass says how an upgrade is answered (`upgrade`), makes
 * each connection's record (`connect`) and whether a connection is frozen.
 *
 * @example
 * ```ts
 * import type { Socket } from 'node:net';
 * import type { WebSocket } from 'ws';
 *
 * class Echo extends Harness<HarnessConn> {
 *   protected upgrade(): Upgrade { return { accept: true }; }
 *   protected connect(ws: WebSocket, socket: Socket): HarnessConn {
 *     const conn: HarnessConn = { ws, socket, received: [], timers: new Set() };
 *     ws.on('message', (data, binary) => { if (!binary) this.send(conn, this.read(conn, data)); });
 *     return conn;
 *   }
 *   protected isFrozen(): boolean { return false; }
 *   protected markFrozen(): void {}
 * }
 * const echo = await new Echo().start();
 * await echo.close();
 * ```
 */
export abstract class Harness<C extends HarnessConn, G = true> {
  readonly history: C[] = [];
  readonly conns = new Set<C>();
  /** Send messages as gzip binary frames instead of text. */
  gzip = false;
  /** Called with every text message a client sent, parsed. */
  onMessage: ((conn: C, message: unknown) => void) | undefined;
  /** Called when a connection opens or closes. */
  onConnections: (() => void) | undefined;
  #http: Server | undefined;
  #wss: WebSocketServer | undefined;
  #port = 0;
  readonly #path: string;

  /** @param path - the path `url` names (the server answers every path unless `upgrade` refuses it) */
  constructor(path = '') {
    this.#path = path;
  }

  get url(): string {
    return `ws://127.0.0.1:${this.#port}${this.#path}`;
  }

  /** The port it listens on (0 before `start()`); a restart keeps it. */
  get port(): number {
    return this.#port;
  }

  /** How an upgrade to `url` is answered. */
  protected abstract upgrade(url: URL, headers: IncomingMessage['headers']): Upgrade<G>;
  /** The record of an accepted connection (`grant`: what `upgrade` accepted it with); its listeners are added here. */
  protected abstract connect(ws: WebSocket, socket: Socket, url: URL, headers: IncomingMessage['headers'], grant: G): C;
  /** Whether `conn` was frozen (it sends nothing more). */
  protected abstract isFrozen(conn: C): boolean;
  /** Marks `conn` frozen. */
  protected abstract markFrozen(conn: C): void;
  /** A connection is up and counted in `conns` (before `onConnections` hears of it). */
  protected opened(_conn: C): void {}

  async start(): Promise<this> {
    const http = createServer((_req, res) => res.writeHead(426).end());
    // Like the servers emulated (FastAPI's accept(), axum's upgrade): no subprotocol selected, even when one is offered.
    const wss = new WebSocketServer({ noServer: true, handleProtocols: () => false });
    http.on('upgrade', (req, socket, head) => {
      const url = new URL(req.url ?? '/', 'http://x');
      const answer = this.upgrade(url, req.headers);
      if ('refuse' in answer) {
        socket.end(answer.refuse);
        return;
      }
      const grant = answer.accept;
      wss.handleUpgrade(req, socket, head, (ws) => {
        const conn = this.connect(ws, socket as Socket, url, req.headers, grant);
        this.conns.add(conn);
        this.history.push(conn);
        ws.on('error', () => {});
        ws.on('close', () => {
          this.conns.delete(conn);
          for (const t of conn.timers) clearTimeout(t);
          this.onConnections?.();
        });
        this.opened(conn);
        this.onConnections?.();
      });
    });
    await new Promise<void>((resolve) => http.listen(this.#port, '127.0.0.1', resolve));
    this.#port = (http.address() as AddressInfo).port;
    this.#http = http;
    this.#wss = wss;
    return this;
  }

  /** A text frame the client sent: parsed (or kept as text), recorded and handed to `onMessage`. */
  protected read(conn: C, data: unknown): unknown {
    const text = String(data);
    let message: unknown = text;
    try {
      message = JSON.parse(text);
    } catch {}
    conn.received.push(message);
    this.onMessage?.(conn, message);
    return message;
  }

  /** Sends one message as a text frame (gzip binary with `gzip`), unless the connection is down or frozen. */
  send(conn: C, message: unknown): void {
    if (conn.ws.readyState !== conn.ws.OPEN || this.isFrozen(conn)) return;
    const text = JSON.stringify(message);
    conn.ws.send(this.gzip ? gzipSync(text) : text);
  }

  /** Runs `fn` after `ms` unless the connection has closed (the timer is cleared with it). */
  later(conn: C, ms: number, fn: () => void): void {
    const timer = setTimeout(() => {
      conn.timers.delete(timer);
      fn();
    }, ms);
    conn.timers.add(timer);
  }

  /** Cuts every connection without a close frame (the client sees 1006), or closes with `code`. */
  dropAll(code?: number, reason = ''): void {
    for (const c of this.conns) {
      if (code === undefined) c.ws.terminate();
      else c.ws.close(code, reason);
    }
  }

  /** Connections stay open at TCP level, but nothing is read, sent or timed any more. */
  freeze(): void {
    for (const c of this.conns) {
      this.markFrozen(c);
      c.socket.pause();
      for (const t of c.timers) clearTimeout(t);
    }
  }

  /** Stops listening and cuts every connection (a later `start()` listens on the same port). */
  async stop(): Promise<void> {
    const http = this.#http;
    const wss = this.#wss;
    this.#http = undefined;
    this.#wss = undefined;
    for (const c of this.conns) c.ws.terminate();
    if (wss) await new Promise<void>((r) => wss.close(() => r()));
    if (http) await new Promise<void>((r) => http.close(() => r()));
  }

  /** A server restart: every connection cut, the same port listening again. */
  async restart(): Promise<void> {
    await this.stop();
    await this.start();
  }

  close(): Promise<void> {
    return this.stop();
  }
}
