import type { Dialect } from '../../dialects/dialect.js';
import { V1_SEEN } from '../../dialects/shared.js';
import { EventwireError } from '../../errors/base.js';
import { attemptUrl, type ResolvedOptions } from '../../options.js';
import type { EventwireEvent } from '../../protocol/event.js';
import type { Transport, TransportEvents } from '../../transport/transport.js';
import type { ConnectionState } from '../../types.js';
import { Outbox, type OutboxLink } from '../outbox/outbox.js';
import { AuthMessage, describeFrame, fetchToken } from './attempt.js';
import { Attempts } from './attempts.js';
import { stuckLink } from './failure.js';
import type { LinkHost } from './host.js';
import { Inbox, type InboxSink } from './inbox.js';
import { Liveness, type LivenessLink } from './liveness.js';
import type { NetworkSignal } from './signals.js';

/**
 * @internal The link, end to end: the transport, the inbox that reads its frames (this is the dialect's sink), the
 * heartbeat, the attempts and their retry decision ({@link Attempts}) and the outbox, the one door every frame the
 * client writes leaves by. It handles every link-level message itself (greeting, refused credentials, ping and its
 * answer, pong, undecodable frames) and hands the client core ({@link LinkHost}) only what concerns the client.
 *
 * One timer slot serves the phase the link is in (retry delay, connect timeout, greeting timeout): the attempts'
 * (a `PhaseTimer`); the heartbeat has its own. A timeout fails the attempt only after a grace (see
 * `PhaseTimer.deadline`): an open or greeting already in the socket is read first. Every attempt has an id: a
 * token, socket or timer that belongs to an older attempt finds a newer id and is ignored.
 */
export class Connection implements TransportEvents, InboxSink, OutboxLink, LivenessLink {
  #state: ConnectionState = 'idle';
  #sessionId: string | undefined;
  #greetedOn = -1; // the link (`#id`) that heard its greeting: a repeated one is ignored, not a new session
  /** Everything that waits for the link, and the door out (see {@link Connection.transmit}). */
  readonly outbox: Outbox;
  readonly #options: ResolvedOptions;
  readonly #host: LinkHost;
  readonly #transport: Transport;
  readonly #inbox: Inbox;
  readonly #liveness: Liveness;
  /** The token of the current attempt (for an auth message). */
  #token: string | undefined;
  #id = 0;
  /** The current attempt's handshake, and what the run of attempts carries (retry state). */
  readonly #attempts: Attempts;
  #openedAt = 0;
  /** The socket of the current attempt is open (the link may still await its greeting). */
  #socketUp = false;
  #waitingForNetwork = false;
  #stopSignals: (() => void) | undefined;

