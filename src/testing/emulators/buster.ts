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
import type { IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import type { WebSocket } from 'ws';
import { Harness, type HarnessConn, type Upgrade } from './harness.js';

export interface BusterConn extends HarnessConn {
  url: URL;
  headers: IncomingMessage['headers'];
  user: string;
  /** WebSocket pings the client sent (answered, never counted as activity). */
  pings: number;
  /** How the connection ended on the server's side, once it has: `idle`, `ping timeout` or `client`. */
  ended?: string;
  frozen: boolean;
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

export class BusterEmulator extends Harness<BusterConn, string> {
  readonly #o: Required<Omit<BusterOptions, 'users' | 'routes'>> & Pick<BusterOptions, 'users' | 'routes'>;

  constructor(options: BusterOptions = {}) {
    super(PATH); // the server's one WebSocket route (`server/src/main.rs` 59, `routes/mod.rs` 14, `routes/ws/mod.rs` 9)
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

  protected upgrade(url: URL, headers: IncomingMessage['headers']): Upgrade<string> {
    if (url.pathname !== PATH)
      return { refuse: 'HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n' }; // before auth: route_layer
    const auth = this.#authorize(url, headers);
    if (typeof auth === 'string') return { accept: auth };
    const extra = auth.closeCode
      ? `Sec-WebSocket-Protocol: close\r\nSec-WebSocket-Close-Code: ${auth.closeCode}\r\nSec-WebSocket-Close-Reason: ${auth.reason}\r\n`
      : '';
    return { refuse: `HTTP/1.1 ${auth.status} ${auth.text}\r\n${extra}Content-Length: 0\r\nConnection: close\r\n\r\n` };
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

  protected connect(
    ws: WebSocket,
    socket: Socket,
    url: URL,
    headers: IncomingMessage['headers'],
    user: string,
  ): BusterConn {
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
    ws.on('ping', () => {
      conn.pings++;
    });
    ws.on('pong', () => {
      pongAt = Date.now();
    });
    ws.on('close', () => {
      conn.ended ??= 'client';
      clearInterval(pinger);
      clearInterval(watch);
    });
    ws.on('message', (data, binary) => {
      if (binary || conn.frozen) return;
      lastText = Date.now();
      const message = this.read(conn, data);
      if (typeof message !== 'object' || message === null) return;
      const { route, payload } = message as { route?: unknown; payload?: unknown };
      if (typeof route !== 'string' || !('payload' in message)) return;
      this.#route(conn, route, payload);
    });
    return conn;
  }

  protected isFrozen(conn: BusterConn): boolean {
    return conn.frozen;
  }

  protected markFrozen(conn: BusterConn): void {
    conn.frozen = true;
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
    if (rest.length > 0) this.later(from, this.#o.stepMs, () => this.#stream(from, route, rest));
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
}

/** A Buster server on 127.0.0.1, port 0 (call `start()`). */
export function startBuster(options: BusterOptions = {}): BusterEmulator {
  return new BusterEmulator(options);
}
