/**
 * Issue 22's targets as rows: what eventwire measured, the baseline it is compared to (measured in
 * the same run), the ratio, the goal, PASS or MISS. A MISS comes with where the bytes, the time or
 * the heap go (this run's source maps, CPU profiles and heap snapshots) and what would close it.
 */
import type { Results } from './measure.js';
import { figures } from './measure.js';
import { fmt, kb, whereBrowser, whereBytes, whereHeap, whereNodeCpu } from './report.js';

/** Issue 22's first-load goal: socket.io-client's size when the issue was written. */
export const FIRST_LOAD_KB = 12.8;

export interface Target {
  /** Which part of the issue: size, browser, node-cpu, node-eps, heap. */
  area: 'size' | 'browser-file' | 'browser' | 'node-cpu' | 'node-eps' | 'heap';
  label: string;
  /** eventwire's figure, as printed. */
  figure: string;
  /** The baseline's figure(s), as printed (measured in this run). */
  baseline: string;
  /** The number the goal applies to, and how it is printed. */
  value: number;
  shown: string;
  goal: string;
  pass: boolean;
  /** Run-by-run ratios on both sides of the goal: the verdict is within this run's noise. */
  straddles?: boolean;
}

const x = (n: number) => `${fmt(n, 2)}x`;
/** The range of run-by-run ratios, when there is more than one run. */
const spread = (p: { min: number; max: number; n: number }) =>
  p.n > 1 ? ` (runs ${fmt(p.min, 2)}-${fmt(p.max, 2)})` : '';

export function issueTargets(r: Results): Target[] {
  const f = figures(r);
  const s = r.sizeRows;
  const socket = s.anchors.find((a) => a.name === 'socket.io-client');
  const socketKB = (socket?.esbuild.first.gzip ?? Number.NaN) / 1024;
  const socketViteKB = (socket?.vite?.first.gzip ?? Number.NaN) / 1024;
  const esb = s.core.esbuild.first.gzip / 1024;
  const vite = (s.core.vite?.first.gzip ?? Number.NaN) / 1024;
  const browserFile = s.browserFile.gzip / 1024;
  const demand = (b: { demand: { gzip: number } } | undefined) =>
    b && b.demand.gzip > 0 ? ` (+${kb(b.demand.gzip)} on demand)` : '';
  const size = (label: string, value: number, socketValue: number, onDemand: string): Target => ({
    area: 'size',
    label,
    figure: `${fmt(value, 2)} KB${onDemand}`,
    baseline: `socket.io-client ${fmt(socketValue, 2)} KB`,
    value,
    shown: `${x(value / FIRST_LOAD_KB)} of the goal, ${x(value / socketValue)} socket.io-client`,
    goal: `<= ${FIRST_LOAD_KB} KB`,
    pass: value <= FIRST_LOAD_KB,
  });
  const ratio = (
    area: Target['area'],
    label: string,
    figure: string,
    baseline: string,
    value: number,
    goal: number,
    higher = false,
    runs?: { min: number; max: number; n: number },
  ): Target => ({
    area,
    label,
    figure,
    baseline,
    value,
    shown: `${x(value)}${runs ? spread(runs) : ''}`,
    goal: `${higher ? '>=' : '<='} ${goal}x`,
    pass: higher ? value >= goal : value <= goal,
    straddles: runs !== undefined && runs.n > 1 && runs.min <= goal && runs.max >= goal,
  });
  const us = (n: number) => `${fmt(n, 2)} µs/event`;
  const perSec = (n: number) => `${fmt(n)} events/s`;
  const heap = (label: string, scenario: string, goal: number): Target => ({
    area: 'heap',
    label,
    figure: `${fmt(f.heap(scenario), 2)} KB`,
    baseline: `bare ws ${fmt(f.heap('raw'), 2)} KB, socket.io-client ${fmt(f.heap('socketio'), 2)} KB`,
    value: f.heap(scenario),
    shown: `${x(f.heap(scenario) / goal)} of the goal, ${x(f.heap(scenario) / f.heap('socketio'))} socket.io-client`,
    goal: `<= ${goal} KB`,
    pass: f.heap(scenario) <= goal,
  });
  const diff = browserFile - esb;
  return [
    size(
      "Size: first load of `import { createClient } from 'eventwire'`, esbuild",
      esb,
      socketKB,
      demand(s.core.esbuild),
    ),
    size(
      "Size: first load of `import { createClient } from 'eventwire'`, Vite",
      vite,
      socketViteKB,
      demand(s.core.vite),
    ),
    {
      area: 'browser-file',
      label: '`eventwire/browser` (dist/browser/eventwire.js and the chunks it imports) against the esbuild first load',
      figure: `${fmt(browserFile, 2)} KB`,
      baseline: `esbuild first load ${fmt(esb, 2)} KB`,
      value: Math.abs(diff),
      shown: `${diff >= 0 ? '+' : '-'}${fmt(Math.abs(diff), 2)} KB`,
      goal: 'within 1 KB',
      pass: Math.abs(diff) <= 1,
    },
    ...(['eventwire-on', 'eventwire-sub'] as const).map((sc) =>
      ratio(
        'browser',
        `Chromium: script per event, ${sc === 'eventwire-on' ? '`client.on`' : 'filtered subscription'}`,
        us(f.browserScript(sc)),
        `bare \`WebSocket\` + \`JSON.parse\` ${us(f.browserScript('raw'))}`,
        f.browserRatio(sc),
        1.1,
        false,
        f.browserRuns(sc),
      ),
    ),
    ...(['eventwire-on', 'eventwire-sub'] as const).map((sc) => {
      const p = f.paired('cpu', sc, 'socketio');
      return ratio(
        'node-cpu',
        `Node: CPU per event, ${sc === 'eventwire-on' ? '`client.on`' : 'filtered subscription'}`,
        us(f.cpu(sc)),
        `socket.io-client ${us(f.cpu('socketio'))} (bare ws ${us(f.cpu('raw'))}, ${x(f.paired('cpu', 'raw', 'socketio').median)})`,
        p.median,
        0.5,
        false,
        p,
      );
    }),
    ...(['eventwire-on', 'eventwire-sub'] as const).map((sc) => {
      const p = f.paired('eps', sc, 'raw');
      return ratio(
        'node-eps',
        `Node: events/s, ${sc === 'eventwire-on' ? '`client.on`' : 'filtered subscription'}`,
        perSec(f.eps(sc)),
        `bare \`ws\` + JSON.parse ${perSec(f.eps('raw'))}`,
        p.median,
        0.9,
        true,
        p,
      );
    }),
    heap('Node: idle heap per connected client', 'eventwire', 6),
    heap('Node: idle heap with one filtered subscription', 'eventwire-sub', 8),
  ];
}

