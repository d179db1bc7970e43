import type { Dialect } from '../../dialects/dialect.js';
import type { ResolvedOptions } from '../../options.js';
import type { Transport } from '../../transport/transport.js';
import { createHeartbeat, createServerPacedHeartbeat, type Heartbeat, type HeartbeatIo } from './heartbeat.js';

/**
 * @internal What {@link Liveness} tells the link (the link itself: methods, not closures, so a
 * client holds no function for them).
 */
export interface LivenessLink {
  /** Sends the dialect's ping through the outbox's control lane. */
  sendPing(message: object): void;
  /** The link is dead: nothing came for `silent` ms. */
  dead(silent: number): void;
}

/**
 * @internal The liveness of one client's links: which heartbeat the dialect's
 * {@link Dialect.liveness} calls for, how it probes, and what counts as a sign of life. One per
 * client; {@link Liveness.start} runs a heartbeat for a link, {@link Liveness.stop} ends it.
 * A greeting's heartbeat interval is kept here, never written into the options.
 */
export class Liveness implements HeartbeatIo {
  readonly #link: LivenessLink;
  readonly #transport: Transport;
  /** The client's options: its (guarded) dialect, clock and heartbeat option (undefined: `heartbeat: false`). */
  readonly #options: ResolvedOptions;
  /** The shortest ping interval a greeting asked for (ms), if any: the options stay as given. */
  #interval: number | undefined;
  #heartbeat: Heartbeat | undefined;
  /** How the running heartbeat probes: the dialect's ping, a protocol ping, or not at all. */
  #probe: 'client' | 'keepalive' | 'ws' | 'none' = 'none';

  constructor(link: LivenessLink, transport: Transport, options: ResolvedOptions) {
    this.#link = link;
    this.#transport = transport;
    this.#options = options;
  }

  /** The last measured round-trip time in ms, if any. */
  get rtt(): number | undefined {
    return this.#heartbeat?.rtt;
  }

  /** A greeting asked for pings at least this often (ms): from now on, on every link. */
  pingEvery(interval: number): void {
    this.#interval = Math.min(this.#interval ?? interval, interval);
  }

  /** Starts the heartbeat the dialect's liveness calls for on a link that opened. */
  start(): void {
    const { heartbeat, clock, dialect } = this.#options;
    const transport = this.#transport;
    // a greeting's interval makes a settings object per link (none for an idle client)
    const beat =
      heartbeat && this.#interval !== undefined && this.#interval < heartbeat.interval
        ? { interval: this.#interval, timeout: heartbeat.timeout }
        : heartbeat;
    let liveness = dialect.liveness;
    if (liveness.mode === 'ws') liveness = transport.ping?.() ? liveness : liveness.fallback;
    if (!beat || liveness.mode === 'none') return;
    this.#probe = liveness.mode === 'server' ? 'none' : liveness.mode;
    this.#heartbeat =
      liveness.mode === 'server'
        ? createServerPacedHeartbeat({ interval: liveness.interval, timeout: beat.timeout }, clock, this)
        : createHeartbeat(beat, clock, this, liveness.mode === 'client' && liveness.provenOnly === true);
  }

  /** The link is down: its heartbeat stops. */
  stop(): void {
    this.#heartbeat?.stop();
    this.#heartbeat = undefined;
    this.#probe = 'none';
  }

  /** A frame arrived. */
  received(): void {
    this.#heartbeat?.received();
  }

  /** The client wrote a frame: servers that ping on their own restart their timer on it. */
  wrote(): void {
    if (this.#probe === 'none') this.#heartbeat?.received();
  }

  /** The answer to a ping arrived (the dialect's pong, or a WebSocket protocol pong). */
  pong(): void {
    this.#heartbeat?.pong();
  }

  /** Checks now (the network or the tab came back). */
  check(): void {
    this.#heartbeat?.check();
  }

  /** The heartbeat's dead-link verdict: nothing came for `silent` ms. @internal (HeartbeatIo) */
  dead(silent: number): void {
    this.#link.dead(silent);
  }

  /** The heartbeat's probe. @internal (HeartbeatIo) */
  ping(): void {
    const transport = this.#transport;
    // A WebSocket protocol ping is a control frame of the socket, not a frame the client
    // writes: it does not go through the outbox (no rate limit, no log line).
    if (this.#probe === 'ws') transport.ping?.();
    else if (this.#probe !== 'none') {
      const ping = this.#options.dialect.ping();
      if (ping) this.#link.sendPing(ping);
      // a keepalive is never answered: a WebSocket ping's pong proves life where one can go, else nothing is awaited
      if (this.#probe === 'keepalive' && !transport.ping?.()) this.#heartbeat?.received();
    }
  }
}
