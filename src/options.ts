import type { Codec } from './codec/codec.js';
import { jsonCodec } from './codec/json.js';
import { type BackoffPolicy, DEFAULT_BACKOFF } from './core/link/backoff.js';
import type { RetryContext } from './core/link/decide.js';
import type { HeartbeatOptions } from './core/link/heartbeat.js';
import { browserSignals, type NetworkSignals } from './core/link/signals.js';
import { checkRateLimit } from './core/outbox/rate.js';
import type { AckMode } from './core/streams/delivery.js';
import { type Clock, systemClock } from './core/util/clock.js';
import { createLog, type Log, type Logger, type LogLevel } from './core/util/logger.js';
import type { Dialect } from './dialects/dialect.js';
import { eventwire } from './dialects/eventwire.js';
import { forClient } from './dialects/guard.js';
import { OptionsError } from './errors/errors.js';
import type { CloseAction } from './protocol/close-codes.js';
import type { RateLimit } from './protocol/rate-limit.js';
import type { StandardSchemaV1 } from './protocol/standard-schema.js';
import type { TransportFactory } from './transport/transport.js';
import { createWebSocketTransport } from './transport/websocket.js';
import type { EventSchemas, InitialListeners } from './types.js';

/**
 * Options of {@link createClient}. Only `url` is required.
 *
 * @example
 * ```ts
 * createClient({ url: 'wss://events.example.com/ws', token: () => auth.getToken(), auth: 'message' });
 * ```
 */
