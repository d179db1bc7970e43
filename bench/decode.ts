/**
 * Micro-benchmark of the hot path: frame -> events -> handlers, in one process, no
 * sockets. Every figure is a ratio to a baseline measured in the same run (JSON.parse of
 * the same frame), because absolute times drift on shared machines.
 *   npm run bench:decode
 */
import { gzipSync } from 'node:zlib';
import { gunzipCapped } from '../src/codec/gzip-fflate.js';
import { jsonCodec } from '../src/codec/json.js';
import { Inbox, type InboxSink } from '../src/core/link/inbox.js';
import { createDelivery } from '../src/core/streams/delivery.js';
import { type SubscriptionHost, SubscriptionImpl } from '../src/core/streams/subscription.js';
import { systemClock } from '../src/core/util/clock.js';
import { eventwire } from '../src/dialects/eventwire.js';
import { DecodeError } from '../src/errors/errors.js';

const EVENTS = 200_000;
const statuses = ['Pending', 'Running', 'Failed', 'Done'];
const events = Array.from({ length: 1000 }, (_, i) => ({
  event_type: 'TaskStatusChanged',
  timestamp: '2026-11-22T10:00:00.000Z',
  data: { task_id: `task-${i}`, status: statuses[i % 4], host: 'db-01', progress: i % 100, note: 'x'.repeat(40) },
  metadata: { region: 'eu-west-1' },
  seq: i + 1,
}));

// fflate's verdict made a DecodeError, as the codec makes the package's own inflaters' (an option's inflater returns one)
const fflateCodec = jsonCodec({
  inflate: (bytes, cap, checkCrc) => {
    const out = gunzipCapped(bytes, cap, checkCrc);
    return out instanceof Uint8Array ? out : new DecodeError(out);
  },
});

function pipeline(codec = jsonCodec()) {
  let count = 0;
  const subscriptions = new Map<string, SubscriptionImpl>();
  const host: SubscriptionHost = {
    attach: (s) => void subscriptions.set(s.id, s),
    detach() {},
    reportError() {},
    encode: JSON.stringify,
    dialect: eventwire(),
    options: { clock: systemClock, requestTimeout: 30_000 },
    state: 'open',
    stoppedBy() {
      throw new Error('the bench never stops');
    },
  };
  const sub = new SubscriptionImpl('s', ['TaskStatusChanged'], { status: ['Running', 'Failed'] }, {}, host);
  sub.confirmed(undefined, undefined);
  sub.on(() => void count++);
  const delivery = createDelivery(
    new Map(),
    subscriptions,
    'auto',
    10_000,
    () => {},
    () => {},
  );
  let seq = 0;
  const none = () => {};
  const sink: InboxSink = {
    maxBatchSize: 10_000,
    event(ev) {
      ev.seq = ++seq; // a fresh stream position, so the dedupe never drops
      delivery.deliver(ev);
    },
    greeting: none,
    authFailed: none,
    ping: none,
    pong: none,
    subscribed: none,
    unsubscribed: none,
    response: () => false,
    serverError: none,
    error(e) {
      throw e;
    },
    undecodable(e) {
      throw e;
    },
  };
  const inbox = new Inbox(codec, eventwire(), sink);
  return { receive: (frame: string | Uint8Array) => inbox.receive(frame), count: () => count };
}

function measure(
  label: string,
  frames: Array<string | Uint8Array>,
  perFrame: number,
  run: (f: string | Uint8Array) => void,
) {
  const rounds = Math.ceil(EVENTS / perFrame / frames.length);
  for (let i = 0; i < 2; i++) for (const f of frames) run(f); // warm up
  const samples: number[] = [];
  for (let r = 0; r < 5; r++) {
    const start = process.hrtime.bigint();
    for (let i = 0; i < rounds; i++) for (const f of frames) run(f);
    const ns = Number(process.hrtime.bigint() - start);
    samples.push((rounds * frames.length * perFrame) / (ns / 1e9));
  }
  samples.sort((a, b) => a - b);
  return { label, eventsPerSecond: samples[2] as number };
}

/** Runs the micro-benchmark; returns rows with events/s and the ratio to the JSON.parse baseline. */
export function runDecodeBench() {
  const single = events.map((e) => JSON.stringify(e));
  const batches: string[] = [];
  for (let i = 0; i < events.length; i += 50)
    batches.push(JSON.stringify({ type: 'batch', events: events.slice(i, i + 50) }));
  const gzipped = batches.map((b) => new Uint8Array(gzipSync(b)));
  const results = [
    measure('baseline: JSON.parse of one-event frames', single, 1, (f) => JSON.parse(f as string)),
    measure('one-event text frames -> filtered subscription', single, 1, pipeline().receive),
    measure('batches of 50 (text)', batches, 50, pipeline().receive),
    measure('batches of 50, gzip (CRC checked)', gzipped, 50, pipeline().receive),
    // browsers use their DecompressionStream (asynchronous: measured in Chromium, see README); fflate where it is missing
    measure('batches of 50, gzip through fflate (the fallback)', gzipped, 50, pipeline(fflateCodec).receive),
  ];
  const base = results[0]?.eventsPerSecond ?? 1;
  return results.map((r) => ({ ...r, ratio: r.eventsPerSecond / base }));
}

if (import.meta.url === `file://${process.argv[1]}`) {
  console.log(`node ${process.version}; ${EVENTS.toLocaleString()} events a sample, median of 5\n`);
  console.log('| path | events/s | ratio to baseline |');
  console.log('|---|---:|---:|');
  for (const r of runDecodeBench()) {
    console.log(`| ${r.label} | ${Math.round(r.eventsPerSecond).toLocaleString()} | ${r.ratio.toFixed(2)}x |`);
  }
}
