/**
 * BENCHMARKS.md from one run's figures: issue 22's targets first (PASS or MISS, with where the
 * bytes, the time or the heap go for each MISS), then every table the run measured.
 */
import { readFileSync } from 'node:fs';
import { availableParallelism, cpus } from 'node:os';
import { figures, MEMORY_SCENARIOS, type Results, SCENARIOS } from './measure.js';
import { anchorTable, browserTable, eventwireSizeTable, fmt, kb } from './report.js';
import { FIRST_LOAD_KB, issueTargets, targetTable, whereSections } from './targets.js';

/** Comparisons made once, by hand, from separate runs (kept: their ratios are from their own runs). */
const history = () => readFileSync(new URL('./history.md', import.meta.url), 'utf8').trim();

type Other = readonly [label: string, value: number, goal: number, higher: boolean, unit?: string];
function otherTable(rows: Other[]) {
  const pass = ([, value, goal, higher]: Other) => (higher ? value >= goal : value <= goal);
  return `| target | measured | goal | |
|---|---:|---:|---|
${rows.map((r) => `| ${r[0]} | ${fmt(r[1], 2)}${r[4] ?? ''} | ${r[3] ? '>=' : '<='} ${r[2]}${r[4] ?? ''} | ${pass(r) ? 'PASS' : 'MISS'} |`).join('\n')}`;
}

const histogram = (buckets: Array<[number, number]>, total: number) =>
  buckets
    .map(([b, n]) => `${String(b * 100).padStart(6)} ms ${'#'.repeat(Math.max(1, Math.round((n / total) * 60)))} ${n}`)
    .join('\n');

/** Errors by code, as counted by the reconnect benchmarks (an attempt refused while down is a ConnectionError). */
const errorsOf = (counts: Record<string, number> | undefined) =>
  Object.entries(counts ?? {})
    .map(([code, n]) => `\`${code}\` ${fmt(n)}`)
    .join(', ') || 'none';

