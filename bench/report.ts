/**
 * The Markdown of BENCHMARKS.md's issue-22 sections: the size anchors, the browser CPU table,
 * and, for each target missed, where the bytes, the time or the heap go (computed from this run:
 * source maps, CPU profiles, heap snapshots).
 */
import type { BrowserReport } from './browser-cpu.js';
import { median } from './browser-cpu.js';
import type { HeapRow } from './heap.js';
import type { CpuSummary } from './profile.js';
import type { AppBuild, SizeReport } from './size.js';

export const fmt = (n: number, digits = 0) =>
  Number.isFinite(n)
    ? n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits })
    : 'n/a';
export const kb = (bytes: number, digits = 1) => fmt(bytes / 1024, digits);
const range = (xs: number[], digits = 2) =>
  xs.length ? `${fmt(Math.min(...xs), digits)}-${fmt(Math.max(...xs), digits)}` : 'n/a';

/** The anchor table: every library, each from its own package, both bundlers, same run. */
export function anchorTable(r: SizeReport): string {
  const socket = r.anchors.find((a) => a.name === 'socket.io-client');
  const rows = [...r.anchors, r.core].sort((a, b) => a.esbuild.first.gzip - b.esbuild.first.gzip);
  const demand = (b: AppBuild | undefined) => (b && b.demand.gzip > 0 ? ` (+${kb(b.demand.gzip)} on demand)` : '');
  return `| library | version | app imports | esbuild KB | Vite KB | esbuild vs socket.io-client |
|---|---|---|---:|---:|---:|
${rows
  .map(
    (a) =>
      `| ${a === r.core ? '**eventwire** (packed)' : a.name} | ${a.version} | \`${a.usage}\` | ${kb(a.esbuild.first.gzip)}${demand(a.esbuild)} | ${a.vite ? kb(a.vite.first.gzip) : 'n/a'}${demand(a.vite)} | ${socket ? fmt(a.esbuild.first.gzip / socket.esbuild.first.gzip, 2) : 'n/a'}x |`,
  )
  .join('\n')}`;
}

/** eventwire's own bundles: first load, on demand, inlined, adapters, the browser file. */
export function eventwireSizeTable(r: SizeReport): string {
  const row = (name: string, b: AppBuild, note = '') =>
    `| ${name} | ${fmt(b.first.min)} | ${fmt(b.first.gzip)} | ${b.demand.gzip ? fmt(b.demand.gzip) : ''} | ${b.clients} | ${note} |`;
  const vite = r.core.vite;
  return `| bundle | first load min B | first load min+gzip B | on demand min+gzip B | clients | |
|---|---:|---:|---:|---:|---|
${row("`import { createClient } from 'eventwire'`, esbuild (splitting)", r.core.esbuild, `${r.core.esbuild.firstFiles.length} file(s)`)}
${vite ? row("`import { createClient } from 'eventwire'`, Vite app", vite, `${vite.firstFiles.length} file(s)`) : ''}
${row('the same, esbuild without splitting (what size-limit measures)', r.coreInlined, 'everything inlined')}
${row('everything `eventwire` exports, esbuild (splitting)', r.everything)}
${row('eventwire + eventwire/react (react external)', r.react)}
${row('eventwire + eventwire/svelte', r.svelte)}
| \`eventwire/browser\`: ${r.browserFile.files.map((f) => `\`${f}\``).join(' + ')}, as shipped | ${fmt(r.browserFile.min)} | ${fmt(r.browserFile.gzip)} | | ${r.browserFile.files.length} | the entry and the chunks it imports (its on-demand chunks beside them) |
| the tarball (\`npm pack\`) | ${fmt(r.packed.tarballBytes)} | | | | what \`npm install\` downloads |`;
}

/** Where the first-load bytes go, by source file (top 15), and by folder. */
export function whereBytes(r: SizeReport, goalBytes: number): string {
  const first = r.core.esbuild.first.gzip;
  const top = r.breakdown.slice(0, 15);
  const folders = new Map<string, number>();
  for (const b of r.breakdown) {
    const folder = b.source.startsWith('src/') ? b.source.split('/').slice(0, -1).join('/') || 'src' : b.source;
    folders.set(folder, (folders.get(folder) ?? 0) + b.gzipShare);
  }
  const byFolder = [...folders.entries()].sort((a, b) => b[1] - a[1]);
  const demand = r.core.esbuild.demandFiles;
  return `The first load (esbuild, splitting on) is **${kb(first, 2)} KB**; the goal needs **${kb(first - goalBytes, 2)} KB**
less (${fmt(((first - goalBytes) / first) * 100)}% of it). Already on demand: ${demand.length ? demand.map((f) => `\`${f.name.replace(/^out\//, '')}\` ${kb(f.gzip, 2)} KB`).join(', ') : 'nothing'}.
By source file (minified bytes in the first load, mapped through the package's own source maps; the
gzip share is the file's share of the minified bytes times the first load's gzip size, an estimate):

| source | min B | ≈ gzip KB |
|---|---:|---:|
${top.map((b) => `| \`${b.source}\` | ${fmt(b.min)} | ${kb(b.gzipShare, 2)} |`).join('\n')}

By folder: ${byFolder
    .slice(0, 12)
    .map(([f, g]) => `\`${f}\` ${kb(g, 1)}`)
    .join(', ')} (KB, estimated gzip).`;
}

/** The browser CPU table: script and main-thread µs per event, ratio to the bare page, median and range. */
export function browserTable(b: BrowserReport): string {
  return `| client | script µs/event, median (range) | main thread µs/event, median | script vs bare, median (range) |