export function targetTable(rows: Target[]): string {
  return `| target | eventwire | baseline (same run) | ratio | goal | |
|---|---:|---|---:|---:|---|
${rows.map((t) => `| ${t.label} | ${t.figure} | ${t.baseline} | ${t.shown} | ${t.goal} | **${t.pass ? 'PASS' : 'MISS'}**${t.straddles ? ' (runs on both sides of the goal)' : ''} |`).join('\n')}`;
}

/** The plain-text summary printed at the end of a run. */
export function targetLines(rows: Target[]): string {
  return rows
    .map(
      (t) =>
        `${t.pass ? 'PASS' : 'MISS'}  ${t.label.replaceAll('`', '')}: ${t.figure} (${t.shown}; goal ${t.goal})${t.straddles ? ' [runs on both sides of the goal]' : ''}`,
    )
    .join('\n');
}

/**
 * The levers issue 22 names for the first load, each with the sources it would take out of it
 * (prefixes of this run's source-map breakdown). Their bytes are what the first load carries of
 * them now: an upper bound on what each lever saves, measured, not guessed.
 */
const LEVERS: Array<{ lever: string; sources: string[] }> = [
  {
    lever: "gzip through the browser's `DecompressionStream`, fflate loaded only where it is missing",
    sources: ['fflate', 'src/codec/gzip', 'src/codec/crc32', 'src/codec/inflate'],
  },
  { lever: '`share` entirely outside the core until asked for', sources: ['src/share/'] },
  {
    lever: 'logger, rate limit and requests paid for only when used',
    sources: ['src/core/util/logger', 'src/core/outbox/rate', 'src/core/outbox/requests'],
  },
  { lever: 'error messages that cost less (codes in the bundle)', sources: ['src/errors/', 'src/protocol/suggest'] },
  { lever: 'smaller options validation', sources: ['src/options.ts', 'src/options-check'] },
  { lever: 'metrics (`stats()`) only when read', sources: ['src/core/util/metrics'] },
];

