/**
 * One benchmark client run (its own process). Prints one JSON result line.
 *   node --expose-gc bench/client.mjs <kind> <scenario> <feeder-port>
 * kind: throughput | latency | memory | heapsnap; scenario: raw | eventwire-on | eventwire |
 * eventwire-sub | eventwire-zod | eventwire-batch | eventwire-gzip | socketio | rws
 * BENCH_PROFILE=file (throughput): a CPU profile of the measured window (from the first event to
 * the last), written there (node:inspector's Profiler). heapsnap: heap snapshots written to
 * BENCH_SNAPSHOT_DIR, one with BENCH_WARM clients open, one after BENCH_CLIENTS more (bench/heap.ts
 * reads them in another process, so that reading them adds nothing to this heap).
 *
 * Plain JavaScript run by plain Node, importing `eventwire` by name: the built package users
 * install, with no TypeScript loader in the process (tsx's keepNames alone doubled idle heap).
 */
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { join } from 'node:path';
import { writeHeapSnapshot } from 'node:v8';
import { createClient } from 'eventwire';
import ReconnectingWebSocket from 'reconnecting-websocket';
import { io } from 'socket.io-client';
import WebSocket from 'ws';
import * as z from 'zod/mini';

const [kind = 'throughput', scenario = 'raw', port = '0'] = process.argv.slice(2);
const COUNT = Number(process.env.BENCH_EVENTS ?? 200_000);
const base = `ws://127.0.0.1:${port}`;
const statuses = ['Pending', 'Running', 'Failed', 'Done'];

/** Opens one consumer of `scenario`; calls `sink` per event; resolves a closer once connected. */
async function open(query, sink) {
  if (scenario === 'raw') {
    const ws = new WebSocket(`${base}/?mode=plain&${query}`);
    ws.on('message', (m) => sink(JSON.parse(m.toString())));
    await new Promise((r) => ws.once('open', r));
    return () => ws.close();
  }
  if (scenario === 'rws') {
    const rws = new ReconnectingWebSocket(`${base}/?mode=plain&${query}`, [], { WebSocket });
    rws.addEventListener('message', (e) => sink(JSON.parse(String(e.data))));
    await new Promise((r) => rws.addEventListener('open', r));
    return () => rws.close();
  }
  if (scenario === 'socketio') {
    const socket = io(`${base}/?${query}&mode=socketio`, { transports: ['websocket'], reconnection: false });
    socket.on('TaskStatusChanged', sink);
    await new Promise((r) => socket.once('connect', () => r(undefined)));
    return () => socket.close();
  }
  const batch = scenario === 'eventwire-batch' || scenario === 'eventwire-gzip';
  // `client.on(name)` subscribes (its interest is a subscription of its own): the feeder starts on
  // that subscribe, as for `subscribe()`. Starting on open as well would send every event twice.
  const listens = scenario === 'eventwire-on' || scenario === 'eventwire';
  const client = createClient({
    url: `${base}/?mode=eventwire&${query}${batch ? '&batch=50' : ''}${scenario === 'eventwire-gzip' ? '&gzip=1' : ''}`,
    signals: false,
    events:
      scenario === 'eventwire-zod'
        ? {
            TaskStatusChanged: z.object({
              task_id: z.string(),
              status: z.string(),
              host: z.string(),
              progress: z.number(),
            }),
          }
        : {},
  });
  if (listens) {
    if (scenario === 'eventwire-on') client.on('TaskStatusChanged', sink);
    await new Promise((r) => {
      const off = client.on('open', () => r(off()));
    });
    return () => client.close();
  }
  const sub = client.subscribe('TaskStatusChanged', { filters: { status: statuses } });
  sub.on(sink);
  await new Promise((r) => sub.on('state', ({ to }) => to === 'active' && r()));
  return () => client.close();
}