export interface ClientOptions<E extends EventSchemas = EventSchemas, M extends AckMode = AckMode> {
  /** Server URL, `ws(s)://` or `http(s)://` (converted). */
  url: string | URL;
  /** Credentials: a string, or a function called before every attempt so reconnects never reuse a stale token. */
  token?: string | (() => string | Promise<string>);
  /**
   * The server's wire format: eventwire's protocol v1, or one of `eventwire/dialects`
   * (`provisioning()`, `querri()`, `forge()`, `mdb()`, `buster()`), or your own.
   * @default eventwire()
   */
  dialect?: Dialect;
  /** How the token travels: on the URL, or in a first message. @default the dialect's (`'query'` for protocol v1) */
  auth?: 'query' | 'message';
  /**
   * What marks the connection open. `'welcome'`: wait for the dialect's greeting (protocol v1:
   * `{type:"welcome"}`), so `open` means authenticated. `'none'`: the socket opening.
   * @default the dialect's: for protocol v1, the welcome if it comes, else the first frame, else 1 s of silence
   */
  handshake?: 'welcome' | 'none';
  /** How long (ms) after the socket opens a required greeting may take. @default 10000 */
  handshakeTimeout?: number;
  /** How long (ms) a connection attempt, token included, may take. @default 10000 */
  connectTimeout?: number;
  /** Reconnect policy; see {@link BackoffPolicy}. @default DEFAULT_BACKOFF */
  backoff?: Partial<BackoffPolicy>;
  /** Overrides the retry-or-stop decision for a close. @default closeAction() decides */
  shouldRetry?: (context: RetryContext) => boolean;
  /** Ping settings, or `false` to disable. @default { interval: 25000, timeout: 10000 } */
  heartbeat?: Partial<HeartbeatOptions> | false;
  /** Connect on first use (a listener for a server event, or `connect()`) instead of at once. @default false */
  lazy?: boolean;
  /** Standard Schema validators for event data, by name; handlers are typed from them. @default {} */
  events?: E;
  /** Listeners registered before anything happens, so no early event is missed. @default {} */
  on?: InitialListeners<E, M>;
  /** WebSocket constructor. @default `ws` in Node (through isomorphic-ws), the global WebSocket elsewhere */
  WebSocket?: unknown;
  /**
   * Headers on the upgrade request, for servers that read `Authorization` or a cookie
   * (mdb_engine takes its token by cookie). Node only (`ws`): browsers send their cookies by
   * themselves and cannot set headers on a WebSocket; there an `OptionsError` says so.
   * @default none
   * @example `createClient({ url, dialect: mdb(), headers: { cookie: `ws_token=${jwt}` } })`
   */
  headers?: Record<string, string>;
  /** Transport factory. @default createWebSocketTransport */
  transport?: TransportFactory;
  /** Default request timeout in ms. @default 30000 */
  requestTimeout?: number;
  /** Messages and requests held while disconnected; beyond it they are refused (`QueueFullError`). @default 1000 */
  outboxSize?: number;
  /** How events with `requires_ack` are acknowledged; see {@link AckMode}. @default 'auto' */
  acks?: M;
  /**
   * A debug log, off by default: `console`, or a function of the level and the line (see
   * {@link Logger}). Like socket.io's `DEBUG`, without an environment variable. A token never
   * appears in a line.
   * @default false
   * @example `createClient({ url, logger: console, logLevel: 'debug' })`
   */
  logger?: Logger | false;
  /** The least important lines written; see {@link LogLevel}. @default 'info' */
  logLevel?: LogLevel;
  /**
   * The server's rate limit: at most `messages` sent in any `per` ms. Messages beyond it wait
   * in the bounded outbox (in order) instead of going out, so the server never closes the
   * link for flooding; `stats().rateLimit` shows the wait. `false`: no limit.
   * @default the dialect's: `querri()` 10 a second, `provisioning()` 100 a second, none otherwise
   * @example `createClient({ url, rateLimit: { messages: 10, per: 1000 } })`
   */
  rateLimit?: RateLimit | false;
  /**
   * `'tabs'`: the tabs of one origin that make a client with the same share key hold one
   * connection between them. The tab holding a Web Lock leads and owns the socket; the others
   * run their clients over it through a `BroadcastChannel`, each with the full API. When the
   * leader's tab closes, another takes over within moments and every tab resumes from its
   * own cursors. Where Web Locks or BroadcastChannel are missing (Node), the client has its
   * own socket and `stats().share` says why. The code loads on demand: unused, it costs nothing.
   * @default none (one connection per client)
   * @example `createClient({ url, token: getToken, share: 'tabs' })`
   */
  share?: 'tabs';
  /** Which clients share a connection. @default the url and the dialect's name */
  shareKey?: string;
  /** Size of each dedupe window (message ids, seqs): re-deliveries within it are recognised. @default 10000 */
  dedupeWindow?: number;
  /** Network and visibility hints, or `false` for none. @default browserSignals() in browsers */
  signals?: NetworkSignals | false;
  /** Ask the server for gzip-compressed binary frames (`compression=true` on the URL). @default false */
  compression?: boolean;
  /** Ask the server to batch up to this many events a frame (`batch_size=N`). @default the server's choice */
  batchSize?: number;
  /** Ask the server to flush a batch after this many ms (`batch_interval=MS`). @default the server's choice */
  batchInterval?: number;
  /** Largest frame accepted, after inflation, in bytes; larger ones are dropped with a `DecodeError`. @default 16 MiB */
  maxMessageBytes?: number;
  /** Deepest JSON nesting accepted in a frame. @default 64 */
  maxDepth?: number;
  /** Most events one batch frame may hold; a larger batch is refused whole with one `DecodeError`. @default 10000 */
  maxBatchSize?: number;
  /** Frame format. @default jsonCodec({ maxMessageBytes, maxDepth }) */
  codec?: Codec;
  /** Time source for timing logic (tests). @default systemClock */
  clock?: Clock;
  /** Random source for jitter (tests). @default Math.random */
  random?: () => number;
}

/** @internal Options with every default applied. */
export interface ResolvedOptions {
  /** The URL as given (http(s) turned into ws(s)); see {@link attemptUrl}. */
  url: string;
  dialect: Dialect;
  /** The close-code table of the dialect (for {@link decide}). */
  classify: (code: number, status: number | undefined) => CloseAction;
  compression: boolean;
  batchSize: number | undefined;
  batchInterval: number | undefined;
  token: string | (() => string | Promise<string>) | undefined;
  auth: 'query' | 'message';
  greeting: 'required' | 'optional' | 'none';
  handshakeTimeout: number;
  connectTimeout: number;
  backoff: BackoffPolicy;
  shouldRetry: ((context: RetryContext) => boolean) | undefined;
  heartbeat: HeartbeatOptions | undefined;
  lazy: boolean;
  /** Event schemas by name; undefined when none were given. */
  schemas: Map<string, StandardSchemaV1> | undefined;
  WebSocket: unknown;
  transport: TransportFactory;
  signals: NetworkSignals | undefined;
  codec: Codec;
  maxPayload: number;
  maxBatchSize: number;
  headers: Record<string, string> | undefined;
  requestTimeout: number;
  outboxSize: number;
  acks: AckMode;
  /** The log, when `logger` is set. */
  log: Log | undefined;
  rateLimit: RateLimit | undefined;
  dedupeWindow: number;
  clock: Clock;
  random: () => number;
}