function leverTable(r: Results): string {
  const first = r.sizeRows.core.esbuild.first.gzip;
  const gap = first - FIRST_LOAD_KB * 1024;
  let total = 0;
  const rows = LEVERS.map(({ lever, sources }) => {
    const hits = r.sizeRows.breakdown.filter((b) => sources.some((p) => b.source.startsWith(p)));
    const bytes = hits.reduce((n, b) => n + b.gzipShare, 0);
    total += bytes;
    return `| ${lever} | ${hits.length ? hits.map((h) => `\`${h.source}\``).join(', ') : '(none left in the first load)'} | ${kb(bytes, 2)} |`;
  });
  return `What would close it: the levers of issue 22, with what the first load carries of them in this run
(estimated gzip KB, an upper bound on each lever's saving):

| lever | sources in the first load | ≈ gzip KB |
|---|---|---:|
${rows.join('\n')}
| all of them | | ${kb(total, 2)} |

The gap is ${kb(gap, 2)} KB; all the levers together reach ${kb(total, 2)} KB, so they ${total >= gap ? 'could close it' : `leave at least ${kb(gap - total, 2)} KB that the table of files above must give (the largest files first)`}.${apart(r)}`;
}

/** What the first load's files cost gzipped apart: esbuild splits off a module that a lazy chunk imports too. */
function apart(r: Results): string {
  const { firstFiles, firstJoinedGzip, first } = r.sizeRows.core.esbuild;
  if (firstJoinedGzip === undefined || firstFiles.length < 2) return '';
  return `

Its ${firstFiles.length} files are gzipped apart; joined in one they would be ${kb(firstJoinedGzip, 2)} KB (${kb(first.gzip - firstJoinedGzip, 2)} KB less). esbuild gives a module that a lazy chunk imports too a chunk of its own (a module of the package shared by the first load and a lazy chunk) (Vite's first load is one file already).`;
}

/** eventwire/browser against the bundled first load: what its first load carries that the app's does not. */
function whereBrowserFile(r: Results): string {
  const s = r.sizeRows;
  const first = s.core.esbuild.first.gzip;
  const core = new Map(s.breakdown.map((b) => [b.source, b.min]));
  // per minified byte, the gzip of the whole inlined file: the same estimate as the first load's
  const perByte = s.everythingInlined.first.gzip / Math.max(1, s.everythingInlined.first.min);
  const extra = s.everythingBreakdown
    .map((b) => ({ source: b.source, min: b.min - (core.get(b.source) ?? 0) }))
    .filter((b) => b.min > 0)
    .sort((a, b) => b.min - a.min);
  const extraMin = extra.reduce((n, b) => n + b.min, 0);
  return `\`eventwire/browser\` is ${kb(s.browserFile.gzip, 2)} KB (${fmt(s.browserFile.min)} B minified, ${s.browserFile.files.map((f) => `\`${f}\``).join(' + ')}):
the entry and the chunks it imports: every export of \`eventwire\` (nothing left for a bundler to shake), with the
on-demand parts in files beside it, loaded by \`import()\` when used. The esbuild app loads
${kb(first, 2)} KB first and ${kb(s.core.esbuild.demand.gzip, 2)} KB on demand; \`import * as all from 'eventwire'\` bundled into one file
(no splitting, the closest app to the browser file) is ${kb(s.everythingInlined.first.gzip, 2)} KB. What that file carries beyond the
\`createClient\` first load, by source (minified bytes, ≈ gzip at that file's ratio; ${fmt(extraMin)} B in all):

| source | min B | ≈ gzip KB |
|---|---:|---:|
${extra
  .slice(0, 12)
  .map((b) => `| \`${b.source}\` | ${fmt(b.min)} | ${kb(b.min * perByte, 2)} |`)
  .join('\n')}

What would close it: the exports an app that calls \`createClient\` does not use (guards, codecs, dialect
helpers) in a file of their own; or a smaller first load of everything, by the levers above.`;
}

/** Where the time goes for the browser targets, and what it would take. */
function closeBrowser(r: Results): string {
  const f = figures(r);
  const bare = f.browserScript('raw');
  const allowed = bare * 0.1;
  /** µs per event of a profile's files matching `test`: share times the median script time. */
  const part = (sc: string, test: (file: string) => boolean) =>
    (r.browser.profiles.find((p) => p.scenario === sc)?.files ?? [])
      .filter((file) => test(file.name))
      .reduce((n, file) => n + file.share, 0) * f.browserScript(sc);
  const READ = ['src/transport/websocket-browser.ts', 'src/codec/json.ts']; // the browser's side of #platform
  const line = (sc: string, label: string) => {
    const read = part(sc, (n) => READ.includes(n));
    const own = part(sc, (n) => n.startsWith('src/') && !READ.includes(n));
    const gc = part(sc, (n) => n === '(garbage collector)');
    const over = f.browserScript(sc) - bare - allowed;
    return `- ${label}: ${fmt(f.browserScript(sc), 2)} µs, ${fmt(Math.abs(over), 2)} µs ${over > 0 ? 'over' : 'within'} the allowance. Reading and parsing
  the frame (the transport's \`onmessage\` and the codec's \`decode\`, where \`MessageEvent.data\` and \`JSON.parse\`
  run, with the decoder's guards) ${fmt(read, 2)} µs against the bare page's ${fmt(
    part('raw', (n) => n === 'page.js'),
    2,
  )} µs for the same two
  calls; routing and delivering it (dialect reader, inbox, core, delivery, filters, emitter) ${fmt(own, 2)} µs; the
  garbage collector ${fmt(gc, 2)} µs against the bare page's ${fmt(
    part('raw', (n) => n === '(garbage collector)'),
    2,
  )}.`;
  };
  return `What would close it: the goal allows eventwire ${fmt(allowed, 2)} µs of script per event over the bare page's
${fmt(bare, 2)} µs (profile shares are from one sampled window each, so the parts are estimates):
${line('eventwire-on', '`client.on`')}
${line('eventwire-sub', 'filtered subscription')}

The cuts have to come from those parts: fewer passes over the frame in \`decode\` before and after
\`JSON.parse\`, and fewer calls and allocations between the decoded event and the handler.`;
}

