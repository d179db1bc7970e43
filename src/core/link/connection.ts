import { EventwireError } from '../../errors/base.js';
import { ConnectionError, TimeoutError, TokenProviderError } from '../../errors/errors.js';
import { attemptUrl, type ResolvedOptions } from '../../options.js';
import type { Transport, TransportEvents } from '../../transport/transport.js';
import type { ConnectionState, LifecycleEvents } from '../../types.js';
import type { Outbox } from '../outbox/outbox.js';
import { decide } from './decide.js';
import { createHeartbeat, createServerPacedHeartbeat, type Heartbeat, type HeartbeatIo } from './heartbeat.js';
import type { NetworkSignal } from './signals.js';

/** A socket closed this soon (ms) after it opened, with nothing heard, was dropped at once. */
const DROPPED_AT_ONCE = 1_000;

/** @internal What the connection needs from the client around it. */
export interface ConnectionHost {
  readonly options: ResolvedOptions;
  readonly outbox: Outbox;
  emit<K extends keyof LifecycleEvents>(type: K, payload: LifecycleEvents[K]): void;
  report(error: EventwireError): void;
  /** A frame from the current link. */
  frame(data: string | ArrayBuffer | Uint8Array | Blob, text: boolean): void;
  /** The link went down (subscriptions fall back to pending). */
  linkLost(): void;
  /** The event names the client listens to, or undefined for all (some dialects put them on the URL). */
  interest(): readonly string[] | undefined;
  /** The client stopped for good; `error` is what stopped it, undefined for `close()`. */
  stopped(error: EventwireError | undefined, code: number, reason: string): void;
}

/**
 * @internal The connection's state machine: attempts, timers, token, heartbeat, network
 * signals and the retry decision ({@link decide}). One timer slot serves the phase the
 * link is in (retry delay, connect timeout, greeting timeout); the heartbeat has its own.
 * Every attempt has an id: a token, socket or timer that belongs to an older attempt finds
 * a newer id and is ignored.
 */
export class Connection implements TransportEvents, HeartbeatIo {
  state: ConnectionState = 'idle';
  sessionId: string | undefined;
  heartbeat: Heartbeat | undefined;
  /** The token of the current attempt (for an auth message). */
  token: string | undefined;
  readonly #host: ConnectionHost;
  readonly #transport: Transport;
  #id = 0;
  #attempt = 0;
  #lastWasRefresh = false;
  #lastWasRefusal = false;
  /** When the current socket opened (clock ms), and whether anything came on it since. */
  #socketAt = 0;
  #heard = false;
  /** Consecutive sockets dropped right after they opened (see #droppedAtOnce). */
  #drops = 0;
  #openedAt = 0;
  #timer: unknown;
  /** The socket of the current attempt is open (the link may still await its greeting). */
  #socketUp = false;
  /** How the running heartbeat probes: the dialect's ping, a protocol ping, or not at all. */
  #probe: 'client' | 'keepalive' | 'ws' | 'none' = 'none';
  #waitingForNetwork = false;
  #stopSignals: (() => void) | undefined;

