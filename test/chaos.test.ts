/** The short chaos run (npm run chaos is the long one). */
import { expect, it } from 'vitest';
import { runChaos } from './fixtures/chaos-run.js';
import { loopStalls } from './helpers.js';

it('a short chaos run: nothing lost or doubled, order kept, blackholes detected in time, no request hangs', async () => {
  const stalls = loopStalls();
  const report = await runChaos({
    seed: Number(process.env.CHAOS_SEED ?? 7),
    events: 3_000,
    faults: 24,
    durationMs: 8_000,
  });
  expect(Object.values(report.faults).reduce((a, b) => a + b, 0)).toBeGreaterThan(10);
  expect(report.connections).toBeGreaterThan(3);
  for (const sub of report.perSubscription) {
    expect(sub).toMatchObject({ lost: 0, duplicated: 0, ordered: true });
    expect(sub.delivered).toBe(sub.expected);
  }
  expect(report.unackedWanted).toBe(0); // every delivered event that required an ack was acked
  expect(report.gaps).toEqual([]); // the server's buffer held everything
  // the budget, plus the longest the event loop was held up (client, server and proxy share it:
  // a loaded machine runs the heartbeat's timers late, whatever the client does)
  const stalled = stalls.stop();
  for (const ms of report.detections) expect(ms).toBeLessThanOrEqual(report.detectionBudgetMs + stalled);
  expect(report.requests.hung).toBe(0);
  expect(report.requests.rejectedOther).toBe(0);
  expect(report.requests.resolved).toBeGreaterThan(0);
}, 90_000);
