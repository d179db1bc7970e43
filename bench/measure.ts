/**
 * Every measurement of `npm run bench`, in one run, each phase timed. Server and clients run in
 * separate processes on 127.0.0.1; every speed is also kept with the baseline it is compared to
 * (bare `ws` + JSON.parse, socket.io-client, a bare `WebSocket` page), measured in the same run.
 * The plan says how much: the default is the honest run, `quick` a smaller one for development.
 */
import { availableParallelism, loadavg } from 'node:os';
import { type BrowserPlan, median, runBrowserCpu } from './browser-cpu.js';
import { runDecodeBench } from './decode.js';
import { heapBreakdown } from './heap.js';
import { cpuBreakdown } from './profile.js';
import { herd, timeToFirstEvent } from './reconnect.js';
import { runShareBench } from './share.js';
import { sizes } from './size.js';
import { runClient, startFeeder } from './spawn.js';

export interface Plan {
  name: 'full' | 'quick';
  /** Events per Node throughput run (and per profiled run). */
  events: number;
  /** Node throughput runs per client, round-robin. */
  runs: number;
  /** Events per latency run (one per ms). */
  latencyEvents: number;
  /** Idle clients in the Node memory run. */
  memoryClients: number;
  /** Clients in the reconnect herd. */
  herd: number;
  /** Outages timed for the first event after a restart. */
  firstEventTrials: number;
  browser: BrowserPlan;
}

export const PLANS: Record<Plan['name'], Plan> = {
  full: {
    name: 'full',
    events: 200_000,
    // 5 runs and 9 rounds: on 2 shared cores one round can read 0.6x and the next 1.0x; a median of
    // more rounds moves less between two runs of the same code (bench/history.md)
    runs: 5,
    latencyEvents: 10_000,
    memoryClients: 1_000,
    herd: 500,
    firstEventTrials: 5,
    browser: { events: 20_000, warmup: 5_000, rounds: 9 },
  },
  quick: {
    name: 'quick',
    events: 50_000,
    runs: 1,
    latencyEvents: 2_000,
    memoryClients: 300,
    herd: 100,
    firstEventTrials: 1,
    browser: { events: 5_000, warmup: 2_000, rounds: 2 },
  },
};

export type Row = Record<string, number | string>;

export const SCENARIOS = [
  ['raw', 'bare `ws` + JSON.parse (the limit)'],
  ['eventwire-on', 'eventwire: `client.on(name)`, counting handler'],
  ['eventwire-sub', 'eventwire: filtered subscription, counting handler'],
  ['eventwire-zod', 'eventwire + a zod/mini schema on the event data'],
  ['eventwire-batch', 'eventwire, batch_size=50'],
  ['eventwire-gzip', 'eventwire, batch_size=50 + gzip'],
  ['socketio', 'socket.io-client 4 (websocket transport)'],
  ['rws', 'bare reconnecting-websocket + JSON.parse'],
] as const;

export const MEMORY_SCENARIOS = [
  ['raw', 'bare `ws`'],
  ['eventwire', 'eventwire, idle (default heartbeat on)'],
  ['eventwire-sub', 'eventwire, one filtered subscription'],
  ['eventwire-on', 'eventwire, one `client.on(name)` listener'],
  ['socketio', 'socket.io-client 4'],
] as const;

const log = (s: string) => process.stderr.write(`${s}\n`);

