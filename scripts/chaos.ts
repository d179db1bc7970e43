/**
 * `npm run chaos`: the long chaos run (20,000 events, 200 faults), the leak cycles and the
 * herd, each asserted; the figures go to CHAOS.md. Exits non-zero if any promise is broken.
 * CHAOS_SEED replays a run.
 */
import { writeFileSync } from 'node:fs';
import { runChaos } from '../test/fixtures/chaos-run.js';
import { runHerd } from '../test/fixtures/herd.js';
import { runLeaks } from '../test/fixtures/leaks.js';

const seed = Number(process.env.CHAOS_SEED ?? 20261122);
const log = (s: string) => process.stderr.write(`${s}\n`);
const failures: string[] = [];
const check = (ok: boolean, what: string) => {
  log(`${ok ? 'ok  ' : 'FAIL'} ${what}`);
  if (!ok) failures.push(what);
};
const started = Date.now();

log(`chaos run, seed ${seed}...`);
const chaos = await runChaos({ seed, events: 20_000, faults: 200, durationMs: 150_000 });
const lost = chaos.perSubscription.reduce((a, s) => a + s.lost, 0);
const duplicated = chaos.perSubscription.reduce((a, s) => a + s.duplicated, 0);
check(lost === 0, `0 events lost (${lost})`);
check(duplicated === 0, `0 events duplicated (${duplicated})`);
check(
  chaos.perSubscription.every((s) => s.ordered),
  'order kept per subscription',
);
check(chaos.gaps.length === 0, `no gap reported, the buffer held everything (${chaos.gaps.length})`);
check(
  chaos.detections.every((d) => d <= chaos.detectionBudgetMs),
  `every blackhole detected within ${chaos.detectionBudgetMs} ms`,
);
check(
  chaos.requests.hung === 0 && chaos.requests.rejectedOther === 0,
  'every request resolved or rejected with a typed error',
);
check(chaos.unackedWanted === 0, `every delivered event that required an ack was acked (${chaos.unackedWanted} left)`);
const injectedFaults = Object.values(chaos.faults).reduce((a, b) => a + b, 0);
check(injectedFaults === 200, `200 faults injected (${injectedFaults})`);

log('leaks...');
const leaks = await runLeaks();
const heapDelta = leaks.afterSubscribes.heapMB - leaks.baseline.heapMB;
check(heapDelta < 5, `heap after GC within 5 MB of the baseline (${heapDelta.toFixed(2)} MB)`);
check(
  leaks.afterSubscribes.timers <= leaks.baseline.timers,
  `active timers back to baseline (${leaks.baseline.timers} -> ${leaks.afterSubscribes.timers})`,
);
check(
  leaks.afterSubscribes.handles <= leaks.baseline.handles,
  `active handles back to baseline (${leaks.baseline.handles} -> ${leaks.afterSubscribes.handles})`,
);
check(
  leaks.listenersAfter === leaks.listenersBefore,
  `listeners back to baseline (${leaks.listenersBefore} -> ${leaks.listenersAfter})`,
);
check(
  leaks.stats.subscriptions === 1 && leaks.serverSubscriptions === 1,
  'only the one live subscription left, client and server side',
);

log('herd...');
const herd = await runHerd();
check(herd.back === herd.clients, `all ${herd.clients} clients back (${herd.back})`);
check(herd.allBackMs <= herd.maxDelay + 2_000, `all back within maxDelay + 2 s (${herd.allBackMs} ms)`);

