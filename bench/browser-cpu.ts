/**
 * JavaScript per event in Chromium: how much main-thread script time a page spends per event
 * received, for a bare `WebSocket` + `JSON.parse`, eventwire (`client.on(name)` and a filtered
 * subscription) and socket.io-client, one event per frame from the feeder on 127.0.0.1.
 *
 * Measured through the DevTools protocol directly (bench/cdp.ts: no Playwright, the Network
 * domain never enabled): `Performance.getMetrics` before and after a window of N events, with
 * durations in thread time (`timeDomain: 'threadTicks'`, the renderer main thread's CPU time,
 * so that another process on the shared cores does not count). ScriptDuration is the JavaScript
 * (the handler, JSON.parse, the client); TaskDuration is everything the main thread did (also
 * the WebSocket's own frame handling and event dispatch). Each page connects, takes a warm-up of
 * W events, then the measured N; rounds are taken round-robin over the clients, each page fresh.
 * The page, the bundles (esbuild, browser, minified; eventwire from the packed package) and the
 * WebSocket come from the same local server (the feeder with FEEDER_STATIC).
 *   tsx bench/browser-cpu.ts [--quick]   -> prints the table
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { CdpPage, launch } from './cdp.js';
import { packEventwire } from './pack.js';
import { type CpuSummary, type Profile, summarize } from './profile.js';
import { makeLookup, type SourceMapV3 } from './sourcemap.js';
import { startFeeder } from './spawn.js';

const repo = fileURLToPath(new URL('..', import.meta.url));
/** How much to measure: events per window, warm-up events before it, rounds over the clients. */
export interface BrowserPlan {
  events: number;
  warmup: number;
  rounds: number;
}
const DEFAULT_PLAN: BrowserPlan = { events: 20_000, warmup: 5_000, rounds: 9 };

const BROWSER_SCENARIOS = [
  ['raw', 'bare `WebSocket` + `JSON.parse`'],
  ['eventwire-on', "eventwire: `client.on('TaskStatusChanged')`"],
  ['eventwire-sub', 'eventwire: filtered subscription'],
  ['socketio', 'socket.io-client 4 (websocket transport)'],
] as const;
type Scenario = (typeof BROWSER_SCENARIOS)[number][0];

/** The page: opens one consumer of the scenario, counts events, `until(k)` resolves at the k-th. */
const PAGE_JS = `
const q = new URLSearchParams(location.search);
const scenario = q.get('s');
const base = 'ws://' + location.host + '/?tag=' + q.get('tag');
let count = 0;
let target = Infinity;
let done = () => {};
const sink = () => {
  if (++count === target) done();
};
window.until = (k) => new Promise((resolve) => {
  target = k;
  done = resolve;
  if (count >= k) resolve();
});
async function open() {
  if (scenario === 'raw') {
    const ws = new WebSocket(base + '&mode=plain');
    ws.onmessage = (e) => sink(JSON.parse(e.data));
    await new Promise((r) => (ws.onopen = r));
  } else if (scenario === 'socketio') {
    const { io } = await import('./socketio.js');
    const socket = io(base + '&mode=socketio', { transports: ['websocket'], reconnection: false });
    socket.on('TaskStatusChanged', sink);
    await new Promise((r) => socket.once('connect', r));
  } else {
    const { createClient } = await import('./eventwire.js');
    const client = createClient({ url: base + '&mode=eventwire' });
    if (scenario === 'eventwire-on') {
      client.on('TaskStatusChanged', sink);
      await client.ready();
    } else {
      const sub = client.subscribe('TaskStatusChanged', { filters: { status: ['Pending', 'Running', 'Failed', 'Done'] } });
      sub.on(sink);
      await sub.ready();
    }
  }
  window.connected = true;
}
open().catch((e) => (window.failed = String(e)));
`;

/** esbuild of `contents` for the browser, minified, into dir/name (with its source map, chained to the package's). */
async function bundle(resolveDir: string, contents: string, dir: string, name: string) {
  const r = await build({
    stdin: { contents, resolveDir, loader: 'js' },
    bundle: true,
    minify: true,
    write: false,
    outfile: join(dir, name),
    sourcemap: 'external',
    format: 'esm',
    platform: 'browser',
    tsconfigRaw: '{}',
    logLevel: 'silent',
  });
  const js = r.outputFiles.find((f) => f.path.endsWith('.js'));
  const map = r.outputFiles.find((f) => f.path.endsWith('.map'));
  writeFileSync(join(dir, name), js?.text ?? '');
  return makeLookup(JSON.parse(map?.text ?? '{"sources":[],"mappings":""}') as SourceMapV3);
}

interface BrowserRow {
  scenario: Scenario;
  label: string;
  /** µs of script (ScriptDuration) per event, one figure per round. */
  script: number[];
  /** µs of main-thread work (TaskDuration) per event, one figure per round. */
  task: number[];
  /** script µs per event / the bare page's, in the same round. */
  ratio: number[];
}

export interface BrowserReport {
  version: string;
  events: number;
  warmup: number;
  rounds: number;
  timeDomain: string;
  rows: BrowserRow[];
  /** One profiled window per client: self time by file and function, shares of the script time (GC included). */
  profiles: Array<{ scenario: Scenario; label: string } & CpuSummary>;
}

export const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? (s[m] ?? Number.NaN) : ((s[m - 1] ?? 0) + (s[m] ?? 0)) / 2;
};

