/**
 * Buster's WebSocket server, rebuilt in Node from its Rust source (buster-so/buster at
 * 8776476b; facts carried over, no code), with its timings shrinkable:
 * - The route: `/api/v1/ws` only; any other path is HTTP 404, before auth (`server/src/main.rs`
 *   59, `server/src/routes/mod.rs` 9-17, `routes/ws/mod.rs` 9).
 * - Auth (`apps/api/libs/middleware/src/auth.rs`): the token is `Authorization: Bearer <jwt>`
 *   (or the bare header value), else `?authentication=` (54-85). No token, or one that does not
 *   decode (invalid or expired), is HTTP 401 with `Sec-WebSocket-Close-Code: 4001` and a
 *   `Sec-WebSocket-Close-Reason` (40-48, 80-83, 90-93); a token that decodes to no user (a
 *   revoked API key) is a bare 401 (89); an organisation that must pay is 402 (115-123).
 * - The socket (`apps/api/server/src/routes/ws/ws.rs`): every message goes as a text frame of
 *   `{route, event, payload, sent_by, error, send_method}` JSON (78-86, 449-450); the server
 *   pings every 15 s and closes when a pong is 5 s late (42-43, 260-291); it closes a link on
 *   which no text frame came for 900 s (41, 335-340), counting a text frame before parsing it
 *   (299-301); pings, pongs and binary frames do not count (313-323); a text frame that is not
 *   `{route, payload}` is dropped (301), as is a route it does not know (`ws_router.rs` 41-45,
 *   `chats/chats_router.rs` 78-83) and a payload it cannot read (`chats_router.rs` 68,
 *   `ws_router.rs` 54-56): no answer.
 * - Fan-out (`ws.rs` 224-250, 401-575; `ws_utils.rs` 33-81): each connection reads its user's
 *   stream from the moment it connected, so every message for the user reaches every
 *   connection of that user that is up.
 * - `/chats/post` (`chats/post_chat.rs`): `asset_id` without `asset_type` is one `postThread`
 *   error `BAD_REQUEST` (27-36); else `initializeChat`, `generating…` messages and `complete`,
 *   sent with `send_method: "All"`, `sent_by: null` (45-79); a failure midway is a `postThread`
 *   error `INTERNAL_SERVER_ERROR` (80-96). Here the prompt `fail` fails after `initializeChat`.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { gzipSync } from 'node:zlib';
import { type WebSocket, WebSocketServer } from 'ws';

export interface BusterConn {
  ws: WebSocket;
  socket: Socket;
  url: URL;
  headers: IncomingMessage['headers'];
  user: string;
  /** Every text frame the client sent, parsed (or as text when it is not JSON). */
  received: unknown[];
  /** WebSocket pings the client sent (answered, never counted as activity). */
  pings: number;
  /** How the connection ended on the server's side, once it has: `idle`, `ping timeout` or `client`. */
  ended?: string;
  frozen: boolean;
  timers: Set<ReturnType<typeof setTimeout>>;
}

/** One message of a route's answer: `WsResponseMessage` without `route`. */
export interface BusterStep {
  event: string;
  payload?: unknown;
  error?: { code: string; message: string };
  sent_by?: { id: string; name: string } | null;
  send_method?: 'SenderOnly' | 'AllButSender' | 'All';
}

export interface BusterOptions {
  /** JWTs that decode, each to its user (the token itself unless `users` names another). */
  tokens?: string[];
  /** Token → user id, for several tokens of one user. */
  users?: Record<string, string>;
  /** Tokens that decode to no user (a revoked API key): a bare HTTP 401. */
  noUser?: string[];
  /** Tokens whose organisation must pay: HTTP 402. */
  paymentRequired?: string[];
  /** Also read `?token=`, as the server does not (for tests of clients that are not Buster's). @default false */
  tokenParam?: boolean;
  /** ms without a text frame from the client before the server closes the link. @default 900_000 */
  clientTimeout?: number;
  /** ms between the server's WebSocket pings. @default 15_000 */
  pingInterval?: number;
  /** ms the server waits for a pong. @default 5_000 */
  pingTimeout?: number;
  /** ms between the messages of a chat. @default 2 */
  stepMs?: number;
  /** More routes (older servers had many): each returns the messages it answers with, or undefined to drop the request. */
  routes?: Record<string, (payload: unknown, conn: BusterConn) => BusterStep[] | undefined>;
}

const PATH = '/api/v1/ws';
const CHAT_ID = '00000000-0000-4000-8000-000000000001';

