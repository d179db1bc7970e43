/**
 * Chaos mode: seeded random faults on a test server, for soak tests of an app. The same seed
 * gives the same faults in the same order at the same offsets, so a failing run can be replayed.
 */
import { shown } from '../errors/base.js';
import { fail, type KeyWords, optionObject, typed } from '../options-check.js';
import { closest } from '../protocol/suggest.js';
import type { ChaosProxy } from './chaos-proxy.js';

/**
 * A fault chaos mode may pick.
 * - `drop`: every connection reset (RST); `fin`: closed at TCP level (FIN), no close frame;
 * - `close`: a close frame 1001 (going away), then the client reconnects;
 * - `blackhole`: silence for a while (the sockets stay);
 * - `latency`, `slice`, `throttle`: slow, fragmented, narrow links until the next `heal`;
 * - `heal`: latency, slicing and throttling lifted; `restart`: the server down for a while.
 * @example `const faults: ChaosFault[] = ['drop', 'latency', 'heal']`
 */
export type ChaosFault = 'drop' | 'fin' | 'close' | 'blackhole' | 'latency' | 'slice' | 'throttle' | 'heal' | 'restart';

/**
 * Options of chaos mode.
 * @example `{ seed: 42, everyMs: 300, faults: ['drop', 'blackhole', 'heal'] }`
 */
export interface ChaosOptions {
  /** The seed of the fault schedule. */
  seed: number;
  /** The mean time between two faults (ms); each wait is drawn between half and one and a half of it. @default 1000 */
  everyMs?: number;
  /** The faults to pick from, uniformly. @default every {@link ChaosFault} */
  faults?: readonly ChaosFault[];
  /** The longest blackhole and the longest restart downtime (ms); each is drawn up to it. @default 2000 */
  maxOutageMs?: number;
  /** Called with each fault as it is applied (to log it, or to await a number of them). */
  onFault?: (entry: ChaosEntry) => void;
}

/**
 * One fault chaos mode applied.
 * @example `{ at: 1012, fault: 'blackhole', ms: 840 }`
 */
export interface ChaosEntry {
  /** ms since chaos started. */
  at: number;
  fault: ChaosFault;
  /** The outage drawn, for `blackhole` and `restart`. */
  ms?: number;
}

/**
 * A running chaos schedule.
 * @example
 * ```ts
 * const testServer = await createTestServer();
 * const chaos = testServer.chaos({ seed: 7, everyMs: 200 });
 * // ... the app runs
 * await chaos.stop();
 * console.log(chaos.log);
 * await testServer.stop();
 * ```
 */
export interface Chaos {
  /** What was applied so far, in order. */
  readonly log: readonly ChaosEntry[];
  /** No more faults; resolves once the one in progress, if any (a restart), has completed. */
  stop(): Promise<void>;
}

const ALL: readonly ChaosFault[] = [
  'drop',
  'fin',
  'close',
  'blackhole',
  'latency',
  'slice',
  'throttle',
  'heal',
  'restart',
];

/** The keys of {@link ChaosOptions} (checked against the type by the compiler). */
const KNOWN = 'seed everyMs faults maxOutageMs onFault';
KNOWN satisfies KeyWords<ChaosOptions, typeof KNOWN>;

/**
 * `options` when chaos mode can use them; else an `OptionsError` that names what it cannot: no options or an
 * unknown key (was a TypeError, or ignored), a seed, a fault it does not know (with the faults it knows).
 */
function checked(options: ChaosOptions | undefined): ChaosOptions {
  const given = optionObject('chaos options', options, KNOWN.split(' '), 'chaos option');
  if (given === undefined) fail('chaos options', 'an object with a seed ({ seed: 1 })', options);
  if (!Number.isFinite(given.seed)) fail('seed', 'a finite number (the same seed, the same faults)', given.seed);
  const { everyMs = 1000, maxOutageMs = 2000, faults = ALL, onFault } = given;
  if (!(everyMs > 0)) fail('everyMs', 'a number > 0', everyMs);
  if (!(maxOutageMs >= 0)) fail('maxOutageMs', 'a number >= 0', maxOutageMs);
  typed('onFault', onFault, 'function'); // was called in the schedule's timer, whose error ended it without a word
  if (!Array.isArray(faults) || faults.length === 0) fail('faults', `a non-empty array of ${ALL.join(', ')}`, faults);
  const unknown = faults.filter((fault) => !ALL.includes(fault));
  if (unknown.length > 0) {
    const named = unknown.map((fault) => {
      const near = typeof fault === 'string' ? closest(fault, ALL) : undefined;
      return `${shown(fault)}${near === undefined ? '' : ` (did you mean ${near}?)`}`;
    });
    fail(`unknown chaos fault${unknown.length > 1 ? 's' : ''}: ${named.join(', ')}; the faults are ${ALL.join(', ')}`);
  }
  return { ...given, everyMs, maxOutageMs, faults };
}

/** @internal mulberry32: small, seeded, good enough to draw faults (the project's tests draw with it too). */
export function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** What chaos mode needs of a test server (its faults that are more than the proxy's). */
interface ChaosTarget {
  drop(): number;
  close(code: number, reason?: string): void;
  blackhole(ms: number): number;
  restart(options?: { downMs?: number }): Promise<void>;
}

/** @internal Starts a schedule on `server` (whose faults go through `proxy`). */
export function startChaos(server: ChaosTarget, proxy: ChaosProxy, given: ChaosOptions): Chaos {
  const options = checked(given);
  const { everyMs, maxOutageMs, faults } = options as Required<ChaosOptions>;
  const random = seeded(options.seed);
  const log: ChaosEntry[] = [];
  const started = Date.now();
  let timer: ReturnType<typeof setTimeout> | undefined;
  let running = true;
  let current: Promise<void> = Promise.resolve();

  const apply = async (fault: ChaosFault): Promise<void> => {
    const entry: ChaosEntry = { at: Date.now() - started, fault };
    log.push(entry);
    await applyFault(entry);
    options.onFault?.(entry);
  };

  const applyFault = async (entry: ChaosEntry): Promise<void> => {
    switch (entry.fault) {
      case 'drop':
        server.drop();
        return;
      case 'fin':
        proxy.inject('fin');
        return;
      case 'close':
        server.close(1001, 'going away');
        return;
      case 'blackhole':
        entry.ms = Math.round(random() * maxOutageMs);
        server.blackhole(entry.ms);
        return;
      case 'latency':
        proxy.inject('latency', { latency: Math.round(random() * 100), jitter: Math.round(random() * 100) });
        return;
      case 'slice':
        proxy.inject('slice', { slice: 1 + Math.floor(random() * 16) });
        return;
      case 'throttle':
        proxy.inject('throttle', { bytesPerSecond: 8 * 1024 + Math.floor(random() * 64 * 1024) });
        return;
      case 'heal':
        proxy.heal();
        return;
      case 'restart':
        entry.ms = Math.round(random() * maxOutageMs);
        await server.restart({ downMs: entry.ms });
        return;
    }
  };

  const next = () => {
    if (!running) return;
    timer = setTimeout(
      async () => {
        const fault = faults[Math.floor(random() * faults.length)] as ChaosFault;
        try {
          current = apply(fault);
          await current;
        } catch {
          // The server stopped while a fault was under way: the schedule ends with it.
          running = false;
        }
        next();
      },
      everyMs * (0.5 + random()),
    );
  };
  next();
  return {
    log,
    async stop() {
      running = false;
      clearTimeout(timer);
      await current.catch(() => {});
    },
  };
}
