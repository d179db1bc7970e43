import { spawn } from 'node:child_process';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import type { Client } from '../src/client.js';
import type { AckMode } from '../src/core/streams/delivery.js';
import type { EventwireEvent } from '../src/protocol/event.js';
import type { ConnectionState, EventSchemas, LifecycleEvents } from '../src/types.js';

/** Resolves with the next `type` lifecycle event of `client` that satisfies `predicate`. */
export function next<E extends EventSchemas, K extends keyof LifecycleEvents>(
  client: Client<E, AckMode>,
  type: K,
  predicate: (payload: LifecycleEvents[K]) => boolean = () => true,
  timeoutMs = 10_000,
): Promise<LifecycleEvents[K]> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      off();
      reject(new Error(`timed out after ${timeoutMs} ms waiting for ${type}`));
    }, timeoutMs);
    const off = client.on(type, (payload: LifecycleEvents[K]) => {
      if (!predicate(payload)) return;
      clearTimeout(timer);
      off();
      resolve(payload);
    });
  });
}

/** Resolves with the next server event named `name`. */
export function nextEvent<E extends EventSchemas>(client: Client<E, AckMode>, name: string, timeoutMs = 10_000) {
  const untyped = client as unknown as Client;
  return new Promise<EventwireEvent>((resolve, reject) => {
    const timer = setTimeout(() => {
      off();
      reject(new Error(`timed out after ${timeoutMs} ms waiting for ${name}`));
    }, timeoutMs);
    const off = untyped.on(name, (ev) => {
      clearTimeout(timer);
      off();
      resolve(ev);
    });
  });
}

/** Resolves when the client reaches `state`. */
export function reach<E extends EventSchemas>(
  client: Client<E, AckMode>,
  state: ConnectionState,
  timeoutMs?: number,
): Promise<void> {
  if (client.state === state) return Promise.resolve();
  return next(client, 'state', (s) => s.to === state, timeoutMs).then(() => undefined);
}

/** What `call` throws (undefined when it returns): to assert on an error a synchronous call refuses with. */
export function thrown(call: () => unknown): unknown {
  try {
    call();
  } catch (error) {
    return error;
  }
  return undefined;
}

/**
 * Resolves once `condition()` holds, checking every 5 ms; rejects after `timeoutMs`. For
 * state that no event announces (the server's side of a connection, counters).
 */
export async function eventually(condition: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms: ${condition.toString()}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

/**
 * Watches this process's event loop: `stop()` returns the longest it was held up (ms) since. A
 * timer runs that much late at worst, so a bound on when a timer-driven thing happens (a
 * heartbeat's detection) allows it: on a loaded machine the CPU, not the code, decides.
 */
export function loopStalls(): { stop(): number } {
  const histogram = monitorEventLoopDelay({ resolution: 10 });
  histogram.enable();
  return {
    stop() {
      histogram.disable();
      return histogram.max / 1e6;
    },
  };
}

/**
 * Runs a fixture script (test/fixtures/, through tsx) in a child process and resolves with its
 * exit code and what it printed, with the time from its last line of output to its exit.
 * Start-up (tsx compiles the sources) is not timed: on a loaded machine it alone can take
 * seconds. A script that never exits is killed after `killAfterMs`, a safety net far beyond any start-up.
 */
export function runFixture(fixture: string, args: string[] = [], killAfterMs = 45_000) {
  const script = fileURLToPath(new URL(`./fixtures/${fixture}`, import.meta.url));
  const child = spawn(process.execPath, ['--import', 'tsx', script, ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  let lastOutputAt = 0;
  child.stdout.on('data', (d) => {
    out += d;
    lastOutputAt = performance.now();
  });
  const killer = setTimeout(() => child.kill('SIGKILL'), killAfterMs);
  return new Promise<{ code: number | null; out: string; exitedAfterOutputMs: number }>((resolve) =>
    child.on('close', (code) => {
      clearTimeout(killer);
      resolve({ code, out, exitedAfterOutputMs: performance.now() - lastOutputAt });
    }),
  );
}
