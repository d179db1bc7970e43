import { words } from '#words';
import type { Dialect } from '../../dialects/dialect.js';
import type { ResolvedOptions } from '../../options.js';
import type { Transport } from '../../transport/transport.js';
import type { Outbox } from '../outbox/outbox.js';
import { createHeartbeat, createServerPacedHeartbeat, type Heartbeat, type HeartbeatIo } from './heartbeat.js';

/**
 * @internal What {@link Liveness} tells the link (the link itself: methods, not closures, so a
 * client holds no function for them).
 */
export interface LivenessLink {
  /** Where the dialect's ping goes (its control lane), and what flushes once a backed-up socket drains. */
  readonly outbox: Pick<Outbox, 'control' | 'flush'>;
  /** The link is dead (its socket closed): the close says `why`. */
  dead(why: string): void;
  /** The socket (closed) took none of the `held` bytes waiting in it for `ms`: the link is stuck. */
  stuck(held: number, ms: number): void;
}

/**
 * Bytes a socket may hold unsent (its `bufferedAmount`) before the client stops writing to it.
 * Whatever the options: it bounds what a server that stops reading can make the client
 * buffer (`maxPayload`, the inbound cap, is 32 MiB by default, far too much to hold per
 * client), and on a live link it is at most a second or so of a slow uplink (8 Mbit/s), so
 * frames rarely wait for it. A frame of any size goes once the socket is under it.
 */
const BACKLOG = 1 << 20;
/** How often (ms) a backed-up socket is looked at again: browsers and `ws` say nothing when it drains. */
const BACKLOG_POLL = 50;
/**
 * How long (ms) a backed-up socket may take none of its bytes, without a heartbeat (with one:
 * its `timeout`, the silence the link tolerates the other way).
 */
const STUCK_AFTER = 10_000;

/** A backed-up socket under watch: the fewest bytes it held, since when, the last look and the next. */
interface Backlog {
  low: number;
  since: number;
  last: number;
  timer: unknown;
}

/**
 * The shortest ping interval (ms) a server's greeting may ask for (`heartbeat_interval`): a
 * server that says 5 would get some 160 pings a second for as long as the link lives. One that
 * asks for less than a second gets a ping a second (the client's own `heartbeat.interval`
 * option has no such floor: a faster beat is the user's choice, not the server's).
 */
const MIN_SERVER_INTERVAL = 1_000;

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
  /** The socket's backlog, while it is over {@link BACKLOG} (made then: a flowing link holds none). */
  #backlog: Backlog | undefined;

  constructor(link: LivenessLink, transport: Transport, options: ResolvedOptions) {
    this.#link = link;
    this.#transport = transport;
    this.#options = options;
  }

  /** The last measured round-trip time in ms, if any. */
  get rtt(): number | undefined {
    return this.#heartbeat?.rtt;
  }

  /**
   * A greeting asked for pings at least this often (ms): from now on, on every link, though
   * never more often than every {@link MIN_SERVER_INTERVAL} ms.
   */
  pingEvery(interval: number): void {
    const floored = Math.max(MIN_SERVER_INTERVAL, interval);
    this.#interval = Math.min(this.#interval ?? floored, floored);
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

  /** The link is down: its heartbeat and any watch of its socket's backlog stop. */
  stop(): void {
    this.#heartbeat?.stop();
    this.#heartbeat = undefined;
    this.#probe = 'none';
    if (this.#backlog) this.#options.clock.clearTimeout(this.#backlog.timer);
    this.#backlog = undefined;
  }

  /**
   * Whether the socket is backed up: it holds over {@link BACKLOG} bytes the network has not
   * taken (a server that stopped reading, a stalled link), and nothing more may be written to
   * it. A watch then looks again every 50 ms: once the socket is under the bound the link is
   * told it drained; if it takes none of its bytes for the heartbeat's timeout (10 s without a
   * heartbeat) the link is stuck. Per frame: one read of the socket's count, nothing made.
   */
  backedUp(): boolean {
    if (this.#backlog) return true;
    const held = this.#transport.buffered?.() ?? 0;
    if (held <= BACKLOG) return false;
    const clock = this.#options.clock;
    const now = clock.now();
    this.#backlog = { low: held, since: now, last: now, timer: clock.setTimeout(() => this.#watch(), BACKLOG_POLL) };
    return true;
  }

  /** The backed-up socket's next look: drained, stuck, or watched on (progress, however slow, is not stuck). */
  #watch(): void {
    const backlog = this.#backlog;
    if (!backlog) return;
    const clock = this.#options.clock;
    const held = this.#transport.buffered?.() ?? 0;
    const now = clock.now();
    if (held <= BACKLOG) {
      this.#backlog = undefined;
      return void this.#link.outbox.flush(); // what waits goes
    }
    // a look far later than asked: the process was starved (a long task, a GC, a laptop asleep), and a socket's
    // count falls only once its writes' callbacks run, after the timers: no progress is judged over that time
    const starved = now - backlog.last > 4 * BACKLOG_POLL;
    backlog.last = now;
    if (held < backlog.low || starved) {
      backlog.low = Math.min(held, backlog.low);
      backlog.since = now;
    } else if (now - backlog.since >= (this.#options.heartbeat?.timeout ?? STUCK_AFTER)) {
      this.#backlog = undefined;
      this.#transport.close(4000, 'write stalled');
      return void this.#link.stuck(held, now - backlog.since);
    }
    backlog.timer = clock.setTimeout(() => this.#watch(), BACKLOG_POLL);
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
    this.#transport.close(4000, 'heartbeat timeout');
    const ms = Math.round(silent); // the clock's fractions of a ms say nothing
    this.#link.dead(words ? `heartbeat timeout: nothing received for ${ms} ms` : `heartbeat timeout (${ms} ms)`);
  }

  /** The heartbeat's probe. @internal (HeartbeatIo) */
  ping(): void {
    const transport = this.#transport;
    // A WebSocket protocol ping is a control frame of the socket, not a frame the client
    // writes: it does not go through the outbox (no rate limit, no log line).
    if (this.#probe === 'ws') transport.ping?.();
    else if (this.#probe !== 'none') {
      const ping = this.#options.dialect.ping();
      if (ping) this.#link.outbox.control('ping', this.#options.codec.encode(ping));
      // a keepalive is never answered: a WebSocket ping's pong proves life where one can go, else nothing is awaited
      if (this.#probe === 'keepalive' && !transport.ping?.()) this.#heartbeat?.received();
    }
  }
}
