import type { Clock } from '../util/clock.js';
import { graceOf } from './phase-timer.js';

/**
 * Heartbeat settings.
 * @example `createClient({ url, heartbeat: { interval: 10_000, timeout: 5_000 } })`
 */
export interface HeartbeatOptions {
  /** Send `{type:"ping"}` this often (ms). 0 disables the heartbeat. @default 25000 */
  interval: number;
  /**
   * The link is dead when nothing at all arrives this long (ms) after a ping (declared after a
   * grace of 50 ms at most); and, the other way, when its socket, holding over 1 MiB unsent,
   * takes none of it this long (a server that stopped reading). @default 10000
   */
  timeout: number;
}

/** What the heartbeat does to the outside world. */
export interface HeartbeatIo {
  ping(): void;
  dead(silentMs: number): void;
}

/** A running heartbeat for one connection. */
export interface Heartbeat {
  /** Note that a frame arrived (any frame). Cheap: sets a flag, reads no clock. */
  received(): void;
  /** Note that a pong arrived; updates {@link Heartbeat.rtt}. */
  pong(): void;
  /**
   * Checks liveness now (tab visible again, network back): probes, or finds the silence. Silence
   * past the deadline (here or at a timer) is death only a grace later (50 ms, at most `timeout`:
   * {@link graceOf}), once per silence: Node runs due timers before it reads sockets, so after a
   * long synchronous job, a starved process or a laptop waking, the answer may be waiting unread
   * (or, from a server in the same process, one loop turn from being written). A check while
   * that grace runs waits for it.
   */
  check(): void;
  /** Stops every timer. */
  stop(): void;
  /** Last measured round-trip time in ms, if any. */
  readonly rtt: number | undefined;
}

/**
 * Starts a heartbeat. Deadlines are computed from `clock.now()` (monotonic: a wall-clock step
 * moves none), so a timer that fires late in a throttled background tab still sees how long
 * the link has really been silent.
 *
 * @example
 * ```ts
 * const socket = new WebSocket('wss://events.example.com/ws');
 * const hb = createHeartbeat({ interval: 25_000, timeout: 10_000 }, systemClock, {
 *   ping: () => socket.send('{"type":"ping"}'),
 *   dead: () => socket.close(),
 * });
 * ```
 *
 * With `provenOnly`, for servers that may not answer the client's ping at all (Provisioning's
 * code ignores `{type:"ping"}`): pings are sent every `interval`, but a missing answer counts
 * only once a pong has arrived on this connection. Until then silence is not death.
 *
 * @example
 * ```ts
 * const io: HeartbeatIo = { ping: () => socket.send('{"type":"ping"}'), dead: () => socket.close() };
 * const hb = createHeartbeat({ interval: 25_000, timeout: 10_000 }, systemClock, io, true);
 * hb.pong(); // the server answers pings: from now on a missing pong is death
 * ```
 */
export function createHeartbeat(
  options: HeartbeatOptions,
  clock: Clock,
  io: HeartbeatIo,
  provenOnly = false,
): Heartbeat {
  return new HeartbeatTimer(options, clock, io, provenOnly);
}

/**
 * Liveness for servers that ping on their own schedule: the client sends nothing, and the
 * link is dead once nothing has gone either way for `interval` (the server's ping period)
 * plus `timeout`. Frames the client sends count too, for servers that restart their ping
 * timer on them. A flag is set per frame; the clock is read once per `timeout`.
 *
 * @example
 * ```ts
 * createServerPacedHeartbeat({ interval: 30_000, timeout: 10_000 }, systemClock, { ping() {}, dead: () => socket.close() });
 * ```
 */
export function createServerPacedHeartbeat(options: HeartbeatOptions, clock: Clock, io: HeartbeatIo): Heartbeat {
  return new ServerPaced(options, clock, io);
}

class ServerPaced implements Heartbeat {
  readonly #options: HeartbeatOptions;
  readonly #clock: Clock;
  readonly #io: HeartbeatIo;
  /** The timer's callback: bound, 48 bytes, where an arrow is 56 and its context 40 more. */
  readonly #tick = this.#run.bind(this);
  #seen = false;
  #lastSeen: number;
  #timer: unknown;
  /** The silence was found: the frames waiting have a grace to be read (see {@link Heartbeat.check}). */
  #graced = false;
  #stopped = false;
  readonly rtt = undefined;