export async function measure(plan: Plan, buildSeconds: number) {
  const started = Date.now();
  const loadBefore = loadavg();
  const phases: Record<string, number> = { build: buildSeconds };
  const phase = async <T>(name: string, run: () => Promise<T> | T): Promise<T> => {
    const t0 = Date.now();
    log(`${name}...`);
    const result = await run();
    phases[name] = (Date.now() - t0) / 1000;
    log(`  ${name}: ${phases[name]?.toFixed(0)} s`);
    return result;
  };

  // Size and browser first: they read the packed package (`npm pack`, installed in an app of its own).
  const sizeRows = await phase('size', sizes);
  const browser = await phase('browser CPU (Chromium, DevTools protocol)', () => runBrowserCpu(plan.browser));

  const feeder = await startFeeder();
  const events = String(plan.events);
  // Round-robin: the machine is shared, and interleaving keeps a slow minute from landing on one
  // client only. Figures are medians of the runs; ratios are taken run by run (clients of one
  // round ran back to back), then their median.
  const throughput = new Map<string, Row>();
  const cpuRuns = new Map<string, number[]>();
  const epsRuns = new Map<string, number[]>();
  await phase('Node throughput', async () => {
    for (let run = 0; run < plan.runs; run++) {
      for (const [scenario] of SCENARIOS) {
        const row = await runClient('throughput', scenario, feeder.port, { BENCH_EVENTS: events });
        const previous = throughput.get(scenario);
        if (!previous || Number(row.eventsPerSecond) > Number(previous.eventsPerSecond)) throughput.set(scenario, row);
        cpuRuns.set(scenario, [...(cpuRuns.get(scenario) ?? []), Number(row.cpuMicrosPerEvent)]);
        epsRuns.set(scenario, [...(epsRuns.get(scenario) ?? []), Number(row.eventsPerSecond)]);
      }
    }
  });

  const latency = await phase('Node latency', async () => {
    const out: Record<string, Row> = {};
    for (const scenario of ['raw', 'eventwire-on', 'socketio'])
      out[scenario] = await runClient('latency', scenario, feeder.port, {
        BENCH_LATENCY_EVENTS: String(plan.latencyEvents),
      });
    return out;
  });

  const memory = await phase('Node idle heap', async () => {
    const out: Record<string, Row> = {};
    for (const [scenario] of MEMORY_SCENARIOS)
      out[scenario] = await runClient('memory', scenario, feeder.port, { BENCH_CLIENTS: String(plan.memoryClients) });
    return out;
  });

  const heaps = await phase('where the heap goes (heap snapshots)', async () => ({
    'bare ws': await heapBreakdown('raw', feeder.port),
    'eventwire idle': await heapBreakdown('eventwire', feeder.port),
    'eventwire + subscription': await heapBreakdown('eventwire-sub', feeder.port),
  }));

  const nodeProfiles = await phase('where the Node CPU goes (profiles)', async () => {
    const out = [];
    for (const scenario of ['raw', 'eventwire-on', 'eventwire-sub', 'socketio'])
      out.push({ label: scenario, ...(await cpuBreakdown(scenario, feeder.port, plan.events)) });
    return out;
  });
  await feeder.stop();

  const reconnect = await phase('reconnect', async () => ({
    firstEvent: await timeToFirstEvent(plan.firstEventTrials),
    herdFull: await herd(plan.herd, 'full'),
    herdNone: await herd(plan.herd, 'none'),
  }));
  const share = await phase('share: tabs (Chromium)', runShareBench);
  const micro = await phase('hot path micro-benchmark', runDecodeBench);

  return {
    plan,
    load: loadLine(loadBefore, loadavg()),
    seconds: (Date.now() - started) / 1000 + buildSeconds,
    phases,
    date: new Date().toISOString(),
    throughput: Object.fromEntries(throughput),
    cpuRuns: Object.fromEntries(cpuRuns),
    epsRuns: Object.fromEntries(epsRuns),
    latency,
    memory,
    heaps,
    nodeProfiles,
    ...reconnect,
    // the files' texts and maps are for the breakdown only, not kept
    sizeRows: JSON.parse(
      JSON.stringify(sizeRows, (k, v) => (k === 'text' || k === 'map' ? undefined : v)),
    ) as typeof sizeRows,
    browser,
    share,
    micro,
  };
}

export type Results = Awaited<ReturnType<typeof measure>>;

/** One line on how loaded the machine was while measuring (the lead reruns on a quiet one). */
function loadLine(before: number[], after: number[]): string {
  const l = (xs: number[]) => xs.map((v) => v.toFixed(1)).join(' / ');
  return `Load average (1/5/15 min) ${l(before)} at the start, ${l(after)} at the end: ${
    Math.max(before[0] ?? 0, after[0] ?? 0, after[1] ?? 0) > availableParallelism() * 0.5
      ? 'measured under load (other work shared the cores), so absolute figures are noisy; compare the ratios.'
      : 'a quiet machine.'
  }`;
}

/** Accessors over one run's figures, each the figure its target compares. */
export function figures(r: Results) {
  const row = (s: string) => r.throughput[s] as Row;
  return {
    /** events/s: median run. */
    eps: (s: string) => median(r.epsRuns[s] ?? []),
    /** CPU µs per event: median run. */
    cpu: (s: string) => median(r.cpuRuns[s] ?? []),
    rss: (s: string) => Number(row(s).rssMB),
    heap: (s: string) => Number(r.memory[s]?.heapKBPerClient),
    rssPerClient: (s: string) => Number(r.memory[s]?.rssKBPerClient),
    /**
     * A ratio taken run by run (the two clients ran back to back in the same round), then the
     * median of those: steadier on a shared machine than a ratio of two bests.
     */
    paired: (kind: 'eps' | 'cpu', a: string, b: string) => {
      const runs = kind === 'eps' ? r.epsRuns : r.cpuRuns;
      const bs = runs[b] ?? [];
      const ratios = (runs[a] ?? []).map((v, i) => v / (bs[i] ?? Number.NaN));
      return { median: median(ratios), min: Math.min(...ratios), max: Math.max(...ratios), n: ratios.length };
    },
    browserScript: (s: string) => median(r.browser.rows.find((x) => x.scenario === s)?.script ?? []),
    browserRatio: (s: string) => median(r.browser.rows.find((x) => x.scenario === s)?.ratio ?? []),
    /** The round-by-round ratios' range. */
    browserRuns: (s: string) => {
      const ratios = r.browser.rows.find((x) => x.scenario === s)?.ratio ?? [];
      return { min: Math.min(...ratios), max: Math.max(...ratios), n: ratios.length };
    },
    latency: (s: string) => r.latency[s] as Row,
  };
}
