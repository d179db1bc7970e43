import { words } from '#words';
import type { Codec } from './codec/codec.js';
import { jsonCodec } from './codec/json.js';
import { type BackoffPolicy, checkedPolicy } from './core/link/backoff.js';
import type { RetryContext } from './core/link/decide.js';
import type { HeartbeatOptions } from './core/link/heartbeat.js';
import { browserSignals, type NetworkSignals } from './core/link/signals.js';
import { type AckMode, LIFECYCLE } from './core/streams/delivery.js';
import { type Clock, systemClock } from './core/util/clock.js';
import { createLog, type Log, type Logger, type LogLevel } from './core/util/logger.js';
import type { Dialect } from './dialects/dialect.js';
import { EVENTWIRE } from './dialects/eventwire.js';
import { forClient } from './dialects/guard.js';
import { kind } from './errors/base.js';
import {
  checkGiven,
  checkHeaders,
  fail,
  type KeyWords,
  num,
  oneOf,
  optionObject,
  parseUrl,
  refuseUnknown,
  typed,
  withMethods,
} from './options-check.js';
import { frozenCopy, shareDefaults } from './options-shared.js';
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
  /** Credentials: a string, or a function called before every attempt (no stale token; '' from it is a TokenProviderError). */
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
  /**
   * How long (ms) after the socket opens a required greeting may take (`Infinity`: no limit); one
   * already waiting unread at the deadline (the process was busy) gets a grace of 50 ms (at most
   * this) to be read first. @default 10000 */
  handshakeTimeout?: number;
  /**
   * How long (ms) a connection attempt, token included, may take (`Infinity`: no limit); an open
   * already waiting unread at the deadline gets a grace of 50 ms (at most this) to be read first.
   * @default 10000 */
  connectTimeout?: number;
  /** Reconnect policy; see {@link BackoffPolicy}. @default DEFAULT_BACKOFF */
  backoff?: Partial<BackoffPolicy>;
  /**
   * Overrides the retry-or-stop decision for a close: `true` retries, `false` stops. Anything else
   * (a path that forgot its `return`) is reported as a `HookError`, and the default decision stands.
   * @default closeAction() decides */
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
  /** Default request timeout in ms (`Infinity`: none); also how long a subscribe waits for its confirmation before that is reported. @default 30000 */
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
   * The server's rate limit: at most `messages` frames written in any `per` ms, every frame
   * counted (pings and pongs too), on a monotonic clock. Frames beyond it wait in the bounded
   * outbox (in order) instead of going out, so the server never closes the link for
   * flooding; `stats().rateLimit` shows the wait. `false`: no limit.
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

/**
 * @internal Options with every default applied, frozen (nested option objects too): nothing
 * writes to them after {@link resolveOptions}. State a link learns (a greeting's heartbeat
 * interval) lives in the link.
 */
export interface ResolvedOptions {
  /** The URL as given (http(s) turned into ws(s)); see {@link attemptUrl}. */
  readonly url: string;
  readonly dialect: Dialect;
  /** The close-code table of the dialect (for {@link decide}). */
  readonly classify: (code: number, status: number | undefined) => CloseAction;
  readonly compression: boolean;
  readonly batchSize: number | undefined;
  readonly batchInterval: number | undefined;
  readonly token: string | (() => string | Promise<string>) | undefined;
  readonly auth: 'query' | 'message';
  readonly greeting: 'required' | 'optional' | 'none';
  readonly handshakeTimeout: number;
  readonly connectTimeout: number;
  readonly backoff: Readonly<BackoffPolicy>;
  readonly shouldRetry: ((context: RetryContext) => boolean) | undefined;
  readonly heartbeat: Readonly<HeartbeatOptions> | undefined;
  readonly lazy: boolean;
  /** Event schemas by name; undefined when none were given. */
  readonly schemas: ReadonlyMap<string, StandardSchemaV1> | undefined;
  readonly WebSocket: unknown;
  readonly transport: TransportFactory;
  readonly signals: NetworkSignals | undefined;
  readonly codec: Codec;
  readonly maxPayload: number;
  readonly maxBatchSize: number;
  readonly headers: Readonly<Record<string, string>> | undefined;
  readonly requestTimeout: number;
  readonly outboxSize: number;
  readonly acks: AckMode;
  /** The log, when `logger` is set. */
  readonly log: Log | undefined;
  readonly rateLimit: Readonly<RateLimit> | undefined;
  readonly dedupeWindow: number;
  readonly clock: Clock;
  readonly random: () => number;
}

/**
 * The number options that have a default, with it: each is a number > 0 (`outboxSize`: >= 0) and is checked and
 * defaulted by the same line of {@link resolveOptions}. The defaults are the `@default`s of {@link ClientOptions}.
 */