  /** `dialect`: the client's (guarded) dialect, the one `options` name; `host`: the client core. */
  constructor(options: ResolvedOptions, dialect: Dialect, host: LinkHost) {
    this.#options = options;
    this.#host = host;
    this.#attempts = new Attempts(options);
    this.outbox = new Outbox(options.outboxSize, this, options.rateLimit, options.clock);
    this.#inbox = new Inbox(options.codec, dialect, this, options.maxPayload);
    const { WebSocket, maxPayload, headers } = options;
    this.#transport = options.transport({ WebSocket, maxPayload, headers, protocols: dialect.protocols }, this);
    this.#liveness = new Liveness(this, this.#transport, options);
    const encode = (message: object) => options.codec.encode(message);
    if (options.auth === 'message' && options.token)
      this.outbox.hold(new AuthMessage(() => this.#token, dialect, encode));
  }

  /** InboxSink: the most members a batch may have. */
  get maxBatchSize(): number {
    return this.#options.maxBatchSize;
  }

  /** The link's {@link ConnectionState}. */
  get state(): ConnectionState {
    return this.#state;
  }

  /** The session id the greeting gave, while the link is up. */
  get sessionId(): string | undefined {
    return this.#sessionId;
  }

  /** The liveness figures: `heartbeat.rtt`, the last measured ping round-trip time in ms, if any. */
  get heartbeat(): { readonly rtt: number | undefined } {
    return this.#liveness;
  }

  // OutboxLink: the one door out.

  /** Writes one frame on the link as it is now (false: none): every text frame, through the outbox; the log sees all. */
  transmit(frame: string): boolean {
    this.#liveness.wrote();
    const sent = this.#transport.send(frame);
    if (sent && this.#options.log?.on('debug')) this.#options.log.write('debug', `send ${frame}`);
    return sent;
  }

  /** Whether the socket holds too much unsent to take a frame: the outbox then waits (`Liveness.backedUp`). */
  backedUp(): boolean {
    return this.#liveness.backedUp();
  }

  /** Frames counted instead of reported, after a `DialectMismatchError` named their dialect. */
  get mismatchedFrames(): number {
    return this.#inbox.mismatched;
  }

  // TransportEvents: the current socket's events (the transport drops those of older ones).

  onUpgrade(protocol: string): void {
    this.#attempts.selected = protocol;
  }

  /** The socket opened: the link opens now, or once the greeting comes (or its grace ends). */
  onOpen(): void {
    if (this.#state !== 'connecting') return;
    const options = this.#options;
    if (this.#attempts.notSelected) {
      // browsers open such a socket (ws in Node refuses it, and it arrives as a close)
      this.#transport.close(1000, 'no subprotocol selected');
      this.#ended(this.#id, 1006, 'no subprotocol selected');
      return;
    }
    this.#attempts.clearTimer();
    this.#socketUp = true;
    this.outbox.socketOpen();
    const greeting = this.#attempts.opened(options.clock.now());
    if (greeting === 'none') return void this.#open();
    const id = this.#id;
    const late = () => this.#attempts.noGreeting(options.handshakeTimeout);
    if (greeting === 'required')
      this.#attempts.deadline(() => this.#fail(id, 'handshake timeout', late()), options.handshakeTimeout);
    else this.#attempts.setTimer(() => this.#openIfWaiting(), this.#options.dialect.greetingGrace);
  }

  onMessage(data: string | ArrayBuffer | Uint8Array | Blob, text: boolean): void {
    this.#attempts.heard(true);
    this.#liveness.received();
    if (this.#options.log?.on('debug')) this.#options.log.write('debug', `recv ${describeFrame(data, text)}`);
    if (this.#state !== 'connecting' && this.#state !== 'open') return;
    this.#inbox.receive(data, text);
    if (this.#state === 'connecting') this.#openIfWaiting(); // an optional greeting gives way to any frame, read or not
  }

  onClose(code: number, reason: string, error?: unknown, status?: number): void {
    const dropped = this.#attempts.closed(code, this.#socketUp, this.#live);
    // before open, the streak's report is the attempt's error; after, it comes beside the close
    if (dropped && this.#state === 'open') this.#host.report(dropped);
    this.#ended(this.#id, code, reason, this.#state === 'open' ? error : (dropped ?? error), status);
  }

  onPong(): void {
    this.#attempts.heard(false);
    this.#liveness.pong();
  }

  /** A protocol ping: its answer waits in the outbox's control lane, within the rate limit, one at a time. */
  onPing(answer: () => boolean): void {
    this.outbox.control('ws-pong', answer);
  }

  /** LivenessLink: the link is dead (its socket closed): the close says `why` (and `error`, reported). */
  dead(why: string, error?: EventwireError): void {
    this.#ended(this.#id, 1006, why, error);
  }

  /** LivenessLink: the socket took none of its `held` unsent bytes for `ms`: dropped, and reported. */
  stuck(held: number, ms: number): void {
    this.dead('write stalled', stuckLink(this.#options.url, this.#attempts.number, held, ms));
  }

  // InboxSink: what the dialect read in a frame. Link-level messages stay here.

  event(event: EventwireEvent): void {
    if (this.#state === 'connecting') this.#attempts.early(this.#inbox.reading); // whose, if no greeting comes?
    this.#core.event(event);
  }

  greeting(sessionId?: string, heartbeatInterval?: number): void {
    if (this.#greetedOn === this.#id) return void this.#options.log?.write('debug', 'repeated greeting ignored');
    this.#greetedOn = this.#id;
    this.#sessionId = sessionId;
    if (heartbeatInterval !== undefined) this.#liveness.pingEvery(heartbeatInterval);
    if (this.#state === 'connecting' && this.#socketUp) this.#open();
  }

  /** The server refused the credentials on an open socket (an auth command's answer). */
  authFailed(reason: string): void {
    if (!this.#live) return;
    this.#transport.close(1000, 'authentication refused');
    this.#ended(this.#id, 4003, reason);
  }

  /** The server's ping: its answer goes out through the outbox's control lane. */
  ping(reply?: object): void {
    if (reply) this.outbox.control('pong', this.#options.codec.encode(reply));
  }

  pong(): void {
    this.#liveness.pong();
  }

  subscribed(id: string, seq?: number, gap?: { from: number; to: number }): void {
    this.#core.subscribed(id, seq, gap);
  }

  unsubscribed(id: string): void {
    this.#core.unsubscribed(id);
  }

  response(...args: Parameters<LinkHost['response']>): boolean {
    return this.#core.response(...args);
  }

  serverError(code: string, message: string, id?: string): void {
    this.#core.serverError(code, message, id);
  }

  /** A message the dialect could not read: named after the dialect. */
  error(error: EventwireError): void {
    error.message = `${this.#options.dialect.name}: ${error.message}`;
    const report = this.#inbox.refused(error); // after a few in a row: which dialect reads them
    if (!report) return;
    if (error.cause !== V1_SEEN) return void this.#host.report(report);
    this.#transport.close(1000, 'wrong dialect'); // protocol v1's greeting: the client stops
    this.dead('wrong dialect', report);
  }

  /** A frame the codec could not decode (before any dialect saw it). */
  undecodable(error: EventwireError): void {
    this.#host.report(error);
  }

  // The client's calls.

  connect(): void {
    if (this.#state !== 'idle' && this.#state !== 'closed') return;
    this.#attempts.fresh();
    this.#stopSignals = this.#options.signals?.subscribe((signal) => this.#signal(signal));
    this.#start();
  }

  reconnect(): void {
    if (this.#state === 'idle' || this.#state === 'closed') return void this.connect();
    this.#linkDown();
    this.#attempts.restart();
    this.#transport.close(4000, 'reconnect');
    this.#start();
  }

  close(code: number, reason: string): void {
    if (this.#state === 'idle' || this.#state === 'closed') return void this.#setState('closed');
    const wasOpen = this.#state === 'open';
    this.#halt();
    this.#transport.close(code, reason);
    this.#host.stopped(undefined, code, reason);
    this.#setState('closed');
    if (wasOpen) this.#host.emit('close', { code, reason, willReconnect: false });
  }

  /** Whether a link is up or being made. */
  get #live(): boolean {
    return this.#state === 'connecting' || this.#state === 'open';
  }

  /** The core, for what the dialect read for it: with an optional greeting, a message for it opens the link first. */
  get #core(): LinkHost {
    if (this.#state === 'connecting') this.#openIfWaiting();
    return this.#host;
  }

  /** With an optional greeting: the link is open from the first frame, or after the grace. */
  #openIfWaiting(): void {
    if (this.#state === 'connecting' && this.#socketUp && this.#attempts.greeting !== 'required') this.#open();
  }

  #start(): void {
    const options = this.#options;
    this.#attempts.clearTimer();
    this.#waitingForNetwork = false;
    this.#setState('connecting');
    const id = ++this.#id;
    this.#token = undefined;
    this.#attempts.selected = undefined;
    const pending = () =>
      // a token provider that has not answered is said: a newcomer cannot see a hanging one
      this.#token === undefined && typeof options.token === 'function' ? ' (token provider pending)' : '';
    const late = () => this.#attempts.timedOut(`no connection within ${options.connectTimeout} ms${pending()}`);
    this.#attempts.deadline(() => this.#fail(id, 'connect timeout', late()), options.connectTimeout);
    fetchToken(
      options.token,
      (token) => {
        if (id !== this.#id) return;
        this.#token = token;
        const preparing = this.#host.preparing; // the client loads what its dialect needs: dial once it has
        if (preparing) preparing.then(() => id === this.#id && this.#dial(id, token));
        else this.#dial(id, token);
      },
      (error) => this.#fail(id, 'token provider failed', error),
    );
  }

  /** Opens the attempt's socket (the debug log names the URL, the token redacted). */
  #dial(id: number, token: string | undefined): void {
    const options = this.#options;
    const url = attemptUrl(options, token, this.#host.interest());
    if (options.log) {
      options.log.secret = token;
      options.log.write('debug', `attempt ${id}: ${url}`);
    }
    this.#transport.connect(url);
  }

  #fail(id: number, reason: string, error: EventwireError): void {
    if (id !== this.#id || this.#state !== 'connecting') return;
    this.#transport.close(4000, reason);
    this.#ended(id, 1006, reason, error);
  }

  #open(): void {
    this.#attempts.clearTimer();
    this.#openedAt = this.#options.clock.now();
    this.#attempts.quiet = false;
    this.#liveness.start();
    this.#setState('open');
    this.outbox.ready();
    this.#host.emit('open', { sessionId: this.#sessionId });
  }

  /** The attempt or link `id` ended: ask {@link decide} whether to retry, refresh or stop. */
  #ended(id: number, code: number, reason: string, error?: unknown, status?: number): void {
    if (id !== this.#id || !this.#live) return;
    if (!reason && error instanceof Error && !(error instanceof EventwireError))
      reason = error.message.split('\n', 1)[0] ?? ''; // a failed attempt: its network error's first line
    const options = this.#options;
    const open = this.#state === 'open';
    const uptime = open ? options.clock.now() - this.#openedAt : undefined;
    // an attempt that never opened failed: one typed error names the server and the cause
    const failure = open ? undefined : this.#attempts.failure(code, reason, error, status, this.#socketUp);
    this.#linkDown();
    const refreshable = typeof options.token === 'function';
    const facts = { code, reason, error: failure ?? error, status, uptime, refreshable };
    const decision = this.#attempts.decide(facts, options);
    if (decision.hookError) this.#host.report(decision.hookError);
    const stop = 'stop' in decision ? decision.stop : undefined;
    if (failure && !stop) this.#host.report(failure, this.#attempts.quiet); // the console shows a run's first
    if (failure) this.#attempts.quiet = true;
    const dropped = open && error instanceof EventwireError ? error : undefined; // the client dropped it (stuck...)
    if (dropped && stop !== dropped && stop?.cause !== dropped) this.#host.report(dropped);
    const cause = stop ?? failure ?? dropped;
    this.#host.emit('close', { code, reason, willReconnect: !stop, ...(cause && { error: cause }) });
    if (stop) {
      this.#halt();
      this.#host.stopped(stop, code, reason);
      this.#setState('closed');
      this.#host.report(stop);
      return;
    }
    this.#setState('reconnecting');
    const delay = 'retryIn' in decision ? decision.retryIn : 0;
    const why = failure ?? dropped;
    this.#host.emit('reconnecting', { attempt: decision.attempt, delay, ...(why && { error: why }) });
    if (options.signals && !options.signals.isOnline()) this.#waitingForNetwork = true;
    else this.#attempts.setTimer(() => this.#start(), delay);
  }

  #linkDown(): void {
    this.#id++;
    this.#inbox.reset(); // frames of the old socket still waiting to be decoded are dropped
    this.#socketUp = false;
    this.#attempts.clearTimer();
    this.#liveness.stop();
    this.#sessionId = undefined;
    this.outbox.down();
    this.#host.linkLost();
  }

  #halt(): void {
    this.#linkDown();
    this.#waitingForNetwork = false;
    this.#stopSignals?.();
    this.#stopSignals = undefined;
  }

  #setState(to: ConnectionState): void {
    const from = this.#state;
    if (from === to) return;
    this.#state = to;
    this.#host.emit('state', { from, to });
  }

  #signal(signal: NetworkSignal): void {
    if (signal === 'offline') {
      if (this.#state === 'reconnecting' && !this.#waitingForNetwork) {
        this.#attempts.clearTimer();
        this.#waitingForNetwork = true;
      } else this.#liveness.check();
      return;
    }
    if (this.#state === 'reconnecting' && (signal === 'online' || this.#waitingForNetwork)) this.#start();
    else this.#liveness.check();
  }
}