export class BusterEmulator {
  readonly history: BusterConn[] = [];
  readonly conns = new Set<BusterConn>();
  /** Send messages as gzip binary frames (as the seed's rules described) instead of text. */
  gzip = false;
  /** Called with every text message a client sent, parsed. */
  onMessage: ((conn: BusterConn, message: unknown) => void) | undefined;
  /** Called when a connection opens or closes. */
  onConnections: (() => void) | undefined;
  #http: Server | undefined;
  #wss: WebSocketServer | undefined;
  #port = 0;
  readonly #o: Required<Omit<BusterOptions, 'users' | 'routes'>> & Pick<BusterOptions, 'users' | 'routes'>;

  constructor(options: BusterOptions = {}) {
    this.#o = {
      tokens: ['jwt'],
      noUser: [],
      paymentRequired: [],
      tokenParam: false,
      clientTimeout: 900_000,
      pingInterval: 15_000,
      pingTimeout: 5_000,
      stepMs: 2,
      ...options,
    };
  }

  /** The server's one WebSocket route (`server/src/main.rs` 59, `routes/mod.rs` 14, `routes/ws/mod.rs` 9). */
  get url(): string {
    return `ws://127.0.0.1:${this.#port}${PATH}`;
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
      if (url.pathname !== PATH) {
        socket.end('HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n'); // before auth: route_layer
        return;
      }
      const auth = this.#authorize(url, req.headers);
      if (typeof auth !== 'string') {
        const extra = auth.closeCode
          ? `Sec-WebSocket-Protocol: close\r\nSec-WebSocket-Close-Code: ${auth.closeCode}\r\nSec-WebSocket-Close-Reason: ${auth.reason}\r\n`
          : '';
        socket.end(`HTTP/1.1 ${auth.status} ${auth.text}\r\n${extra}Content-Length: 0\r\nConnection: close\r\n\r\n`);
        return;
      }
      wss.handleUpgrade(req, socket, head, (ws) => this.#accept(ws, socket as Socket, url, req.headers, auth));
    });
    await new Promise<void>((resolve) => http.listen(this.#port, '127.0.0.1', resolve));
    this.#port = (http.address() as AddressInfo).port;
    this.#http = http;
    this.#wss = wss;
    return this;
  }

  /** The user the upgrade is for, or the refusal (auth.rs 32-148). */
  #authorize(url: URL, headers: IncomingMessage['headers']) {
    const o = this.#o;
    const header = headers.authorization;
    let token = header?.startsWith('Bearer ') ? header.split(/\s+/)[1] : header;
    token ??= url.searchParams.get('authentication') ?? undefined;
    if (token === undefined && o.tokenParam) token = url.searchParams.get('token') ?? undefined;
    if (token === undefined) return { status: 401, text: 'Unauthorized', closeCode: 4001, reason: 'No token found' };
    if (o.noUser.includes(token)) return { status: 401, text: 'Unauthorized' };
    if (o.paymentRequired.includes(token)) return { status: 402, text: 'Payment Required' };
    if (!o.tokens.includes(token)) return { status: 401, text: 'Unauthorized', closeCode: 4001, reason: 'invalid jwt' };
    return o.users?.[token] ?? token;
  }

  #accept(ws: WebSocket, socket: Socket, url: URL, headers: IncomingMessage['headers'], user: string): void {
    const o = this.#o;
    const conn: BusterConn = {
      ws,
      socket,
      url,
      headers,
      user,
      received: [],
      pings: 0,
      frozen: false,
      timers: new Set(),
    };
    this.conns.add(conn);
    this.history.push(conn);
    let lastText = Date.now();
    let pingedAt: number | undefined;
    let pongAt = Date.now();
    const end = (why: string) => {
      conn.ended ??= why;
      ws.close(); // Message::Close(None): a close frame without a code
    };
    const pinger = setInterval(() => {
      if (conn.frozen) return;
      ws.ping(Buffer.from([1]));
      pingedAt = Date.now();
    }, o.pingInterval);
    const watch = setInterval(
      () => {
        if (conn.frozen) return;
        const now = Date.now();
        if (now - lastText > o.clientTimeout) end('idle');
        else if (pingedAt !== undefined && pongAt < pingedAt && now - pingedAt > o.pingTimeout) end('ping timeout');
      },
      Math.min(100, Math.max(5, o.clientTimeout / 20)),
    );
    ws.on('error', () => {});
    ws.on('ping', () => {
      conn.pings++;
    });
    ws.on('pong', () => {
      pongAt = Date.now();
    });
    ws.on('close', () => {
      conn.ended ??= 'client';
      this.conns.delete(conn);
      clearInterval(pinger);
      clearInterval(watch);
      for (const t of conn.timers) clearTimeout(t);
      this.onConnections?.();
    });
    this.onConnections?.();
    ws.on('message', (data, binary) => {
      if (binary || conn.frozen) return;
      lastText = Date.now();
      const text = data.toString();
      let message: unknown = text;
      try {
        message = JSON.parse(text);
      } catch {}
      conn.received.push(message);
      this.onMessage?.(conn, message);
      if (typeof message !== 'object' || message === null) return;
      const { route, payload } = message as { route?: unknown; payload?: unknown };
      if (typeof route !== 'string' || !('payload' in message)) return;
      this.#route(conn, route, payload);
    });
  }

  #route(conn: BusterConn, route: string, payload: unknown): void {
    const extra = this.#o.routes?.[route];
    if (extra) {
      const steps = extra(payload, conn);
      if (steps) this.#stream(conn, route, steps);
      return;
    }
    if (route !== '/chats/post') return;
    if (typeof payload !== 'object' || payload === null || Array.isArray(payload)) return;
    const req = payload as { prompt?: unknown; asset_id?: unknown; asset_type?: unknown };
    if (req.prompt !== undefined && req.prompt !== null && typeof req.prompt !== 'string') return;
    const sentBy = { id: conn.user, name: conn.user };
    if (req.asset_id != null && req.asset_type == null) {
      const error = { code: 'BAD_REQUEST', message: 'asset_type must be provided when asset_id is specified' };
      this.#stream(conn, route, [
        { event: 'postThread', payload: null, error, sent_by: sentBy, send_method: 'SenderOnly' },
      ]);
      return;
    }
    const chat = { id: CHAT_ID, title: '', message_ids: ['m-1'], prompt: req.prompt ?? null };
    const all = { sent_by: null, send_method: 'All' } as const;
    const steps: BusterStep[] = [{ event: 'initializeChat', payload: chat, ...all }];
    if (req.prompt === 'fail') {
      const error = { code: 'INTERNAL_SERVER_ERROR', message: 'Error processing thread: the model is down' };
      steps.push({ event: 'postThread', payload: null, error, sent_by: sentBy, send_method: 'SenderOnly' });
    } else {
      steps.push(
        { event: 'generatingReasoningMessage', payload: { chat_id: CHAT_ID, reasoning: 'thinking' }, ...all },
        { event: 'generatingResponseMessage', payload: { chat_id: CHAT_ID, chunk: 'Revenue ' }, ...all },
        { event: 'generatingResponseMessage', payload: { chat_id: CHAT_ID, chunk: 'grew.' }, ...all },
        { event: 'generatingTitle', payload: { chat_id: CHAT_ID, title: 'Revenue', progress: 'completed' }, ...all },
        { event: 'complete', payload: { ...chat, title: 'Revenue' }, ...all },
      );
    }
    this.#stream(conn, route, steps);
  }

  /** Sends `steps` one by one, `stepMs` apart, to every connection of the sender's user. */
  #stream(from: BusterConn, route: string, steps: BusterStep[]): void {
    const [step, ...rest] = steps;
    if (!step) return;
    this.publish(from.user, { route, ...step });
    if (rest.length > 0) this.#later(from, this.#o.stepMs, () => this.#stream(from, route, rest));
  }

  #later(conn: BusterConn, ms: number, fn: () => void): void {
    const timer = setTimeout(() => {
      conn.timers.delete(timer);
      fn();
    }, ms);
    conn.timers.add(timer);
  }

  /** A message to every connection of `user` that is up, in the server's field order. */
  publish(user: string, m: BusterStep & { route: string }): void {
    const wire = {
      route: m.route,
      event: m.event,
      payload: m.payload ?? null,
      sent_by: m.sent_by ?? null,
      error: m.error ?? null,
      send_method: m.send_method ?? 'All',
    };
    for (const conn of this.conns) if (conn.user === user) this.send(conn, wire);
  }

  /** A message pushed to every connection (every user's stream): route, event, payload. */
  push(route: string, event: string, payload: unknown): void {
    for (const user of new Set([...this.conns].map((c) => c.user))) this.publish(user, { route, event, payload });
  }

  /** Sends one message as a text frame (gzip binary with `gzip`). */
  send(conn: BusterConn, message: unknown): void {
    if (conn.ws.readyState !== conn.ws.OPEN || conn.frozen) return;
    const text = JSON.stringify(message);
    conn.ws.send(this.gzip ? gzipSync(text) : text);
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
      c.frozen = true;
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

/** A Buster server on 127.0.0.1, port 0 (call `start()`). */
export function startBuster(options: BusterOptions = {}): BusterEmulator {
  return new BusterEmulator(options);
}