async function throughput() {
  let n = 0;
  let done = () => {};
  const finished = new Promise((r) => (done = r));
  // Timed from the first event: the feeder encodes its frames after the connection opens.
  let cpu0 = process.cpuUsage();
  let t0 = performance.now();
  const profile = process.env.BENCH_PROFILE;
  const session = profile ? new Session() : undefined;
  if (session) {
    session.connect();
    await session.post('Profiler.enable');
    await session.post('Profiler.setSamplingInterval', { interval: 100 });
  }
  const close = await open(`count=${COUNT}`, () => {
    if (++n === 1) {
      cpu0 = process.cpuUsage();
      t0 = performance.now();
      session?.post('Profiler.start');
    }
    if (n === COUNT) done();
  });
  await finished;
  const seconds = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  if (session && profile) writeFileSync(profile, JSON.stringify((await session.post('Profiler.stop')).profile));
  close();
  return {
    eventsPerSecond: COUNT / seconds,
    cpuMicrosPerEvent: (cpu.user + cpu.system) / COUNT,
    rssMB: process.memoryUsage().rss / 2 ** 20,
  };
}

async function latency() {
  const total = Number(process.env.BENCH_LATENCY_EVENTS ?? 10_000);
  const samples = [];
  let done = () => {};
  const finished = new Promise((r) => (done = r));
  const close = await open(`count=${total}&rate=1`, (ev) => {
    const sent = ev.data?.sent_ns;
    if (sent) samples.push(Number(process.hrtime.bigint() - BigInt(sent)) / 1e6);
    if (samples.length === total) done();
  });
  await finished;
  close();
  samples.sort((a, b) => a - b);
  const at = (q) => samples[Math.min(samples.length - 1, Math.floor(q * samples.length))];
  return { p50: at(0.5), p99: at(0.99), max: samples.at(-1) };
}

async function memory() {
  const clients = Number(process.env.BENCH_CLIENTS ?? 1000);
  const gc = globalThis.gc ?? (() => {});
  gc();
  await new Promise((r) => setTimeout(r, 100));
  gc();
  const before = process.memoryUsage();
  const closers = [];
  for (let i = 0; i < clients; i += 50) {
    closers.push(
      ...(await Promise.all(Array.from({ length: Math.min(50, clients - i) }, () => open('hold=1', () => {})))),
    );
  }
  await new Promise((r) => setTimeout(r, 500));
  gc();
  await new Promise((r) => setTimeout(r, 100));
  gc();
  const after = process.memoryUsage();
  for (const c of closers) c();
  return {
    heapKBPerClient: (after.heapUsed - before.heapUsed) / 1024 / clients,
    rssKBPerClient: (after.rss - before.rss) / 1024 / clients,
  };
}

/** Opens `count` idle clients, 50 at a time; resolves their closers. */
async function openIdle(count) {
  const closers = [];
  for (let i = 0; i < count; i += 50)
    closers.push(
      ...(await Promise.all(Array.from({ length: Math.min(50, count - i) }, () => open('hold=1', () => {})))),
    );
  return closers;
}

async function settle() {
  await new Promise((r) => setTimeout(r, 500));
  globalThis.gc?.();
  await new Promise((r) => setTimeout(r, 100));
  globalThis.gc?.();
}

/** Two heap snapshots: after BENCH_WARM idle clients (one-time costs paid), then BENCH_CLIENTS more. */
async function heapsnap() {
  const warm = Number(process.env.BENCH_WARM ?? 50);
  const clients = Number(process.env.BENCH_CLIENTS ?? 200);
  const dir = process.env.BENCH_SNAPSHOT_DIR ?? '.';
  const closers = await openIdle(warm);
  await settle();
  const before = writeHeapSnapshot(join(dir, `${scenario}-before.heapsnapshot`));
  closers.push(...(await openIdle(clients)));
  await settle();
  const after = writeHeapSnapshot(join(dir, `${scenario}-after.heapsnapshot`));
  for (const c of closers) c();
  return { before, after, clients };
}

const run = { throughput, latency, memory, heapsnap }[kind];
run().then(
  (result) => {
    process.stdout.write(`${JSON.stringify({ kind, scenario, ...result })}\n`);
    process.exit(0);
  },
  (error) => {
    process.stderr.write(`${String(error)}\n`);
    process.exit(1);
  },
);
