/**
 * The reference server: protocol v1 on `ws`, with controls for tests (publish, restart,
 * drop, freeze, token expiry). It listens on 127.0.0.1, port 0 unless told otherwise.
 */
import { EventEmitter } from 'node:events';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type WebSocket, WebSocketServer } from 'ws';
import { compileFilters, type FilterPredicate, parseFilters, subscriptionMatches } from '../protocol/filters.js';
import { ClientMessageSchema, CloseCode, PROTOCOL_VERSION, SUBPROTOCOL } from '../protocol/index.js';
import type { ClientMessage, SubscribeMessage } from '../protocol/types.js';
import { flushBatch, negotiate, sendEvent, sendFrame } from './encoder.js';
import { answerRequest } from './reference-methods.js';
import {
  type Conn,
  type ConnectionInfo,
  drop,
  later,
  type PublishInput,
  replayPlan,
  type ServerEvent,
  type ServerOptions,
  wants,
} from './reference-types.js';

export type { ConnectionInfo, PublishInput, ServerEvent, ServerOptions } from './reference-types.js';

/** The reason of the close 4003 for a connection that gave no token in time (`authTimeout`). */
const NO_TOKEN = 'no token: none on the URL and no auth message in time';
const NOT_JSON = Symbol('not JSON');

export class ReferenceServer extends EventEmitter<{
  connection: [ConnectionInfo];
  authed: [ConnectionInfo];
  message: [ConnectionInfo, ClientMessage];
  frame: [ConnectionInfo, unknown]; // every frame a client sent: its JSON parsed, or its text
  disconnect: [ConnectionInfo, number];
}> {
  /** Every connection ever accepted, in order. */
  readonly history: ConnectionInfo[] = [];
  readonly tokens = new Map<string, 'valid' | 'expired'>();
  #conns = new Set<Conn>();
  #http: Server | undefined;
  #wss: WebSocketServer | undefined;
  #port: number;
  #host: string;
  #seq = 0;
  #nextId = 1;
  #opts: ServerOptions;
  #authRequired: boolean;
  /** The replay buffer, oldest first. */
  #buffer: ServerEvent[] = [];
  /** Events sent with requires_ack and not acked yet, by message_id. */
  #unacked = new Map<string, { event: ServerEvent; timer: ReturnType<typeof setTimeout> }>();
  /** Answers by request id, so a repeated id is answered without running the method again. */
  #responses = new Map<string, string>();
  #loseResponses = 0;
  #ignoreAcks = 0;
  /** How many times each method actually ran. */
  readonly calls = new Map<string, number>();
  /** Acks received, in order. */
  readonly acks: string[] = [];

  constructor(options: ServerOptions = {}) {
    super();
    this.#opts = options;
    this.#port = options.port ?? 0;
    this.#host = options.host ?? '127.0.0.1';
    this.#authRequired = options.tokens !== undefined;
    for (const t of options.tokens ?? []) this.tokens.set(t, 'valid');
  }

  get port(): number {
    return this.#port;
  }
  get url(): string {
    return `ws://${this.#host}:${this.#port}`;
  }
  /** Live connections. */
  get connections(): ConnectionInfo[] {
    return [...this.#conns];
  }
  get running(): boolean {
    return this.#http !== undefined;
  }

  async start(): Promise<this> {
    const http = createServer(this.#opts.http ?? ((_req, res) => res.writeHead(426).end('websocket only')));
    // eventwire.v1 selected when offered (then it always greets or closes 4001/4003); none offered: served the same
    const wss = new WebSocketServer({ server: http, handleProtocols: (p) => p.has(SUBPROTOCOL) && SUBPROTOCOL });
    wss.on('connection', (ws, req) => this.#accept(ws, req));
    await new Promise<void>((resolve, reject) => {
      http.once('error', reject);
      http.listen(this.#port, this.#host, () => {
        http.off('error', reject);
        resolve();
      });
    });
    this.#port = (http.address() as AddressInfo).port;
    this.#http = http;
    this.#wss = wss;
    return this;
  }

  /** Stops listening and cuts every connection (the client sees 1006). `restart()` keeps the stream state. */
  async stop(keepState = false): Promise<void> {
    const http = this.#http;
    const wss = this.#wss;
    this.#http = undefined;
    this.#wss = undefined;
    for (const c of this.#conns) this.#drop(c, 1006);
    if (!keepState) {
      for (const { timer } of this.#unacked.values()) clearTimeout(timer);
      this.#unacked.clear();
    }
    if (wss) await new Promise<void>((r) => wss.close(() => r()));
    if (http) {
      http.closeAllConnections();
      await new Promise<void>((r) => http.close(() => r()));
    }
  }

  /** Stops for good: also the re-delivery timers. */
  close(): Promise<void> {
    return this.stop(false);
  }

  /** Stops, stays down `downtime` ms, and listens again on the same port. */
  async restart({ downtime = 0 }: { downtime?: number } = {}): Promise<void> {
    await this.stop(true);
    if (downtime > 0) await new Promise((r) => setTimeout(r, downtime));
    await this.start();
  }

  /** Closes every connection with `code` (1006 cuts the TCP connection with no close frame). */
  dropAll(code = 1006, reason = ''): void {
    for (const c of this.#conns) this.#drop(c, code, reason);
  }

  /** Current connections stay open at TCP level but the server stops reading and answering. */
  freeze(): void {
    for (const c of this.#conns) {
      c.frozen = true;
      c.socket.pause();
      for (const t of c.timers) clearTimeout(t);
    }
  }

  /** Marks a token expired and closes its connections with 4001. */
  expireToken(token: string): void {
    this.tokens.set(token, 'expired');
    for (const c of this.#conns) if (c.token === token) this.#drop(c, CloseCode.TokenExpired, 'token expired');
  }

  addToken(token: string): void {
    this.tokens.set(token, 'valid');
  }

  /** The seq of the newest event published. */
  get head(): number {
    return this.#seq;
  }

  /**
   * A gap: the replay buffer is emptied and `count` seqs pass unsent, so a subscription that
   * resumes from before now is confirmed with `gap` (what it missed, which nobody will replay).
   */
  forget(count = 1): void {
    this.#buffer = [];
    this.#seq += count;
  }

  /** Message ids still waiting for an ack. */
  get unacked(): string[] {
    return [...this.#unacked.keys()];
  }

  /**
   * Publishes an event: it gets the next seq, enters the replay buffer, and goes to every
   * authenticated connection whose subscriptions match it (all of them before a first
   * subscribe). With `requires_ack` it is re-sent until acked. Returns it as sent.
   */
  publish(input: PublishInput): ServerEvent {
    const event: ServerEvent = {
      event_type: input.event_type,
      timestamp: input.timestamp ?? new Date().toISOString(),
      data: 'data' in input ? input.data : {},
      metadata: input.metadata ?? {},
      seq: ++this.#seq,
      ...(input.message_id ? { message_id: input.message_id, requires_ack: input.requires_ack ?? true } : {}),
    };
    this.#buffer.push(event);
    if (this.#buffer.length > (this.#opts.bufferSize ?? 1000)) this.#buffer.shift();
    for (const c of this.#conns) if (c.authed && wants(c, event)) sendEvent(c, event);
    if (event.requires_ack && event.message_id) this.#awaitAck(event);
    return event;
  }

  /** The next ack is ignored, as if lost on the way: the event will be re-delivered. */
  ignoreNextAck(): void {
    this.#ignoreAcks++;
  }

  /** The next response is computed (the method runs) but the connection drops instead of sending it. */
  loseNextResponse(): void {
    this.#loseResponses++;
  }

  #awaitAck(event: ServerEvent) {
    const id = event.message_id as string;
    const redeliver = () => {
      for (const c of this.#conns) if (c.authed && wants(c, event)) sendEvent(c, event);
      const entry = this.#unacked.get(id);
      if (entry) entry.timer = setTimeout(redeliver, this.#opts.ackTimeout ?? 1000);
    };
    clearTimeout(this.#unacked.get(id)?.timer);
    this.#unacked.set(id, { event, timer: setTimeout(redeliver, this.#opts.ackTimeout ?? 1000) });
  }

  /** Sends a frame as it is; `{ binary: false }` sends bytes as a text frame (invalid UTF-8 included). */
  sendRaw(frame: string | Buffer, options: { binary?: boolean } = {}): void {
    for (const c of this.#conns) if (!c.frozen) c.ws.send(frame, options.binary === undefined ? {} : options);
  }

  #accept(ws: WebSocket, req: IncomingMessage) {
    const url = new URL(req.url ?? '/', 'ws://x');
    const conn: Conn = {
      id: this.#nextId++,
      url: req.url ?? '/',
      token: url.searchParams.get('token') ?? undefined,
      authed: false,
      frozen: false,
      openedAt: Date.now(),
      received: [],
      subscriptions: new Map(),
      everSubscribed: false,
      sent: { text: 0, binary: 0 },
      encoding: negotiate(url.searchParams),
      batch: [],
      batchTimer: undefined,
      ws,
      socket: req.socket,
      timers: new Set(),
    };
    this.#conns.add(conn);
    this.history.push(conn);
    ws.on('error', () => {});
    ws.on('close', (code) => {
      this.#conns.delete(conn);
      clearTimeout(conn.batchTimer);
      for (const t of conn.timers) clearTimeout(t);
      this.emit('disconnect', conn, code);
    });
    ws.on('message', (data, isBinary) => this.#receive(conn, data.toString(), isBinary));
    this.emit('connection', conn);

    if (!this.#authRequired) this.#authenticate(conn);
    else if (conn.token !== undefined) this.#checkToken(conn, conn.token);
    else later(conn, this.#opts.authTimeout ?? 5000, () => this.#drop(conn, CloseCode.Forbidden, NO_TOKEN));
  }

  #checkToken(conn: Conn, token: string) {
    conn.token = token;
    const status = this.tokens.get(token);
    if (status === 'valid') this.#authenticate(conn);
    else if (status === 'expired') this.#drop(conn, CloseCode.TokenExpired, 'token expired');
    else this.#drop(conn, CloseCode.Forbidden, 'invalid token');
  }

  #authenticate(conn: Conn) {
    for (const t of conn.timers) clearTimeout(t);
    conn.timers.clear();
    conn.authed = true;
    this.#control(
      conn,
      JSON.stringify({
        type: 'welcome',
        session_id: `s-${conn.id}`,
        heartbeat_interval: this.#opts.heartbeatInterval ?? 25_000,
        protocol: PROTOCOL_VERSION,
        server_time: new Date().toISOString(),
      }),
    );
    if (this.#opts.pingInterval) {
      const ping = () => {
        this.#control(conn, JSON.stringify({ type: 'ping', ts: Date.now() }));
        later(conn, this.#opts.pingInterval ?? 0, ping);
      };
      later(conn, this.#opts.pingInterval, ping);
    }
    this.emit('authed', conn);
  }

  #receive(conn: Conn, text: string, isBinary: boolean) {
    if (conn.frozen) return;
    let value: unknown = NOT_JSON;
    try {
      value = JSON.parse(text);
    } catch {}
    this.emit('frame', conn, value === NOT_JSON ? text : value); // v1's messages or not (TestServer.received)
    if (value === NOT_JSON) return this.#error(conn, 'bad_json', 'frame is not JSON');
    const parsed = ClientMessageSchema.safeParse(value);
    if (isBinary || !parsed.success) return this.#error(conn, 'bad_message', 'not a protocol v1 client message');
    const msg = parsed.data;
    conn.received.push(msg);
    this.emit('message', conn, msg);
    if ('type' in msg && msg.type === 'auth') {
      if (!conn.authed) this.#checkToken(conn, msg.token);
      return;
    }
    if (!conn.authed) return this.#drop(conn, CloseCode.Forbidden, 'auth required');
    if (!('type' in msg)) return this.#request(conn, msg.id, msg.method, msg.params);
    switch (msg.type) {
      case 'ping':
        return this.#control(
          conn,
          JSON.stringify(msg.ts === undefined ? { type: 'pong' } : { type: 'pong', ts: msg.ts }),
        );
      case 'subscribe':
        return this.#subscribe(conn, msg);
      case 'unsubscribe':
        conn.subscriptions.delete(msg.id);
        return this.#control(conn, JSON.stringify({ type: 'unsubscribed', id: msg.id }));
      case 'ack': {
        this.acks.push(msg.message_id);
        if (this.#ignoreAcks > 0) {
          this.#ignoreAcks--;
          return;
        }
        const entry = this.#unacked.get(msg.message_id);
        if (entry) clearTimeout(entry.timer);
        this.#unacked.delete(msg.message_id);
        return;
      }
      default:
        return;
    }
  }

  /**
   * Registers the subscription, confirms it with the stream head (and the gap it cannot
   * replay), replays what the client missed, then re-sends unacked events it already had.
   */
  #subscribe(conn: Conn, msg: SubscribeMessage) {
    let predicate: FilterPredicate;
    try {
      predicate = compileFilters(parseFilters(msg.filters));
    } catch (e) {
      return this.#control(
        conn,
        JSON.stringify({ type: 'error', code: 'bad_filter', message: (e as Error).message, id: msg.id }),
      );
    }
    const sub = { events: new Set(msg.events), predicate };
    conn.subscriptions.set(msg.id, sub);
    conn.everSubscribed = true;
    const since = msg.since;
    const { replay, gap } = replayPlan(this.#buffer, this.#seq, since);
    this.#control(
      conn,
      JSON.stringify({ type: 'subscribed', id: msg.id, events: msg.events, seq: this.#seq, ...(gap ? { gap } : {}) }),
    );
    const matches = (e: ServerEvent) => subscriptionMatches(sub.events, predicate, e.event_type, e);
    for (const e of replay) if (matches(e)) sendEvent(conn, e);
    const replayedFrom = typeof since === 'number' ? since : Number.POSITIVE_INFINITY;
    for (const { event } of this.#unacked.values()) {
      if (event.seq <= replayedFrom && matches(event)) sendEvent(conn, event);
    }
  }

  #request(conn: Conn, id: string, method: string, params: unknown) {
    const frame = answerRequest(this.#responses, this.calls, this.#opts.methods, id, method, params);
    if (this.#loseResponses > 0) {
      this.#loseResponses--;
      return this.#drop(conn, 1006);
    }
    const delay = this.#opts.slowMethods?.[method];
    if (delay === undefined) return this.#control(conn, frame);
    later(conn, delay, () => this.#control(conn, frame));
  }

  #error(conn: Conn, code: string, message: string) {
    this.#control(conn, JSON.stringify({ type: 'error', code, message }));
  }

  /** Sends a control message: the pending batch goes first, so order is kept. */
  #control(conn: Conn, frame: string) {
    flushBatch(conn);
    sendFrame(conn, frame);
  }

  #drop(conn: Conn, code: number, reason = '') {
    drop(conn, code, reason);
  }
}

/** Starts a reference server (port 0 unless given). */
export function startServer(options: ServerOptions = {}): Promise<ReferenceServer> {
  return new ReferenceServer(options).start();
}