  constructor(host: ConnectionHost) {
    this.#host = host;
    const { options } = host;
    this.#transport = options.transport(
      { WebSocket: options.WebSocket, maxPayload: options.maxPayload, headers: options.headers },
      this,
    );
  }

  // TransportEvents: the current socket's events (the transport drops those of older ones).

  onOpen(): void {
    this.#socketOpen();
  }

  onMessage(data: string | ArrayBuffer | Uint8Array | Blob, text: boolean): void {
    this.#heard = true;
    this.#drops = 0; // the server talks: a streak of drops ends
    if (this.heartbeat) this.heartbeat.received();
    this.#host.frame(data, text);
    if (this.state === 'connecting') this.openIfWaiting(); // any frame, even one no dialect reads, opens an optional greeting
  }

  onClose(code: number, reason: string, error?: unknown, status?: number): void {
    this.#droppedAtOnce(code);
    this.#ended(this.#id, code, reason, error, status);
  }

  onPong(): void {
    this.#heard = true;
    this.heartbeat?.pong();
  }

  // HeartbeatIo: the running heartbeat belongs to the current link (it is stopped with it).

  ping(): void {
    if (this.#probe === 'ws') this.#transport.ping?.();
    else if (this.#probe !== 'none') {
      const ping = this.#host.options.dialect.ping();
      if (ping) this.#transport.send(this.#host.options.codec.encode(ping));
      // a keepalive is never answered: a WebSocket ping's pong proves life where one can go, else nothing is awaited
      if (this.#probe === 'keepalive' && !this.#transport.ping?.()) this.heartbeat?.received();
    }
  }

  dead(silent: number): void {
    this.#transport.close(4000, 'heartbeat timeout');
    this.#ended(this.#id, 1006, `heartbeat timeout: nothing received for ${silent} ms`);
  }

  /** Whether a link is up or being made. */
  get live(): boolean {
    return this.state === 'connecting' || this.state === 'open';
  }

  /** Sends a frame on the link as it is now; false when there is none. */
  send(frame: string): boolean {
    if (this.#probe === 'none') this.heartbeat?.received(); // servers that restart their ping timer on client frames
    return this.#transport.send(frame);
  }

  connect(): void {
    if (this.state !== 'idle' && this.state !== 'closed') return;
    this.#attempt = 0;
    this.#lastWasRefresh = false;
    this.#lastWasRefusal = false;
    this.#stopSignals = this.#host.options.signals?.subscribe((signal) => this.#signal(signal));
    this.#start();
  }

  reconnect(): void {
    if (this.state === 'idle' || this.state === 'closed') {
      this.connect();
      return;
    }
    this.#linkDown();
    this.#attempt = 0;
    this.#transport.close(4000, 'reconnect');
    this.#start();
  }

  close(code: number, reason: string): void {
    if (this.state === 'idle' || this.state === 'closed') {
      this.#setState('closed');
      return;
    }
    const wasOpen = this.state === 'open';
    this.#halt();
    this.#transport.close(code, reason);
    this.#host.stopped(undefined, code, reason);
    this.#setState('closed');
    if (wasOpen) this.#host.emit('close', { code, reason, willReconnect: false });
  }

  /** The greeting arrived: the link is open, with what it says of the session. */
  greeted(sessionId: string | undefined, heartbeatInterval: number | undefined): void {
    this.sessionId = sessionId;
    const heartbeat = this.#host.options.heartbeat;
    if (heartbeatInterval !== undefined && heartbeat)
      heartbeat.interval = Math.min(heartbeat.interval, heartbeatInterval);
    if (this.state === 'connecting' && this.#socketUp) this.#open();
  }

  /** Any message but the greeting: with an optional greeting, the link is open from now on. */
  openIfWaiting(): void {
    if (this.state === 'connecting' && this.#socketUp && this.#host.options.greeting !== 'required') this.#open();
  }

  /** The server refused the credentials on an open socket (an auth command's answer). */
  refused(reason: string): void {
    if (!this.live) return;
    this.#transport.close(1000, 'authentication refused');
    this.#ended(this.#id, 4003, reason);
  }

  #start(): void {
    const { options } = this.#host;
    const { clock } = options;
    clock.clearTimeout(this.#timer);
    this.#waitingForNetwork = false;
    this.#setState('connecting');
    const id = ++this.#id;
    this.token = undefined;
    this.#timer = clock.setTimeout(
      () => this.#fail(id, 'connect timeout', new TimeoutError(`no connection within ${options.connectTimeout} ms`)),
      options.connectTimeout,
    );
    if (options.token === undefined) {
      this.#dial(id, undefined);
      return;
    }
    let token: string | Promise<string>;
    try {
      token = typeof options.token === 'string' ? options.token : options.token();
    } catch (cause) {
      queueMicrotask(() => this.#fail(id, 'token provider failed', new TokenProviderError(cause)));
      return;
    }
    Promise.resolve(token).then(
      (value) => {
        if (id !== this.#id) return;
        if (typeof value !== 'string') {
          const error = new TypeError(`token provider returned ${typeof value}`);
          this.#fail(id, 'token provider failed', new TokenProviderError(error));
          return;
        }
        this.token = value;
        this.#dial(id, value);
      },
      (cause: unknown) => this.#fail(id, 'token provider failed', new TokenProviderError(cause)),
    );
  }

  /** Opens the attempt's socket (the debug log names the URL, the token redacted). */
  #dial(id: number, token: string | undefined): void {
    const { options } = this.#host;
    const url = attemptUrl(options, token, this.#host.interest());
    if (options.log) {
      options.log.secret = token;
      options.log.write('debug', `attempt ${id}: ${url}`);
    }
    this.#transport.connect(url);
  }

  #fail(id: number, reason: string, error: EventwireError): void {
    if (id !== this.#id || this.state !== 'connecting') return;
    this.#transport.close(4000, reason);
    this.#ended(id, 1006, reason, error);
  }

  #socketOpen(): void {
    if (this.state !== 'connecting') return;
    const { options, outbox } = this.#host;
    options.clock.clearTimeout(this.#timer);
    this.#socketUp = true;
    this.#socketAt = options.clock.now();
    this.#heard = false;
    outbox.socketOpen();
    if (options.greeting === 'none') {
      this.#open();
      return;
    }
    const id = this.#id;
    this.#timer =
      options.greeting === 'required'
        ? options.clock.setTimeout(
            () =>
              this.#fail(
                id,
                'handshake timeout',
                new TimeoutError(
                  `no greeting from the ${options.dialect.name} server within ${options.handshakeTimeout} ms`,
                ),
              ),
            options.handshakeTimeout,
          )
        : options.clock.setTimeout(() => this.openIfWaiting(), options.dialect.greetingGrace);
  }

  #open(): void {
    const { options, outbox } = this.#host;
    options.clock.clearTimeout(this.#timer);
    this.#openedAt = options.clock.now();
    this.#startLiveness();
    this.#setState('open');
    outbox.ready();
    this.#host.emit('open', { sessionId: this.sessionId });
  }

  /** Starts the heartbeat the dialect's liveness calls for (none with `heartbeat: false`). */
  #startLiveness(): void {
    const { options } = this.#host;
    const heartbeat = options.heartbeat;
    let liveness = options.dialect.liveness;
    if (liveness.mode === 'ws') liveness = this.#transport.ping?.() ? liveness : liveness.fallback;
    if (!heartbeat || liveness.mode === 'none') return;
    this.#probe = liveness.mode === 'server' ? 'none' : liveness.mode;
    this.heartbeat =
      liveness.mode === 'server'
        ? createServerPacedHeartbeat({ interval: liveness.interval, timeout: heartbeat.timeout }, options.clock, this)
        : createHeartbeat(heartbeat, options.clock, this, liveness.mode === 'client' && liveness.provenOnly === true);
  }

  /**
   * A socket the server accepted and dropped at once, with no close frame and nothing said
   * (mdb_engine, a token with a bad signature), again and again: it is retried like any
   * failure, and reported once per streak (from the second such attempt in a row), so that it
   * does not look like a hang. A lone drop is an ordinary network failure.
   */
  #droppedAtOnce(code: number): void {
    const { options } = this.#host;
    const after = options.clock.now() - this.#socketAt;
    const atOnce = code === 1006 && this.#socketUp && !this.#heard && this.live && after < DROPPED_AT_ONCE;
    if (!atOnce) {
      this.#drops = 0;
      return;
    }
    if (++this.#drops !== 2) return;
    const host = new URL(options.url).host;
    this.#host.report(
      new ConnectionError(
        `the ${options.dialect.name} server at ${host} accepted the connection and dropped it ${Math.round(after)} ms later, ` +
          'twice in a row, with no close frame and no message: some servers (mdb_engine) do this for a token they refuse, so check the token',
        this.#attempt + 1,
      ),
    );
  }

  /** The attempt or link `id` ended: ask {@link decide} whether to retry, refresh or stop. */
  #ended(id: number, code: number, reason: string, error?: unknown, status?: number): void {
    if (id !== this.#id || !this.live) return;
    // a failed attempt's close has no reason: the network error is one (ECONNREFUSED, ENOTFOUND...)
    if (!reason && error instanceof Error && !(error instanceof EventwireError)) reason = error.message;
    const { options } = this.#host;
    const uptime = this.state === 'open' ? options.clock.now() - this.#openedAt : undefined;
    this.#linkDown();
    const decision = decide(
      {
        code,
        reason,
        error,
        status,
        attempt: this.#attempt,
        uptime,
        lastWasRefresh: this.#lastWasRefresh,
        lastWasRefusal: this.#lastWasRefusal,
        refreshable: typeof options.token === 'function',
      },
      options,
    );
    this.#attempt = decision.attempt;
    this.#lastWasRefresh = decision.lastWasRefresh;
    this.#lastWasRefusal = decision.lastWasRefusal;
    if (error instanceof EventwireError) this.#host.report(error);
    if (decision.hookError) this.#host.report(decision.hookError);
    const stop = 'stop' in decision ? decision.stop : undefined;
    this.#host.emit('close', { code, reason, willReconnect: stop === undefined });
    if (stop) {
      this.#halt();
      this.#host.stopped(stop, code, reason);
      this.#setState('closed');
      this.#host.report(stop);
      return;
    }
    this.#setState('reconnecting');
    const delay = 'retryIn' in decision ? decision.retryIn : 0;
    this.#host.emit('reconnecting', { attempt: this.#attempt, delay });
    if (options.signals && !options.signals.isOnline()) this.#waitingForNetwork = true;
    else this.#timer = options.clock.setTimeout(() => this.#start(), delay);
  }

  #linkDown(): void {
    this.#id++;
    this.#socketUp = false;
    this.#host.options.clock.clearTimeout(this.#timer);
    this.heartbeat?.stop();
    this.heartbeat = undefined;
    this.#probe = 'none';
    this.sessionId = undefined;
    this.#host.outbox.down();
    this.#host.linkLost();
  }

  #halt(): void {
    this.#linkDown();
    this.#waitingForNetwork = false;
    this.#stopSignals?.();
    this.#stopSignals = undefined;
  }

  #setState(to: ConnectionState): void {
    const from = this.state;
    if (from === to) return;
    this.state = to;
    this.#host.emit('state', { from, to });
  }

  #signal(signal: NetworkSignal): void {
    if (signal === 'offline') {
      if (this.state === 'reconnecting' && !this.#waitingForNetwork) {
        this.#host.options.clock.clearTimeout(this.#timer);
        this.#waitingForNetwork = true;
      } else this.heartbeat?.check();
      return;
    }
    if (this.state === 'reconnecting' && (signal === 'online' || this.#waitingForNetwork)) this.#start();
    else this.heartbeat?.check();
  }
}