const KNOWN = new Set([
  'url',
  'dialect',
  'token',
  'auth',
  'handshake',
  'handshakeTimeout',
  'connectTimeout',
  'backoff',
  'shouldRetry',
  'heartbeat',
  'lazy',
  'events',
  'on',
  'WebSocket',
  'headers',
  'transport',
  'requestTimeout',
  'outboxSize',
  'acks',
  'logger',
  'logLevel',
  'rateLimit',
  'share',
  'shareKey',
  'dedupeWindow',
  'signals',
  'compression',
  'batchSize',
  'batchInterval',
  'maxMessageBytes',
  'maxDepth',
  'maxBatchSize',
  'codec',
  'clock',
  'random',
]);

/** One codec per distinct cap pair, shared by every client that uses it (they hold no state). */
const codecs = new Map<string, Codec>();
const sharedCodec = (maxMessageBytes: number, maxDepth: number): Codec => {
  const key = `${maxMessageBytes}/${maxDepth}`;
  let codec = codecs.get(key);
  if (!codec) {
    codec = jsonCodec({ maxMessageBytes, maxDepth });
    codecs.set(key, codec);
  }
  return codec;
};

/** @internal Validates and defaults the options once, at construction. */
export function resolveOptions(options: ClientOptions<EventSchemas>): ResolvedOptions {
  if (typeof options !== 'object' || options === null) throw new OptionsError('options must be an object with a url');
  const unknown = Object.keys(options).filter((key) => !KNOWN.has(key));
  if (unknown.length > 0)
    throw new OptionsError(`unknown option${unknown.length > 1 ? 's' : ''}: ${unknown.join(', ')}`);
  const base = parseUrl(options.url);
  const token = options.token;
  if (token !== undefined && typeof token !== 'string' && typeof token !== 'function') {
    throw new OptionsError('token must be a string or a function returning one');
  }
  const dialect = forClient(options.dialect ?? eventwire());
  if (typeof dialect?.read !== 'function') throw new OptionsError('dialect must be a Dialect (see eventwire/dialects)');
  const auth = oneOf('auth', options.auth ?? dialect.tokenIn, ['query', 'message'] as const);
  const handshake = options.handshake && oneOf('handshake', options.handshake, ['welcome', 'none'] as const);
  const backoff = { ...DEFAULT_BACKOFF, ...options.backoff };
  for (const key of ['minDelay', 'maxDelay', 'minUptime'] as const) nonNegative(`backoff.${key}`, backoff[key]);
  if (!(backoff.factor >= 1)) throw new OptionsError(`backoff.factor must be >= 1, got ${backoff.factor}`);
  if (backoff.maxDelay < backoff.minDelay) throw new OptionsError('backoff.maxDelay must be >= backoff.minDelay');
  if (!(backoff.maxRetries >= 0)) throw new OptionsError('backoff.maxRetries must be >= 0');
  oneOf('backoff.jitter', backoff.jitter, ['full', 'equal', 'none'] as const);
  let heartbeat: HeartbeatOptions | undefined;
  if (options.heartbeat !== false) {
    heartbeat = { interval: 25_000, timeout: 10_000, ...options.heartbeat };
    nonNegative('heartbeat.interval', heartbeat.interval);
    positive('heartbeat.timeout', heartbeat.timeout);
    if (heartbeat.interval === 0) heartbeat = undefined;
  }
  let schemas: Map<string, StandardSchemaV1> | undefined;
  for (const [name, schema] of Object.entries(options.events ?? {})) {
    if (typeof schema?.['~standard']?.validate !== 'function') {
      throw new OptionsError(`events.${name} must be a Standard Schema (zod, valibot, arktype...)`);
    }
    schemas ??= new Map();
    schemas.set(name, schema);
  }
  const maxPayload = positive('maxMessageBytes', options.maxMessageBytes ?? 16 * 1024 * 1024);
  const maxDepth = positive('maxDepth', options.maxDepth ?? 64);
  checkNegotiation(options);
  return {
    url: base,
    dialect,
    classify(code, status) {
      return this.dialect.close(code, status);
    },
    compression: options.compression === true,
    batchSize: options.batchSize,
    batchInterval: options.batchInterval,
    token,
    auth,
    greeting:
      handshake === 'welcome'
        ? 'required'
        : handshake === 'none'
          ? 'none'
          : dialect.greeting === 'auth'
            ? token === undefined || auth !== 'message'
              ? 'none'
              : 'required'
            : dialect.greeting,
    handshakeTimeout: positive('handshakeTimeout', options.handshakeTimeout ?? 10_000),
    connectTimeout: positive('connectTimeout', options.connectTimeout ?? 10_000),
    backoff,
    shouldRetry: options.shouldRetry,
    heartbeat,
    lazy: options.lazy ?? false,
    schemas,
    WebSocket: options.WebSocket,
    transport: options.transport ?? createWebSocketTransport,
    signals: options.signals === false ? undefined : (options.signals ?? browserSignals()),
    codec: options.codec ?? sharedCodec(maxPayload, maxDepth),
    // ws buffers a whole frame before anyone sees it: a frame over the cap but within this
    // bound is read and dropped with a DecodeError; beyond it, ws closes the link (1009).
    maxPayload: 2 * maxPayload + 65_536,
    maxBatchSize: positive('maxBatchSize', options.maxBatchSize ?? 10_000),
    headers: checkHeaders(options.headers),
    requestTimeout: positive('requestTimeout', options.requestTimeout ?? 30_000),
    outboxSize: nonNegative('outboxSize', options.outboxSize ?? 1000),
    acks: oneOf('acks', options.acks ?? 'auto', ['auto', 'manual'] as const),
    log: createLog(options.logger, options.logLevel),
    rateLimit: checkRateLimit(options.rateLimit, dialect.rateLimit),
    dedupeWindow: positive('dedupeWindow', options.dedupeWindow ?? 10_000),
    clock: options.clock ?? systemClock,
    random: options.random ?? Math.random,
  };
}

