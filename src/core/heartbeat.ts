import type { Clock } from './clock.js';

/**
 * Heartbeat settings.
 * @example `createClient({ url, heartbeat: { interval: 10_000, timeout: 5_000 } })`
 */
export interface HeartbeatOptions {
  /** Send `{type:"ping"}` this often (ms). 0 disables the heartbeat. @default 25000 */
  interval: number;
  /** The link is dead when nothing at all arrives this long (ms) after a ping. @default 10000 */
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
  /** Checks liveness now (tab visible again, network back): declares death or probes. */
  check(): void;
  /** Stops every timer. */
  stop(): void;
  /** Last measured round-trip time in ms, if any. */
  readonly rtt: number | undefined;
}

/**
 * Starts a heartbeat. Deadlines are computed from `clock.now()` (wall clock), so a timer
 * that fires late in a throttled background tab still sees how long the link has really
 * been silent.
 *
 * @example
 * ```ts
 * const hb = createHeartbeat({ interval: 25_000, timeout: 10_000 }, systemClock, {
 *   ping: () => socket.send('{"type":"ping"}'),
 *   dead: () => socket.close(),
 * });
 * ```
 */
export function createHeartbeat(options: HeartbeatOptions, clock: Clock, io: HeartbeatIo): Heartbeat {
  let alive = true;
  let lastPingAt = clock.now();
  let timer: unknown;
  let rtt: number | undefined;
  let stopped = options.interval <= 0;

  const schedule = (ms: number) => {
    clock.clearTimeout(timer);
    timer = clock.setTimeout(tick, Math.max(0, ms));
  };

  const sendPing = () => {
    alive = false;
    lastPingAt = clock.now();
    io.ping();
    schedule(Math.min(options.timeout, options.interval));
  };

  function tick() {
    if (stopped) return;
    const now = clock.now();
    if (!alive) {
      const silent = now - lastPingAt;
      if (silent >= options.timeout) {
        stopped = true;
        io.dead(silent);
      } else {
        schedule(options.timeout - silent);
      }
      return;
    }
    const due = lastPingAt + options.interval - now;
    if (due <= 0) sendPing();
    else schedule(due);
  }

  if (!stopped) schedule(options.interval);

  return {
    received() {
      alive = true;
    },
    pong() {
      alive = true;
      rtt = clock.now() - lastPingAt;
    },
    check() {
      if (stopped) return;
      if (alive) sendPing();
      else tick();
    },
    stop() {
      stopped = true;
      clock.clearTimeout(timer);
    },
    get rtt() {
      return rtt;
    },
  };
}