const NUMBERS = {
  handshakeTimeout: 10_000,
  connectTimeout: 10_000,
  requestTimeout: 30_000,
  maxMessageBytes: 16 * 1024 * 1024,
  maxDepth: 64,
  maxBatchSize: 10_000,
  dedupeWindow: 10_000,
  outboxSize: 1000,
} as const satisfies { [K in keyof ClientOptions]?: number };

/**
 * Every key of {@link ClientOptions} (with the number options of {@link NUMBERS}), checked against it by the
 * compiler (see {@link KeyWords}): the list cannot drift.
 */
const OTHER_KEYS =
  'url dialect token auth handshake backoff shouldRetry heartbeat lazy events on WebSocket headers transport acks logger logLevel rateLimit share shareKey signals compression batchSize batchInterval codec clock random';
OTHER_KEYS satisfies KeyWords<ClientOptions, typeof OTHER_KEYS, keyof typeof NUMBERS>;
const KNOWN = [...Object.keys(NUMBERS), ...OTHER_KEYS.split(' ')];

/**
 * The heartbeat's defaults, every key present (its type says so): also the list of known keys that
 * `heartbeat: { intervl: 5 }` is refused against. Frozen once: a client given no `heartbeat` holds
 * this very object (and without `backoff`, `DEFAULT_BACKOFF`: see `checkedPolicy`).
 */
const HEARTBEAT: Readonly<Required<HeartbeatOptions>> = Object.freeze({ interval: 25_000, timeout: 10_000 });
const RATE_LIMIT_KEYS = 'messages per';
RATE_LIMIT_KEYS satisfies KeyWords<RateLimit, typeof RATE_LIMIT_KEYS>;

/** One codec per distinct cap pair, shared by every client that uses it (they hold no state). */
const codecs = new Map<string, Codec>();
const sharedCodec = (maxMessageBytes: number, maxDepth: number): Codec => {
  const key = `${maxMessageBytes}/${maxDepth}`;
  const codec = codecs.get(key) ?? jsonCodec({ maxMessageBytes, maxDepth });
  codecs.set(key, codec);
  return codec;
};

/** `ResolvedOptions.classify`: one function for every client (a method in the literal would be one each). */
function classify(this: ResolvedOptions, code: number, status: number | undefined): CloseAction {
  return this.dialect.close(code, status);
}

/** @internal Validates and defaults the options once (the defaults read from one object every client shares). */
export const resolveOptions = (options: ClientOptions<EventSchemas>): ResolvedOptions =>
  shareDefaults(resolveAll(options), () => resolveAll({ url: 'ws://localhost/' }));