function closeNodeCpu(r: Results): string {
  const f = figures(r);
  const goal = f.cpu('socketio') * 0.5;
  const floor = f.cpu('raw');
  const adds = (sc: string) => {
    const d = f.cpu(sc) - floor;
    return d >= 0 ? `${fmt(d, 2)} µs` : `${fmt(-d, 2)} µs less than the bare client (noise)`;
  };
  const runs = (sc: string) => (r.cpuRuns[sc] ?? []).map((v) => fmt(v, 2)).join(', ');
  return `What would close it: 0.5x socket.io-client's CPU is ${fmt(goal, 2)} µs per event in this run (medians); a bare
\`ws\` client that only runs \`JSON.parse\` spends ${fmt(floor, 2)} µs (${x(f.paired('cpu', 'raw', 'socketio').median)} run by run), so eventwire may
add at most ${fmt(goal - floor, 2)} µs over it; by the medians it adds ${adds('eventwire-on')} (\`client.on\`) and ${adds('eventwire-sub')}
(filtered subscription).${goal <= floor ? ' The goal is below the bare client itself here: no client that parses JSON can meet it on this machine.' : ''}
CPU µs per event, run by run (round-robin): bare \`ws\` ${runs('raw')}; \`client.on\` ${runs('eventwire-on')}; filtered
subscription ${runs('eventwire-sub')}; socket.io-client ${runs('socketio')}.`;
}

function closeHeap(r: Results): string {
  const f = figures(r);
  return `What would close it: ${fmt(f.heap('eventwire') - 6, 2)} KB less per idle client and ${fmt(f.heap('eventwire-sub') - 8, 2)} KB less with a
subscription (negative: within the goal). A bare \`ws\` client holds ${fmt(f.heap('raw'), 2)} KB of it; the rows above are
what eventwire keeps beside it.`;
}

/** The "where it goes" sections, one per area with a MISS. */
export function whereSections(r: Results, rows: Target[]): string {
  const f = figures(r);
  // a PASS within this run's noise gets its section too
  const missed = (...areas: Target['area'][]) => rows.some((t) => areas.includes(t.area) && (!t.pass || t.straddles));
  const out: string[] = [];
  if (missed('size'))
    out.push(`### Where the bytes go\n\n${whereBytes(r.sizeRows, FIRST_LOAD_KB * 1024)}\n\n${leverTable(r)}`);
  if (missed('browser-file')) out.push(`### Where \`eventwire/browser\`'s bytes go\n\n${whereBrowserFile(r)}`);
  if (missed('browser'))
    out.push(`### Where the browser time goes\n\n${whereBrowser(r.browser)}\n\n${closeBrowser(r)}`);
  if (missed('node-cpu', 'node-eps'))
    out.push(
      `### Where the Node time goes\n\n${whereNodeCpu(r.nodeProfiles, {
        raw: f.cpu('raw'),
        'eventwire-on': f.cpu('eventwire-on'),
        'eventwire-sub': f.cpu('eventwire-sub'),
        socketio: f.cpu('socketio'),
      })}\n\n${closeNodeCpu(r)}${missed('node-eps') ? `\n\n${epsNote(r)}` : ''}`,
    );
  if (missed('heap')) out.push(`### Where the idle heap goes\n\n${whereHeap(r.heaps)}\n\n${closeHeap(r)}`);
  return out.join('\n\n');
}

/** events/s swing with the machine: every run's ratio, so that a MISS can be told from noise. */
function epsNote(r: Results): string {
  const runs = (s: string) => r.epsRuns[s] ?? [];
  const raw = runs('raw');
  const ratios = (s: string) => runs(s).map((v, i) => fmt(v / (raw[i] ?? Number.NaN), 2));
  return `events/s of each run against the bare client's in the same round (the targets use their median):
\`client.on\` ${ratios('eventwire-on').join(', ')}; filtered subscription ${ratios('eventwire-sub').join(', ')}. The feeder
and the client share the machine's cores, so what a client costs per event shows in its CPU per event (above)
more steadily than in its events/s.`;
}