  constructor(options: HeartbeatOptions, clock: Clock, io: HeartbeatIo) {
    this.#options = options;
    this.#clock = clock;
    this.#io = io;
    this.#lastSeen = clock.now();
    this.#timer = clock.setTimeout(this.#tick, options.timeout);
  }

  received(): void {
    this.#seen = true;
  }

  pong(): void {
    this.#seen = true;
  }

  check(): void {
    if (!this.#graced) this.#run(); // the grace under way decides
  }

  #run(): void {
    if (this.#stopped) return;
    const now = this.#clock.now();
    let wait = this.#options.timeout;
    if (this.#seen) {
      this.#seen = false;
      this.#graced = false;
      this.#lastSeen = now;
    } else if (now - this.#lastSeen >= this.#options.interval + this.#options.timeout) {
      if (this.#graced) {
        this.#stopped = true;
        this.#io.dead(now - this.#lastSeen);
        return;
      }
      this.#graced = true;
      wait = graceOf(this.#options.timeout);
    }
    this.#clock.clearTimeout(this.#timer);
    this.#timer = this.#clock.setTimeout(this.#tick, wait);
  }

  stop(): void {
    this.#stopped = true;
    this.#clock.clearTimeout(this.#timer);
  }
}

/** One timer and a few numbers per connection; the methods live on the prototype. */
class HeartbeatTimer implements Heartbeat {
  readonly #options: HeartbeatOptions;
  readonly #clock: Clock;
  readonly #io: HeartbeatIo;
  /** The timer's callback: bound, 48 bytes, where an arrow is 56 and its context 40 more. */
  readonly #tick = this.#check.bind(this);
  #alive = true;
  #lastPingAt: number;
  #timer: unknown;
  /**
   * `graced`: silence past the deadline was found, the frames waiting have a grace to be read
   * (see {@link Heartbeat.check}); `stopped`: for good. One field for both.
   */
  #phase: 'running' | 'graced' | 'stopped';
  /** Whether silence after a ping is death: always, or (`provenOnly`) once a pong has come. */
  #counts: boolean;
  rtt: number | undefined;

  constructor(options: HeartbeatOptions, clock: Clock, io: HeartbeatIo, provenOnly: boolean) {
    this.#options = options;
    this.#clock = clock;
    this.#io = io;
    this.#counts = !provenOnly;
    this.#lastPingAt = clock.now();
    this.#phase = options.interval <= 0 ? 'stopped' : 'running';
    if (this.#phase === 'running') this.#schedule(options.interval);
  }

  received(): void {
    this.#alive = true;
  }

  pong(): void {
    this.#alive = true;
    this.#counts = true;
    this.rtt = this.#clock.now() - this.#lastPingAt;
  }

  check(): void {
    if (this.#phase !== 'running') return; // stopped, or the grace under way decides
    if (this.#alive || !this.#counts) this.#ping();
    else this.#check();
  }

  stop(): void {
    this.#phase = 'stopped';
    this.#clock.clearTimeout(this.#timer);
  }

  #schedule(ms: number): void {
    this.#clock.clearTimeout(this.#timer);
    this.#timer = this.#clock.setTimeout(this.#tick, Math.max(0, ms));
  }

  #ping(): void {
    this.#alive = false;
    this.#lastPingAt = this.#clock.now();
    this.#io.ping();
    this.#schedule(Math.min(this.#options.timeout, this.#options.interval));
  }

  #check(): void {
    if (this.#phase === 'stopped') return;
    const now = this.#clock.now();
    if (!this.#alive && this.#counts) {
      const silent = now - this.#lastPingAt;
      if (silent < this.#options.timeout) this.#schedule(this.#options.timeout - silent);
      else if (this.#phase === 'graced') {
        this.#phase = 'stopped';
        this.#io.dead(silent);
      } else {
        this.#phase = 'graced';
        this.#schedule(graceOf(this.#options.timeout));
      }
      return;
    }
    this.#phase = 'running';
    const due = this.#lastPingAt + this.#options.interval - now;
    if (due <= 0) this.#ping();
    else this.#schedule(due);
  }
}