function resolveAll(options: ClientOptions<EventSchemas>): ResolvedOptions {
  checkGiven(options);
  refuseUnknown('', options, KNOWN);
  refuseUnknownListeners(options);
  const base = parseUrl(options.url);
  const token = options.token;
  if (token === '' || (token !== undefined && typeof token !== 'string' && typeof token !== 'function')) {
    const got = token === '' ? 'an empty string (leave token out for none)' : kind(token); // its kind only: a secret
    fail(words ? `token must be a non-empty string or a function returning one, got ${got}` : `token: ${got}`);
  }
  const dialect = forClient(options.dialect ?? EVENTWIRE);
  // a factory given uncalled: `dialect: querri` for `querri()`; or its name: `dialect: 'querri'`
  if (typeof dialect === 'function' || typeof dialect === 'string')
    fail('dialect', words ? 'what a factory returns (querri(), not querri)' : 'a Dialect', dialect);
  // a hook missing (a HookError at each call), or a liveness without its mode (a TypeError no listener caught)
  const live = withMethods('dialect', dialect, DIALECT_HOOKS).liveness;
  if (!(live?.mode === 'ws' ? live.fallback : live)?.mode) fail('dialect.liveness', 'a Liveness', live);
  // a hand-built dialect's fields, as its type has them: `protocols: 'x'` offered the string's letters one by one
  oneOf('dialect.greeting', dialect.greeting, ['required', 'optional', 'auth', 'none']);
  oneOf('dialect.resume', dialect.resume, ['seq', 'time', 'none']);
  const { protocols } = dialect;
  if (protocols !== undefined && !Array.isArray(protocols)) {
    const got = kind(protocols); // its kind only: a token?
    fail(words ? `dialect.protocols must be an array of subprotocol names, got ${got}` : `dialect.protocols: ${got}`);
  }
  const auth = oneOf('auth', options.auth ?? dialect.tokenIn, ['query', 'message']);
  const handshake = options.handshake && oneOf('handshake', options.handshake, ['welcome', 'none']);
  // without the option, the frozen defaults themselves: one object for every client
  const backoff = checkedPolicy(options.backoff, 'backoff', 'backoff.');
  let heartbeat: HeartbeatOptions | undefined;
  if (options.heartbeat !== false) {
    heartbeat =
      options.heartbeat === undefined
        ? HEARTBEAT
        : { ...HEARTBEAT, ...optionObject('heartbeat', options.heartbeat, Object.keys(HEARTBEAT)) };
    num('heartbeat.interval', heartbeat.interval, 0);
    num('heartbeat.timeout', heartbeat.timeout, 0, true);
    if (heartbeat.interval === 0) heartbeat = undefined;
  }
  let schemas: Map<string, StandardSchemaV1> | undefined;
  const { events } = options; // `events: 5` would be no schemas without a word; a string, schemas named 0, 1...
  if (events != null && kind(events) !== 'an object') fail('events', '{ [event]: schema }', events);
  for (const [name, schema] of Object.entries(events ?? {})) {
    if (typeof schema?.['~standard']?.validate !== 'function')
      fail(`events.${name}`, words ? 'a Standard Schema (zod, valibot, arktype...)' : 'a Standard Schema', schema);
    schemas ??= new Map();
    schemas.set(name, schema);
  }
  const numbers = {} as Record<keyof typeof NUMBERS, number>;
  for (const key in NUMBERS) {
    const k = key as keyof typeof NUMBERS;
    numbers[k] = num(k, options[k] ?? NUMBERS[k], 0, k !== 'outboxSize');
  }
  const { maxMessageBytes, maxDepth, ...resolvedNumbers } = numbers;
  if (options.batchSize !== undefined) num('batchSize', options.batchSize, 1, false, true);
  if (options.batchInterval !== undefined) num('batchInterval', options.batchInterval, 0);
  // the option, else the dialect's (a hand-built dialect's `messages: 0` was kept): the limit the outbox applies
  const at = options.rateLimit === undefined ? 'dialect.' : '';
  const rateLimit = at ? dialect.rateLimit : options.rateLimit;
  if (rateLimit !== undefined && rateLimit !== false) {
    if (kind(rateLimit) !== 'an object') fail(`${at}rateLimit`, '{ messages, per } or false', rateLimit);
    refuseUnknown(`${at}rateLimit.`, rateLimit, RATE_LIMIT_KEYS.split(' '));
    num(`${at}rateLimit.messages`, rateLimit.messages, 1, false, true);
    num(`${at}rateLimit.per`, rateLimit.per, 0, true);
  }
  if (options.share !== undefined) oneOf('share', options.share, ['tabs']);
  const shareKey = options.shareKey;
  if (shareKey !== undefined && (typeof shareKey !== 'string' || shareKey === ''))
    fail('shareKey', 'a non-empty string', shareKey);
  return {
    url: base,
    dialect,
    classify,
    compression: typed('compression', options.compression, 'boolean') === true,
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
    backoff: Object.freeze(backoff),
    shouldRetry: typed('shouldRetry', options.shouldRetry, 'function'),
    heartbeat: heartbeat && Object.freeze(heartbeat),
    lazy: typed('lazy', options.lazy, 'boolean') ?? false,
    schemas,
    WebSocket: typed('WebSocket', options.WebSocket, 'function'),
    transport: typed('transport', options.transport, 'function') ?? createWebSocketTransport,
    signals:
      options.signals === false
        ? undefined
        : (withMethods('signals', options.signals, 'isOnline subscribe') ?? browserSignals()),
    codec: withMethods('codec', options.codec, 'decode encode') ?? sharedCodec(maxMessageBytes, maxDepth),
    // ws buffers a whole frame before anyone sees it: a frame over the cap but within this
    // bound is read and dropped with a DecodeError; beyond it, ws closes the link (1009).
    maxPayload: 2 * maxMessageBytes + 65_536,
    headers: frozenCopy(checkHeaders(options.headers)),
    acks: oneOf('acks', options.acks ?? 'auto', ['auto', 'manual']),
    log: createLog(options.logger, options.logLevel, options.headers),
    // `false`: none, even where the dialect sets one
    rateLimit: rateLimit === false ? undefined : frozenCopy(rateLimit),
    clock: withMethods('clock', options.clock, 'now setTimeout clearTimeout') ?? systemClock,
    random: typed('random', options.random, 'function') ?? Math.random,
    ...resolvedNumbers,
  };
}

const DIALECT_HOOKS = 'read params auth subscribe unsubscribe ping ack request close'; // a Dialect's, each a function

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

/**
 * With schemas, `on` names lifecycle events and schema names only (as its type says): `on: { eror }` is refused,
 * not a listener for a server event nobody sends. Without schemas any name may be a server event's.
 */
function refuseUnknownListeners({ on, events }: ClientOptions<EventSchemas>): void {
  if (on == null) return;
  if (kind(on) !== 'an object') fail('on', '{ [event]: listener }', on);
  if (events) refuseUnknown('on.', on, [...LIFECYCLE, ...Object.keys(events)], 'event');
  for (const [name, listener] of Object.entries(on)) typed(`on.${name}`, listener, 'function');
}