/** @internal The URL of one attempt: the dialect's parameters (token, events, negotiation) added. */
export function attemptUrl(
  options: ResolvedOptions,
  token: string | undefined,
  events: readonly string[] | undefined,
): string {
  const params = options.dialect.params({
    token: options.auth === 'query' ? token : undefined,
    events,
    compression: options.compression,
    batchSize: options.batchSize,
    batchInterval: options.batchInterval,
  });
  if (params.length === 0) return options.url;
  const url = new URL(options.url);
  for (const [key, value] of params) url.searchParams.set(key, value);
  return url.toString();
}

/** Validates the negotiation options (the dialect names them on the URL). */
function checkNegotiation(options: ClientOptions<EventSchemas>): void {
  if (options.batchSize !== undefined && (!Number.isInteger(options.batchSize) || options.batchSize < 1))
    throw new OptionsError('batchSize must be an integer >= 1');
  if (options.batchInterval !== undefined) nonNegative('batchInterval', options.batchInterval);
}

function checkHeaders(headers: unknown): Record<string, string> | undefined {
  if (headers === undefined) return undefined;
  if (typeof headers !== 'object' || headers === null || Object.values(headers).some((v) => typeof v !== 'string'))
    throw new OptionsError('headers must be an object of header name: string value');
  if (typeof process === 'undefined' || typeof process.versions?.node !== 'string')
    throw new OptionsError('headers are for Node (ws); browsers send their cookies by themselves');
  return headers as Record<string, string>;
}

function parseUrl(input: unknown): string {
  let url: URL;
  try {
    url = new URL(String(input));
  } catch {
    throw new OptionsError(`url must be an absolute ws:// or wss:// URL, got ${JSON.stringify(String(input))}`);
  }
  if (url.protocol === 'http:') url.protocol = 'ws:';
  else if (url.protocol === 'https:') url.protocol = 'wss:';
  if (url.protocol !== 'ws:' && url.protocol !== 'wss:') {
    throw new OptionsError(`url must start with ws:// or wss://, got ${url.protocol}//`);
  }
  if (url.hash) throw new OptionsError(`url must not have a #fragment (WebSocket URLs cannot), got ${url.hash}`);
  return url.toString();
}

function oneOf<T extends string>(name: string, value: T, allowed: readonly T[]): T {
  if (!allowed.includes(value))
    throw new OptionsError(
      `${name} must be ${allowed.map((a) => `'${a}'`).join(' or ')}, got ${JSON.stringify(value)}`,
    );
  return value;
}

function nonNegative(name: string, value: number): number {
  if (typeof value !== 'number' || !(value >= 0)) throw new OptionsError(`${name} must be a number >= 0, got ${value}`);
  return value;
}

function positive(name: string, value: number): number {
  if (typeof value !== 'number' || !(value > 0)) throw new OptionsError(`${name} must be a number > 0, got ${value}`);
  return value;
}
