/**
 * Where a client's CPU per event goes: a CPU profile of the throughput window (bench/client.mjs
 * with BENCH_PROFILE), its self time grouped by original source file (the built package's
 * functions mapped back to `src/` through its source maps), by dependency (`ws`), by runtime
 * (`JSON.parse` and other builtins, the garbage collector, Node's internals), and by function.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { groupName, makeLookup, type SourceMapV3, sourceName } from './sourcemap.js';
import { runClient } from './spawn.js';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number };
}
export interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

type Lookup = ReturnType<typeof makeLookup>;
const lookups = new Map<string, Lookup | undefined>();
/** The source map next to a file on disk (`x.js.map`), if there is one. */
function lookupForFile(path: string) {
  if (!lookups.has(path)) {
    const map = `${path}.map`;
    lookups.set(path, existsSync(map) ? makeLookup(JSON.parse(readFileSync(map, 'utf8')) as SourceMapV3) : undefined);
  }
  return lookups.get(path);
}

/**
 * Where a profiled function lives: `src/...` (mapped), a dependency (`ws/lib/receiver.js`),
 * `node internals`, or V8's own buckets. `JSON.parse` is a builtin V8 runs inside its caller's
 * frame, so its time shows under the function that calls it (eventwire's `decode`, the bare
 * client's handler).
 */
function placeOf(frame: ProfileNode['callFrame'], lookupForUrl: (url: string) => Lookup | undefined) {
  const { url, functionName, lineNumber, columnNumber } = frame;
  if (!url) {
    if (functionName.startsWith('(')) return { group: functionName, where: '' };
    return { group: '(V8 builtins)', where: '' };
  }
  if (url.startsWith('node:')) return { group: 'node internals', where: url };
  const path = url.startsWith('file://') ? fileURLToPath(url) : url;
  const original = (url.startsWith('file://') ? lookupForFile(path) : lookupForUrl(url))?.(lineNumber, columnNumber);
  const name = sourceName(original ? original.source : path);
  if (original) return { group: groupName(name), where: `${name}:${original.line}` };
  if (path.includes('/node_modules/')) return { group: groupName(name), where: name };
  const short = path.replace(/^.*\/(dist|bench)\//, '$1/').replace(/^https?:\/\/[^/]+\//, '');
  return { group: short, where: short };
}

interface CpuShare {
  name: string;
  /** Share of the window's samples (idle excluded). */
  share: number;
}

export interface CpuSummary {
  files: CpuShare[];
  functions: CpuShare[];
}

/** Self time by file (or bucket) and by function, as shares of the profile's time less `exclude`. */
export function summarize(
  profile: Profile,
  lookupForUrl: (url: string) => Lookup | undefined = () => undefined,
  exclude: string[] = ['(idle)'],
): CpuSummary {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const files = new Map<string, number>();
  const functions = new Map<string, number>();
  let total = 0;
  profile.samples.forEach((id, i) => {
    const node = byId.get(id);
    const dt = profile.timeDeltas[i] ?? 0;
    if (!node || exclude.includes(node.callFrame.functionName)) return;
    const place = placeOf(node.callFrame, lookupForUrl);
    total += dt;
    files.set(place.group, (files.get(place.group) ?? 0) + dt);
    const fn = `${node.callFrame.functionName || '(anonymous)'}${place.where ? ` ${place.where}` : ''}`;
    functions.set(fn, (functions.get(fn) ?? 0) + dt);
  });
  const rank = (m: Map<string, number>): CpuShare[] =>
    [...m.entries()].map(([name, t]) => ({ name, share: t / (total || 1) })).sort((a, b) => b.share - a.share);
  return { files: rank(files), functions: rank(functions) };
}

/** A throughput run of `scenario` under the profiler: its CPU per event and where it goes. */
export async function cpuBreakdown(scenario: string, port: number, events = 200_000) {
  const dir = mkdtempSync(join(tmpdir(), 'eventwire-prof-'));
  try {
    const file = join(dir, `${scenario}.cpuprofile`);
    const run = await runClient('throughput', scenario, port, { BENCH_EVENTS: String(events), BENCH_PROFILE: file });
    const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile;
    return { cpuMicrosPerEvent: Number(run.cpuMicrosPerEvent), ...summarize(profile) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1]?.endsWith('profile.ts')) {
  const { startFeeder } = await import('./spawn.js');
  const feeder = await startFeeder();
  for (const scenario of (process.argv[2] ?? 'raw,eventwire-on').split(',')) {
    const r = await cpuBreakdown(scenario, feeder.port);
    console.log(`${scenario}: ${r.cpuMicrosPerEvent.toFixed(2)} µs/event (profiled)`);
    for (const f of r.files.slice(0, 15)) console.log(`  ${f.name.padEnd(50)} ${(f.share * 100).toFixed(1)}%`);
    for (const f of r.functions.slice(0, 15)) console.log(`    ${f.name.padEnd(70)} ${(f.share * 100).toFixed(1)}%`);
  }
  await feeder.stop();
}
