/**
 * What each idle client keeps on the heap, by constructor: two V8 heap snapshots written by a
 * client process (bench/client.mjs heapsnap: after a warm-up of idle clients, then after N more),
 * read here in the bench process; the difference in self size per kind of object, divided by N.
 * Self sizes add up to the heap the N clients hold, so the rows say where the KB per client go.
 * Kinds: an object by its constructor's name, a closure as `name()`, a function's context as
 * `(context)`, V8's internal arrays by their role, strings, compiled code and shapes together.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runClient } from './spawn.js';

interface Snapshot {
  snapshot: {
    meta: {
      node_fields: string[];
      node_types: [string[], ...unknown[]];
      edge_fields: string[];
      edge_types: [string[], ...unknown[]];
    };
  };
  nodes: number[];
  edges: number[];
  strings: string[];
}

/** Named edges: a property, a closure's context variable, an internal slot, a shortcut. */
const NAMED = new Set(['property', 'context', 'internal', 'shortcut']);

/**
 * The kind of a node. Plain objects are told apart by their first property names, anonymous
 * functions and arrays by the name they are held under (the first named edge to them).
 */
function kindOf(
  type: string,
  name: string,
  props: () => string[],
  heldAs: () => string | undefined,
  owner: () => string | undefined,
): string {
  if (name.startsWith('system / Context')) return '(closure context)';
  switch (type) {
    case 'object': {
      if (name === 'Object') {
        const p = props();
        return `Object {${p.slice(0, 4).join(', ')}${p.length > 4 ? ', …' : ''}}`;
      }
      if (name === 'Array') {
        const held = heldAs();
        return held ? `Array (.${held})` : 'Array';
      }
      return name;
    }
    case 'closure': {
      if (name) return `${name}()`;
      const held = heldAs();
      return held ? `(anonymous)() (.${held})` : '(anonymous)()';
    }
    case 'array': {
      const of = owner();
      const held = heldAs();
      return `(array) ${name || (held ? `.${held}` : '')}${of ? ` of ${of}` : ''}`.replace('  ', ' ');
    }
    case 'hidden':
      return `(system) ${name.replace(/^system \/ /, '')}`;
    case 'string':
    case 'concatenated string':
    case 'sliced string':
      return '(strings)';
    case 'code':
      return '(compiled code)';
    case 'object shape':
      return '(object shapes)';
    case 'number':
      return '(heap numbers)';
    case 'native':
      return `(native) ${name}`;
    default:
      return `(${type})`;
  }
}

/** Self bytes by kind, and object counts. */
function aggregate(file: string) {
  const snap = JSON.parse(readFileSync(file, 'utf8')) as Snapshot;
  const { meta } = snap.snapshot;
  const types = meta.node_types[0];
  const edgeTypes = meta.edge_types[0];
  const width = meta.node_fields.length;
  const ewidth = meta.edge_fields.length;
  const [iType, iName, iSize, iEdges] = ['type', 'name', 'self_size', 'edge_count'].map((f) =>
    meta.node_fields.indexOf(f),
  ) as [number, number, number, number];
  const [eType, eName, eTo] = ['type', 'name_or_index', 'to_node'].map((f) => meta.edge_fields.indexOf(f)) as [
    number,
    number,
    number,
  ];
  const nodes = snap.nodes;
  const edges = snap.edges;
  const count = nodes.length / width;
  // first edge of each node, and the first named edge into each node
  const firstEdge = new Uint32Array(count + 1);
  const heldBy = new Int32Array(count).fill(-1);
  const ownerOf = new Int32Array(count).fill(-1);
  for (let n = 0, e = 0; n < count; n++) {
    firstEdge[n] = e;
    const edgeCount = nodes[n * width + iEdges] ?? 0;
    for (let k = 0; k < edgeCount; k++, e += ewidth) {
      const to = (edges[e + eTo] ?? 0) / width;
      if (ownerOf[to] === -1 && edgeTypes[edges[e + eType] ?? 0] !== 'weak') ownerOf[to] = n;
      if (heldBy[to] === -1 && NAMED.has(edgeTypes[edges[e + eType] ?? 0] ?? '')) heldBy[to] = edges[e + eName] ?? 0;
    }
    firstEdge[n + 1] = e;
  }
  const props = (n: number) => () => {
    const out: string[] = [];
    for (let e = firstEdge[n] ?? 0; e < (firstEdge[n + 1] ?? 0); e += ewidth)
      if (edgeTypes[edges[e + eType] ?? 0] === 'property') out.push(snap.strings[edges[e + eName] ?? 0] ?? '');
    return out.filter((p) => !p.startsWith('__proto__'));
  };
  const heldAs = (n: number) => () => {
    const i = heldBy[n] ?? -1;
    return i >= 0 ? snap.strings[i] : undefined;
  };
  const owner = (n: number) => () => {
    const o = ownerOf[n] ?? -1;
    if (o < 0) return undefined;
    const type = types[nodes[o * width + iType] ?? 0];
    const name = snap.strings[nodes[o * width + iName] ?? 0] ?? '';
    return type === 'object' || type === 'closure' ? name.slice(0, 30) || undefined : undefined;
  };
  const bytes = new Map<string, number>();
  const objects = new Map<string, number>();
  for (let n = 0; n < count; n++) {
    const i = n * width;
    const type = types[nodes[i + iType] ?? 0] ?? '?';
    if (type === 'synthetic') continue;
    const key = kindOf(type, snap.strings[nodes[i + iName] ?? 0] ?? '', props(n), heldAs(n), owner(n));
    bytes.set(key, (bytes.get(key) ?? 0) + (nodes[i + iSize] ?? 0));
    objects.set(key, (objects.get(key) ?? 0) + 1);
  }
  return { bytes, count: objects };
}

export interface HeapRow {
  kind: string;
  /** Self bytes per client. */
  bytes: number;
  /** Objects of this kind per client. */
  count: number;
}

/** Bytes per idle client of `scenario` (a client.mjs memory scenario), by kind, largest first. */
export async function heapBreakdown(
  scenario: string,
  port: number,
  clients = 200,
): Promise<{ rows: HeapRow[]; total: number }> {
  const dir = mkdtempSync(join(tmpdir(), 'eventwire-heap-'));
  try {
    const r = await runClient('heapsnap', scenario, port, { BENCH_SNAPSHOT_DIR: dir, BENCH_CLIENTS: String(clients) });
    const before = aggregate(String(r.before));
    const after = aggregate(String(r.after));
    const n = Number(r.clients);
    const rows = [...after.bytes.keys()]
      .map((kind) => ({
        kind,
        bytes: ((after.bytes.get(kind) ?? 0) - (before.bytes.get(kind) ?? 0)) / n,
        count: ((after.count.get(kind) ?? 0) - (before.count.get(kind) ?? 0)) / n,
      }))
      .filter((row) => row.bytes > 0)
      .sort((a, b) => b.bytes - a.bytes);
    return { rows, total: rows.reduce((s, row) => s + row.bytes, 0) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1]?.endsWith('heap.ts')) {
  const { startFeeder } = await import('./spawn.js');
  const feeder = await startFeeder();
  for (const scenario of (process.argv[2] ?? 'raw,eventwire,eventwire-sub').split(',')) {
    const { rows, total } = await heapBreakdown(scenario, feeder.port);
    console.log(`${scenario}: ${(total / 1024).toFixed(2)} KB per client`);
    for (const row of rows.slice(0, 20))
      console.log(`  ${row.kind.padEnd(40)} ${row.bytes.toFixed(0).padStart(6)} B  ${row.count.toFixed(2)} objects`);
  }
  await feeder.stop();
}