export function renderMarkdown(r: Results): string {
  const f = figures(r);
  const s = r.sizeRows;
  const targets = issueTargets(r);
  const coreFirst = s.core.esbuild.first.gzip;
  const socketio = s.anchors.find((a) => a.name === 'socket.io-client');
  const lat = (sc: string) => Number(f.latency(sc).p99);
  const others: Other[] = [
    [
      'batched (50) events/s vs unbatched (subscription)',
      f.eps('eventwire-batch') / f.eps('eventwire-sub'),
      1.4,
      true,
      'x',
    ],
    [
      'batched + gzip events/s vs unbatched (subscription)',
      f.eps('eventwire-gzip') / f.eps('eventwire-sub'),
      1.2,
      true,
      'x',
    ],
    ['p99 latency (`client.on`) vs bare `ws`', lat('eventwire-on') / lat('raw'), 1.2, false, 'x'],
    ['eventwire + eventwire/react over the core (KB)', (s.react.first.gzip - coreFirst) / 1024, 2, false],
    ['eventwire + eventwire/svelte over the core (KB)', (s.svelte.first.gzip - coreFirst) / 1024, 1, false],
    ['copies of the client in a React or Svelte app bundle', Math.max(s.react.clients, s.svelte.clients), 1, false],
  ];
  const passed = targets.filter((t) => t.pass).length;
  const phases = Object.entries(r.phases)
    .map(([name, sec]) => `${name} ${fmt(sec)} s`)
    .join(', ');
  const b = r.browser;
  return `# Benchmarks

Written by \`npm run bench\`${r.plan.name === 'quick' ? ' --quick (a smaller run for development: not the figures to quote)' : ''} in ${fmt(r.seconds / 60, 1)} minutes (${phases}).
Date: ${r.date}. Node ${process.version}, ${availableParallelism()} cores (${cpus()[0]?.model.trim() ?? '?'}).
${r.load}

Every client and the server run in separate processes on 127.0.0.1; the server (\`bench/feeder.ts\`,
a bare \`ws\` server sending pre-encoded frames, corked) is never the bottleneck. Every ratio is to a
baseline measured in the same run: absolute figures drift on a shared machine, ratios much less.

\`\`\`sh
npm run bench            # builds, packs, measures everything below, writes this file (the honest run)
npm run bench:quick      # a smaller run for development (about 5 minutes): bench/.out/BENCHMARKS.quick.md
npm run bench -- --no-build           # measure the dist/ already built
npm run bench -- --from=bench/.out/last-run.json   # rewrite this file from a run's figures
npm run bench:decode     # the hot-path micro-benchmark alone
\`\`\`

## Targets of issue 22: lighter than socket.io-client, with every feature

**${passed} of ${targets.length} PASS.** Node and Chromium ratios are medians of ratios taken round by round (the
clients of a round ran back to back), so they can differ a little from the quotient of the two medians; the range
of those ratios follows, and a verdict whose runs fall on both sides of the goal says so (within this run's noise). Sizes: eventwire from the \`npm pack\`ed tarball installed into an app
directory of its own, bundled as an app does (section Size). Chromium: script per event through the
DevTools protocol, no Playwright (section Browser CPU). Node: the built package in plain \`node\`, one
process per client (sections Throughput and Memory).

${targetTable(targets)}

${whereSections(r, targets)}

## Other targets

${otherTable(others)}

## Size

What an app ships: gzip -9 of each file the browser fetches on first load (the entry and every
chunk it imports statically), KB = 1,024 bytes. Each library from its own installed package,
imported as the "app imports" column says, bundled two ways: esbuild (browser, ESM, minified, code
splitting on, \`tsconfigRaw: '{}'\`) and a Vite ${s.viteVersion} app build (index.html + main.js, Vite's
defaults but its modulepreload polyfill, which is Vite's own bytes). "On demand" is what
\`import()\` loads only when a feature needs it (eventwire: \`share: 'tabs'\`).
eventwire ${s.packed.version} is the \`npm pack\`ed tarball installed with \`npm install\` into a temporary
app directory (\`bench/pack.ts\`). socket.io-client measures ${socketio ? kb(socketio.esbuild.first.gzip, 2) : 'n/a'} KB here; the goal, ${FIRST_LOAD_KB} KB, is its
size when the issue was written.

${anchorTable(s)}

eventwire's own bundles (bytes; "clients" counts the copies of the client in the first load and
the on-demand chunks):

${eventwireSizeTable(s)}

## Browser CPU (Chromium)

${b.version}, headless, launched by \`bench/cdp.ts\` and driven over the DevTools protocol
(no Playwright: its network reporting adds tens of µs per frame to every client; the Network
domain is never enabled). Each client in a fresh page served with its bundle by the feeder
(one origin: the page, the esbuild bundle of the packed package, the WebSocket on 127.0.0.1).
After ${fmt(b.warmup)} warm-up events, ${fmt(b.events)} events, one per frame; script time is
\`Performance.getMetrics\` ScriptDuration before and after (${b.timeDomain}: the main thread's CPU
time), main-thread time is TaskDuration (also the browser's own frame handling and event
dispatch). ${b.rounds} rounds, round-robin; each ratio is to the bare page of the same round.

${browserTable(b)}

## Throughput

${fmt(r.plan.events)} events of about 200 bytes each, sent as fast as the client drains them. ${r.plan.runs} run(s) per client,
taken round-robin: each figure is the median run, each ratio the median of the run-by-run ratios.

| client | events/s | client CPU µs/event | RSS MB | events/s vs bare ws | CPU vs socket.io-client |
|---|---:|---:|---:|---:|---:|
${SCENARIOS.map(([sc, label]) => `| ${label} | ${fmt(f.eps(sc))} | ${fmt(f.cpu(sc), 2)} | ${fmt(f.rss(sc))} | ${fmt(f.paired('eps', sc, 'raw').median, 2)}x | ${fmt(f.paired('cpu', sc, 'socketio').median, 2)}x |`).join('\n')}

## Latency

One event per ms (${fmt(r.plan.latencyEvents)} events), publish to handler (stamped with the monotonic clock, shared by the processes).

| client | p50 ms | p99 ms | max ms | p99 ratio to bare ws |
|---|---:|---:|---:|---:|
${['raw', 'eventwire-on', 'socketio']
  .map((sc) => {
    const row = f.latency(sc);
    return `| ${sc} | ${fmt(Number(row.p50), 3)} | ${fmt(Number(row.p99), 3)} | ${fmt(Number(row.max), 3)} | ${fmt(Number(row.p99) / lat('raw'), 2)}x |`;
  })
  .join('\n')}

## Memory

${fmt(r.plan.memoryClients)} idle connected clients in one process (heap after GC), the built package loaded by plain
\`node\` (no TypeScript loader in the measured process).

| client | heap KB per client | RSS KB per client |
|---|---:|---:|
${MEMORY_SCENARIOS.map(([sc, label]) => `| ${label} | ${fmt(f.heap(sc), 2)} | ${fmt(f.rssPerClient(sc), 1)} |`).join('\n')}

## Reconnect

- Server back up to first event delivered, default policy (2 s outage, median of ${r.firstEvent.samples.length}):
  **${fmt(r.firstEvent.medianMs)} ms** (samples: ${r.firstEvent.samples.map((x) => fmt(x)).join(', ')} ms). The default
  policy's delays after a 2 s outage are up to 0.5, 1 and 2 s (full jitter), so this is mostly backoff.
  Errors the client reported while the server was down: ${errorsOf(r.firstEvent.errors)}.
- ${fmt(r.plan.herd)} clients reconnecting after a 3 s outage: attempts per 100 ms from the moment the server went down.

Full jitter: ${r.herdFull.attempts} attempts, largest share in one 100 ms window **${fmt(r.herdFull.maxShare * 100, 1)}%**, all back ${fmt(r.herdFull.allBackMs)} ms after the server returned; errors reported: ${errorsOf(r.herdFull.errors)}.

\`\`\`
${histogram(r.herdFull.buckets, r.herdFull.attempts)}
\`\`\`

No jitter: ${r.herdNone.attempts} attempts, largest share in one 100 ms window **${fmt(r.herdNone.maxShare * 100, 1)}%**, all back ${fmt(r.herdNone.allBackMs)} ms after the server returned; errors reported: ${errorsOf(r.herdNone.errors)}.

\`\`\`
${histogram(r.herdNone.buckets, r.herdNone.attempts)}
\`\`\`

## Sharing one connection between tabs (\`share: 'tabs'\`)

In headless Chromium (through Playwright: this measures heap and latency, not script per frame), the
built browser module, ${r.share.clients} idle clients in one page (heap after a full GC, through the DevTools
protocol): as followers of a leader in another page, and with a socket each. Latency: 1,000 events at
200 a second, publish (server clock) to handler, in the leader's own tab and in a follower tab, same run.

| | heap KB per client | p50 ms | p99 ms |
|---|---:|---:|---:|
| follower tab's client (shares the leader's socket) | ${fmt(r.share.followerKB, 1)} | ${fmt(r.share.follower.p50, 2)} | ${fmt(r.share.follower.p99, 2)} |
| leader tab's client (the socket is in its tab) | | ${fmt(r.share.leader.p50, 2)} | ${fmt(r.share.leader.p99, 2)} |
| a client with its own socket | ${fmt(r.share.directKB, 1)} | | |

A follower adds **${fmt(r.share.follower.p50 - r.share.leader.p50, 2)} ms** at p50 and **${fmt(r.share.follower.p99 - r.share.leader.p99, 2)} ms** at p99
(one hop through a \`BroadcastChannel\`). What sharing saves is not heap in the tab (a
follower's client is a whole client, plus its channel; the socket's own buffers live outside
the JS heap) but what the server and the network pay per tab: one socket, one heartbeat and
one token refresh for all of them.

## Hot path micro-benchmark

Frame -> events -> a filtered subscription, in one process without sockets (\`bench/decode.ts\`, from the sources).

| path | events/s | ratio to JSON.parse |
|---|---:|---:|
${r.micro.map((m) => `| ${m.label} | ${fmt(m.eventsPerSecond)} | ${fmt(m.ratio, 2)}x |`).join('\n')}

${history()}
`;
}
