/**
 * Reconnect benchmarks (the clients run in this process, the server in its own):
 * - time from the server being back up to the first event delivered, default policy;
 * - the herd: N clients reconnecting after a restart, attempts per 100 ms, full jitter vs none.
 */
import { createClient, type Jitter } from '../src/index.js';
import { startFeeder } from './spawn.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Errors the clients report while the server is down: expected (an attempt that is refused is a
 * ConnectionError), counted by code rather than printed, and returned with the figures.
 */
function errorCounter() {
  const counts: Record<string, number> = {};
  const count = (e: { code: string }) => {
    counts[e.code] = (counts[e.code] ?? 0) + 1;
  };
  return { counts, count };
}

/** ms from the restarted server listening to the first event delivered; median of `trials`. */
export async function timeToFirstEvent(trials = 5, downtime = 2_000) {
  const results: number[] = [];
  const errors = errorCounter();
  for (let t = 0; t < trials; t++) {
    let feeder = await startFeeder();
    const port = feeder.port;
    const client = createClient({
      url: `ws://127.0.0.1:${port}/?mode=eventwire&count=1000000&rate=1`,
      signals: false,
      on: { error: errors.count },
    });
    const sub = client.subscribe('TaskStatusChanged');
    let firstAfterUp = 0;
    let upAt = Number.POSITIVE_INFINITY;
    const got = new Promise<void>((resolve) =>
      sub.on(() => {
        if (performance.now() > upAt && !firstAfterUp) {
          firstAfterUp = performance.now();
          resolve();
        }
      }),
    );
    await new Promise<void>((r) => sub.on('state', ({ to }) => to === 'active' && r()));
    await feeder.stop();
    await sleep(downtime);
    feeder = await startFeeder(port);
    upAt = performance.now();
    await got;
    results.push(firstAfterUp - upAt);
    client.close();
    await feeder.stop();
  }
  results.sort((a, b) => a - b);
  return { medianMs: results[Math.floor(results.length / 2)] as number, samples: results, errors: errors.counts };
}

/** N clients, a restart after `downtime`: when did their attempts happen? */
export async function herd(clients: number, jitter: Jitter, downtime = 3_000) {
  let feeder = await startFeeder();
  const port = feeder.port;
  const attempts: number[] = [];
  const errors = errorCounter();
  let restartAt = 0;
  const all = Array.from({ length: clients }, () =>
    createClient({
      url: `ws://127.0.0.1:${port}/?mode=eventwire&hold=1`,
      signals: false,
      heartbeat: false,
      backoff: { jitter },
      on: {
        state: ({ to }) => void (to === 'connecting' && restartAt && attempts.push(performance.now())),
        error: errors.count,
      },
    }),
  );
  const openCount = () => all.filter((c) => c.state === 'open').length;
  while (openCount() < clients) await sleep(50);
  await feeder.stop();
  restartAt = performance.now();
  await sleep(downtime);
  feeder = await startFeeder(port);
  const upAt = performance.now();
  const deadline = upAt + 60_000;
  while (openCount() < clients && performance.now() < deadline) await sleep(20);
  const allBackMs = performance.now() - upAt;
  for (const c of all) c.close();
  await feeder.stop();
  const buckets = new Map<number, number>();
  for (const t of attempts) {
    const b = Math.floor((t - restartAt) / 100);
    buckets.set(b, (buckets.get(b) ?? 0) + 1);
  }
  const maxShare = Math.max(...buckets.values()) / attempts.length;
  return {
    attempts: attempts.length,
    maxShare,
    allBackMs,
    errors: errors.counts,
    buckets: [...buckets.entries()].sort((a, b) => a[0] - b[0]),
  };
}
