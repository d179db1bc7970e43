/**
 * A small WebSocket server harness for the seed emulators: 127.0.0.1, port 0, with the
 * fault controls the conformance suite needs (drop, freeze, restart) and a record of what
 * each connection sent. Each emulator in this folder adds one seed's wire format.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { gzipSync } from 'node:zlib';
import { type WebSocket, WebSocketServer } from 'ws';

export interface Conn {
  ws: WebSocket;
  socket: Socket;
  url: URL;
  headers: IncomingMessage['headers'];
  /** Every text frame the client sent, parsed (or as text when it is not JSON). */
  received: unknown[];
  /** Seed-specific state. */
  state: Record<string, unknown>;
  timers: Set<ReturnType<typeof setTimeout>>;
}

export interface EmulatorHooks {
  /** An HTTP status to refuse the upgrade with, or undefined to accept. */
  refuse?(url: URL, headers: IncomingMessage['headers']): number | undefined;
  open?(conn: Conn): void;
  message?(conn: Conn, message: unknown): void;
}

export class Emulator {
  readonly history: Conn[] = [];
  readonly conns = new Set<Conn>();
  #http: Server | undefined;
  #wss: WebSocketServer | undefined;
  #port = 0;
  readonly #hooks: EmulatorHooks;
  /** Send frames gzipped (binary) instead of as text. */
  gzip = false;
  /** Called with every message a client sent, parsed (as the connection's `received` has it). */
  onMessage: ((conn: Conn, message: unknown) => void) | undefined;
  /** Called when a connection opens or closes. */
  onConnections: (() => void) | undefined;

  constructor(hooks: EmulatorHooks) {
    this.#hooks = hooks;
  }

  get url(): string {
    return `ws://127.0.0.1:${this.#port}`;
  }

  /** The port it listens on (0 before `start()`); a restart keeps it. */
  get port(): number {
    return this.#port;
  }

  async start(): Promise<this> {
    const http = createServer((_req, res) => res.writeHead(426).end());
    // Like the servers emulated (FastAPI's accept(), axum's upgrade): no subprotocol selected, even when one is offered.
    const wss = new WebSocketServer({ noServer: true, handleProtocols: () => false });
    http.on('upgrade', (req, socket, head) => {
      const url = new URL(req.url ?? '/', 'http://x');
      const status = this.#hooks.refuse?.(url, req.headers);
      if (status) {
        socket.end(`HTTP/1.1 ${status} Refused\r\nContent-Length: 0\r\nConnection: close\r\n\r\n`);
        return;
      }
      wss.handleUpgrade(req, socket, head, (ws) => {
        const conn: Conn = {
          ws,
          socket: socket as Socket,
          url,
          headers: req.headers,
          received: [],
          state: {},
          timers: new Set(),
        };
        this.conns.add(conn);
        this.history.push(conn);
        ws.on('error', () => {});
        ws.on('close', () => {
          this.conns.delete(conn);
          for (const t of conn.timers) clearTimeout(t);
          this.onConnections?.();
        });
        ws.on('message', (data, binary) => {
          if (binary) return;
          const text = data.toString();
          let message: unknown = text;
          try {
            message = JSON.parse(text);
          } catch {}
          conn.received.push(message);
          this.onMessage?.(conn, message);
          this.#hooks.message?.(conn, message);
        });
        this.#hooks.open?.(conn);
        this.onConnections?.();
      });
    });
    await new Promise<void>((resolve) => http.listen(this.#port, '127.0.0.1', resolve));
    this.#port = (http.address() as AddressInfo).port;
    this.#http = http;
    this.#wss = wss;
    return this;
  }

  /** Sends one message (gzipped when `gzip` is on). */
  send(conn: Conn, message: unknown): void {
    if (conn.ws.readyState !== conn.ws.OPEN || conn.state.frozen) return;
    const text = JSON.stringify(message);
    conn.ws.send(this.gzip ? gzipSync(text) : text);
  }

  /** Runs `fn` after `ms` unless the connection has closed (the timer is cleared with it). */
  later(conn: Conn, ms: number, fn: () => void): void {
    const timer = setTimeout(() => {
      conn.timers.delete(timer);
      fn();
    }, ms);
    conn.timers.add(timer);
  }

  /** Cuts every connection without a close frame (the client sees 1006). */
  dropAll(code?: number, reason = ''): void {
    for (const c of this.conns) {
      if (code === undefined) c.ws.terminate();
      else c.ws.close(code, reason);
    }
  }

  /** Connections stay open at TCP level, but nothing is read or sent any more. */
  freeze(): void {
    for (const c of this.conns) {
      c.state.frozen = true;
      c.socket.pause();
      for (const t of c.timers) clearTimeout(t);
    }
  }

  async stop(): Promise<void> {
    const http = this.#http;
    const wss = this.#wss;
    this.#http = undefined;
    this.#wss = undefined;
    for (const c of this.conns) c.ws.terminate();
    if (wss) await new Promise<void>((r) => wss.close(() => r()));
    if (http) await new Promise<void>((r) => http.close(() => r()));
  }

  async restart(): Promise<void> {
    await this.stop();
    await this.start();
  }

  close(): Promise<void> {
    return this.stop();
  }
}