export async function runBrowserCpu(plan: BrowserPlan = DEFAULT_PLAN): Promise<BrowserReport> {
  const { events: EVENTS, warmup: WARMUP, rounds: ROUNDS } = plan;
  const packed = packEventwire();
  const dir = mkdtempSync(join(tmpdir(), 'eventwire-browser-cpu-'));
  writeFileSync(
    join(dir, 'index.html'),
    '<!doctype html><meta charset="utf-8"><script type="module" src="/page.js"></script>',
  );
  writeFileSync(join(dir, 'page.js'), PAGE_JS);
  const maps = new Map([
    ['/eventwire.js', await bundle(packed.appDir, `export { createClient } from 'eventwire';`, dir, 'eventwire.js')],
    ['/socketio.js', await bundle(repo, `export { io } from 'socket.io-client';`, dir, 'socketio.js')],
  ]);
  const feeder = await startFeeder(0, { FEEDER_STATIC: dir });
  const origin = `http://127.0.0.1:${feeder.port}`;
  const chromium = await launch();
  const go = async (tag: string, count: number) => {
    const res = await fetch(`${origin}/go?tag=${tag}&count=${count}`);
    if (res.status !== 204) throw new Error(`/go ${tag}: ${res.status}`);
  };
  const rows = new Map<Scenario, BrowserRow>(
    BROWSER_SCENARIOS.map(([scenario, label]) => [scenario, { scenario, label, script: [], task: [], ratio: [] }]),
  );
  let timeDomain = 'threadTicks';
  let serial = 0;
  /** A fresh page of `scenario`, connected and warmed up; `window(fn)` sends N events around fn's start and stop. */
  const openPage = async (scenario: Scenario) => {
    const page = await CdpPage.open(chromium.cdp);
    const tag = `p${process.pid}-${serial++}`;
    await page.goto(`${origin}/?s=${scenario}&tag=${tag}`, 'window.connected || window.failed');
    const failed = await page.evaluate<string | undefined>('window.failed');
    if (failed) throw new Error(`${scenario}: ${failed}`);
    // warm-up: the JIT and the client's first allocations, outside the window
    const warm = page.evaluate(`until(${WARMUP})`);
    await go(tag, WARMUP);
    await warm;
    await page.send('HeapProfiler.collectGarbage');
    const window = async () => {
      const measured = page.evaluate(`until(${WARMUP + EVENTS})`);
      await go(tag, EVENTS);
      await measured;
    };
    return { page, window };
  };
  const profiles: BrowserReport['profiles'] = [];
  try {
    for (let round = 0; round < ROUNDS; round++) {
      let bare = Number.NaN;
      for (const [scenario] of BROWSER_SCENARIOS) {
        const { page, window } = await openPage(scenario);
        try {
          await page.send('Performance.enable', { timeDomain }).catch(async () => {
            timeDomain = 'timeTicks';
            await page.send('Performance.enable', { timeDomain });
          });
          const before = await page.metrics();
          await window();
          const after = await page.metrics();
          const per = (name: string) => (((after[name] ?? 0) - (before[name] ?? 0)) * 1e6) / EVENTS;
          const row = rows.get(scenario) as BrowserRow;
          const script = per('ScriptDuration');
          if (scenario === 'raw') bare = script;
          row.script.push(script);
          row.task.push(per('TaskDuration'));
          row.ratio.push(script / bare);
        } finally {
          await page.close().catch(() => {});
        }
      }
    }
    // Where the script time goes: one window per client under V8's sampling profiler (50 µs).
    for (const [scenario, label] of BROWSER_SCENARIOS) {
      const { page, window } = await openPage(scenario);
      try {
        await page.send('Profiler.enable');
        await page.send('Profiler.setSamplingInterval', { interval: 50 });
        await page.send('Profiler.start');
        await window();
        const { profile } = await page.send<{ profile: Profile }>('Profiler.stop');
        profiles.push({
          scenario,
          label,
          // (program) is the renderer's own native work (frames, event dispatch): not script
          ...summarize(profile, (url) => maps.get(new URL(url, origin).pathname), ['(idle)', '(program)']),
        });
      } finally {
        await page.close().catch(() => {});
      }
    }
  } finally {
    await chromium.close();
    await feeder.stop();
    rmSync(dir, { recursive: true, force: true });
  }
  return {
    version: chromium.version,
    events: EVENTS,
    warmup: WARMUP,
    rounds: ROUNDS,
    timeDomain,
    rows: [...rows.values()],
    profiles,
  };
}

if (process.argv[1]?.endsWith('browser-cpu.ts')) {
  const quick = process.argv.includes('--quick');
  const r = await runBrowserCpu(quick ? { events: 5_000, warmup: 2_000, rounds: 2 } : DEFAULT_PLAN);
  console.log(r.version, r.timeDomain, `${r.events} events, ${r.rounds} rounds`);
  for (const row of r.rows)
    console.log(
      row.scenario.padEnd(15),
      'script',
      row.script.map((x) => x.toFixed(2)).join(' '),
      ' task',
      row.task.map((x) => x.toFixed(2)).join(' '),
      ' ratio',
      row.ratio.map((x) => x.toFixed(2)).join(' '),
      ' median',
      median(row.ratio).toFixed(2),
    );
  for (const p of r.profiles) {
    console.log(p.scenario);
    for (const f of p.files.slice(0, 12)) console.log(`  ${f.name.padEnd(50)} ${(f.share * 100).toFixed(1)}%`);
    for (const f of p.functions.slice(0, 8)) console.log(`    ${f.name.padEnd(60)} ${(f.share * 100).toFixed(1)}%`);
  }
}