|---|---:|---:|---:|
${b.rows
  .map(
    (r) =>
      `| ${r.label} | ${fmt(median(r.script), 2)} (${range(r.script)}) | ${fmt(median(r.task), 2)} | ${fmt(median(r.ratio), 2)}x (${range(r.ratio)}) |`,
  )
  .join('\n')}`;
}

/** µs per event by file, for a few clients side by side: share of the profile times the measured µs/event. */
function cpuColumns(columns: Array<{ label: string; micros: number; summary: CpuSummary }>, top = 12): string {
  const names: string[] = [];
  for (const c of columns)
    for (const f of c.summary.files.slice(0, top)) if (!names.includes(f.name)) names.push(f.name);
  const value = (c: (typeof columns)[number], name: string) =>
    (c.summary.files.find((f) => f.name === name)?.share ?? 0) * c.micros;
  names.sort(
    (a, b) =>
      value(columns.at(-1) as (typeof columns)[number], b) - value(columns.at(-1) as (typeof columns)[number], a),
  );
  return `| file or bucket | ${columns.map((c) => `${c.label} µs/event`).join(' | ')} |
|---|${columns.map(() => '---:').join('|')}|
${names.map((n) => `| ${n.startsWith('(') ? n : `\`${n}\``} | ${columns.map((c) => fmt(value(c, n), 2)).join(' | ')} |`).join('\n')}
| total | ${columns.map((c) => fmt(c.micros, 2)).join(' | ')} |`;
}

/** Where eventwire's script time per event goes in Chromium, against the bare page. */
export function whereBrowser(b: BrowserReport): string {
  const micros = (s: string) => median(b.rows.find((r) => r.scenario === s)?.script ?? []);
  const profile = (s: string) => b.profiles.find((p) => p.scenario === s);
  const columns = ['raw', 'eventwire-on', 'eventwire-sub']
    .map((s) => ({ s, p: profile(s) }))
    .filter((c) => c.p)
    .map((c) => ({ label: c.s === 'raw' ? 'bare' : c.s, micros: micros(c.s), summary: c.p as CpuSummary }));
  const on = profile('eventwire-on');
  return `eventwire adds **${fmt(micros('eventwire-on') - micros('raw'), 2)} µs** (\`client.on\`) and **${fmt(micros('eventwire-sub') - micros('raw'), 2)} µs** (filtered
subscription) of script per event to the bare page's ${fmt(micros('raw'), 2)} µs (medians). One profiled window per client
(V8's sampling profiler at 50 µs, through the DevTools protocol; the renderer's native work excluded),
its shares applied to the median script time. \`JSON.parse\` and reading \`MessageEvent.data\` run in
the frame that calls them: the bare page's \`onmessage\`, eventwire's \`decode\` and transport.

${cpuColumns(columns)}

Top functions (\`client.on\`): ${topFunctions(on)}.`;
}

/** The eight functions a profile spent most in, with their shares. */
function topFunctions(summary: CpuSummary | undefined): string {
  if (!summary) return 'n/a';
  return summary.functions
    .slice(0, 8)
    .map((f) => `\`${f.name}\` ${fmt(f.share * 100)}%`)
    .join(', ');
}

/** Where a Node client's CPU per event goes, against bare `ws` (profiled runs). */
export function whereNodeCpu(
  profiles: Array<{ label: string; cpuMicrosPerEvent: number } & CpuSummary>,
  measured: Record<string, number>,
): string {
  const columns = profiles.map((p) => ({
    label: p.label,
    micros: measured[p.label] ?? p.cpuMicrosPerEvent,
    summary: p,
  }));
  const on = profiles.find((p) => p.label === 'eventwire-on');
  return `One throughput run per client under node:inspector's sampling profiler (100 µs), from the first
event to the last; each file's share of the profile times the CPU per event measured above (the
median of the unprofiled runs). \`JSON.parse\` runs inside its caller's frame (\`bench/client.mjs\`
for bare \`ws\`, \`src/codec/json.ts\` for eventwire).

${cpuColumns(columns)}

Top functions (\`client.on\`): ${topFunctions(on)}.`;
}

/** What each idle client keeps: bytes per client by kind of object, eventwire beside bare `ws`. */
export function whereHeap(breakdowns: Record<string, { rows: HeapRow[]; total: number }>, top = 15): string {
  const labels = Object.keys(breakdowns);
  const last = labels.at(-1) as string;
  const names: string[] = [];
  for (const l of labels.slice(1))
    for (const r of breakdowns[l]?.rows.slice(0, top) ?? []) if (!names.includes(r.kind)) names.push(r.kind);
  const bytes = (l: string, k: string) => breakdowns[l]?.rows.find((r) => r.kind === k)?.bytes ?? 0;
  const count = (l: string, k: string) => breakdowns[l]?.rows.find((r) => r.kind === k)?.count ?? 0;
  names.sort((a, b) => bytes(last, b) - bytes(last, a));
  return `Two heap snapshots of one client process (node:v8), after 50 idle clients and after 200 more;
self bytes per client of each kind of object (plain objects by their first properties,
arrays and anonymous functions by what holds them), objects per client in brackets.

| kind | ${labels.map((l) => `${l} B`).join(' | ')} |
|---|${labels.map(() => '---:').join('|')}|
${names
  .slice(0, top + 5)
  .map(
    (k) =>
      `| \`${k.replaceAll('|', '\\|')}\` | ${labels.map((l) => (bytes(l, k) ? `${fmt(bytes(l, k))} (${fmt(count(l, k), 1)})` : '')).join(' | ')} |`,
  )
  .join('\n')}
| total (all kinds) | ${labels.map((l) => `${fmt(breakdowns[l]?.total ?? 0)}`).join(' | ')} |`;
}