const sum = (o: Record<string, number>) => Object.values(o).reduce((a, b) => a + b, 0);
const pct = (xs: number[], q: number) => xs[Math.min(xs.length - 1, Math.floor(q * xs.length))] ?? 0;
const md = `# Chaos

Figures of the last \`npm run chaos\` (${new Date().toISOString()}, ${((Date.now() - started) / 1000).toFixed(0)} s, Node ${process.version}).
Seed ${seed}: \`CHAOS_SEED=${seed} npm run chaos\` replays it. A short version (3,000 events, 24 faults)
runs in \`npm test\` (\`test/chaos.test.ts\`).

Setup: the reference server behind a fault-injecting TCP proxy (\`test/fixtures/chaos-proxy.ts\`) on
127.0.0.1; one client, heartbeat 300 ms + 400 ms, backoff 20-300 ms, gzip batches of up to 20;
3 subscriptions whose filters overlap; every 5th event requires an ack; a request every 50 ms.

## Faults injected (${sum(chaos.faults)})

| kind | count |
|---|---:|
${Object.entries(chaos.faults)
  .map(([k, v]) => `| ${k} | ${v} |`)
  .join('\n')}

${chaos.connections} connections in all.

## Events

| subscription | expected | delivered | lost | duplicated | in order |
|---|---:|---:|---:|---:|---|
${chaos.perSubscription.map((s, i) => `| ${['TaskStatusChanged status in [Running, Failed]', 'TaskStatusChanged+LogEntry level=ERROR', 'all names, metadata.region=eu'][i]} | ${s.expected} | ${s.delivered} | ${s.lost} | ${s.duplicated} | ${s.ordered ? 'yes' : 'NO'} |`).join('\n')}

Published: ${chaos.published}. Gaps reported: ${chaos.gaps.length} (the server's buffer held every event, so none was due).
Acks still awaited by the server at the end: ${chaos.unackedLeft}, all of them events that no subscription
matched, which the server therefore never sent (it re-sends an unacked event only where a subscription wants it).

## Detection of blackholed links

${chaos.detections.length} blackholes on a live link; detected in p50 ${pct(chaos.detections, 0.5)} ms, max ${chaos.detections.at(-1) ?? 0} ms (budget: interval + timeout + 1 s = ${chaos.detectionBudgetMs} ms).

## Requests

${chaos.requests.issued} issued: ${chaos.requests.resolved} resolved, ${chaos.requests.rejectedTyped} rejected with a typed error, ${chaos.requests.rejectedOther} otherwise, ${chaos.requests.hung} hung.

## Leaks

${leaks.connectCycles} connect/drop cycles, then ${leaks.subscribeCycles} subscribe/unsubscribe cycles.

| | baseline | after connects | after subscribes |
|---|---:|---:|---:|
| heap after GC (MB) | ${leaks.baseline.heapMB.toFixed(2)} | ${leaks.afterConnects.heapMB.toFixed(2)} | ${leaks.afterSubscribes.heapMB.toFixed(2)} |
| active timers | ${leaks.baseline.timers} | ${leaks.afterConnects.timers} | ${leaks.afterSubscribes.timers} |
| active handles | ${leaks.baseline.handles} | ${leaks.afterConnects.handles} | ${leaks.afterSubscribes.handles} |
| client listeners | ${leaks.listenersBefore} | | ${leaks.listenersAfter} |
| live subscriptions (client / server) | 1 / 1 | | ${leaks.stats.subscriptions} / ${leaks.serverSubscriptions} |

## The herd

${herd.clients} clients behind the proxy; the server restarts (down ${herd.downtime} ms). Backoff 500 ms base, maxDelay ${herd.maxDelay} ms, full jitter.
All back ${herd.allBackMs} ms after the server returned. ${herd.attempts} attempts; the largest share in any one 100 ms window: **${(herd.maxShare * 100).toFixed(1)}%**.

\`\`\`
${herd.buckets.map(([b, n]) => `${String(b * 100).padStart(6)} ms ${'#'.repeat(Math.max(1, Math.round((n / herd.attempts) * 80)))} ${n}`).join('\n')}
\`\`\`

## Verdict

${failures.length === 0 ? 'Every check passed.' : `FAILED: ${failures.join('; ')}`}
`;
writeFileSync(new URL('../CHAOS.md', import.meta.url), md);
log(md);
process.exit(failures.length === 0 ? 0 : 1);
