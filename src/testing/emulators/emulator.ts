/**
 * A small WebSocket server harness for the seed emulators: 127.0.0.1, port 0, with the
 * fault controls the conformance suite needs (drop, freeze, restart) and a record of what
 * each connection sent. Each emulator in this folder adds one seed's wire format.
 */
import type { IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import type { WebSocket } from 'ws';
import { Harness, type HarnessConn, type Upgrade } from './harness.js';

export interface Conn extends HarnessConn {
  url: URL;
  headers: IncomingMessage['headers'];
  /** Seed-specific state (`frozen` once `freeze()` ran). */
  state: Record<string, unknown>;
}

export interface EmulatorHooks {
  /** An HTTP status to refuse the upgrade with, or undefined to accept. */
  refuse?(url: URL, headers: IncomingMessage['headers']): number | undefined;
  open?(conn: Conn): void;
  message?(conn: Conn, message: unknown): void;
}

/** A seed's server from its hooks: refuse an upgrade, greet a connection, answer a message. */
export class Emulator extends Harness<Conn> {
  readonly #hooks: EmulatorHooks;

  constructor(hooks: EmulatorHooks) {
    super();
    this.#hooks = hooks;
  }

  protected upgrade(url: URL, headers: IncomingMessage['headers']): Upgrade {
    const status = this.#hooks.refuse?.(url, headers);
    return status
      ? { refuse: `HTTP/1.1 ${status} Refused\r\nContent-Length: 0\r\nConnection: close\r\n\r\n` }
      : { accept: true };
  }

  protected connect(ws: WebSocket, socket: Socket, url: URL, headers: IncomingMessage['headers']): Conn {
    const conn: Conn = { ws, socket, url, headers, received: [], state: {}, timers: new Set() };
    ws.on('message', (data, binary) => {
      if (!binary) this.#hooks.message?.(conn, this.read(conn, data));
    });
    return conn;
  }

  protected override opened(conn: Conn): void {
    this.#hooks.open?.(conn);
  }

  protected isFrozen(conn: Conn): boolean {
    return Boolean(conn.state.frozen);
  }

  protected markFrozen(conn: Conn): void {
    conn.state.frozen = true;
  }
}
