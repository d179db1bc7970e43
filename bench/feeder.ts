/**
 * The benchmark server (its own process): a bare `ws` server that sends pre-encoded frames
 * as fast as the client drains them, so that it is never the bottleneck. It speaks what
 * each client needs: plain JSON, eventwire's protocol (welcome, subscribed, batches, gzip),
 * or socket.io's wire format over the websocket transport.
 *   tsx bench/feeder.ts  -> prints {"port": N} and serves until stdin closes.
 * Query: ?mode=plain|eventwire|socketio&count=N&batch=N&gzip=1&rate=PER_MS&hold=1&start=open&tag=T
 *
 * A connection with a `tag` sends nothing until `GET /go?tag=T&count=N` (the browser benchmark:
 * the measuring window opens with the page idle and connected); each `/go` sends N more events,
 * their `seq` continuing. With FEEDER_STATIC=dir, the same server (one origin) also serves the
 * files of that directory over HTTP: the browser benchmark's pages and bundles.
 */
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { extname, join, normalize } from 'node:path';
import { gzipSync } from 'node:zlib';
import { type WebSocket, WebSocketServer } from 'ws';

const statuses = ['Pending', 'Running', 'Failed', 'Done'];
/** About 200 bytes of JSON each. */
export function benchEvent(i: number, extra: Record<string, unknown> = {}) {
  return {
    event_type: 'TaskStatusChanged',
    timestamp: '2026-11-22T10:00:00.000Z',
    data: { task_id: `task-${i % 1000}`, status: statuses[i % 4], host: 'db-01', progress: i % 100, ...extra },
    metadata: { region: 'eu-west-1' },
    seq: i + 1,
  };
}

/** Tagged connections waiting for `/go`: tag -> send N more events. */
const tagged = new Map<string, (count: number) => void>();
const STATIC = process.env.FEEDER_STATIC;
const TYPES: Record<string, string> = { '.html': 'text/html', '.js': 'text/javascript', '.json': 'application/json' };

const http = createServer((req, res) => {
  const url = new URL(req.url ?? '/', 'http://x');
  if (url.pathname === '/go') {
    const go = tagged.get(url.searchParams.get('tag') ?? '');
    if (!go) return res.writeHead(404).end('no such tag');
    go(Number(url.searchParams.get('count') ?? 1000));
    return res.writeHead(204).end();
  }
  const file = STATIC && normalize(join(STATIC, url.pathname === '/' ? 'index.html' : url.pathname));
  if (!file || !STATIC || !file.startsWith(normalize(STATIC))) return res.writeHead(404).end();
  try {
    const body = readFileSync(file);
    res.writeHead(200, {
      'content-type': TYPES[extname(file)] ?? 'application/octet-stream',
      'cache-control': 'no-store',
    });
    res.end(body);
  } catch {
    res.writeHead(404).end();
  }
});
const wss = new WebSocketServer({ server: http, perMessageDeflate: false });
http.listen(Number(process.env.FEEDER_PORT ?? 0), '127.0.0.1', () => {
  const address = http.address();
  process.stdout.write(`${JSON.stringify({ port: address && typeof address === 'object' ? address.port : 0 })}\n`);
});
process.stdin.on('end', () => process.exit(0));
process.stdin.resume();

wss.on('connection', (ws, req) => {
  const q = new URL(req.url ?? '/', 'http://x').searchParams;
  const mode = q.get('mode') ?? 'plain';
  const count = Number(q.get('count') ?? 200_000);
  const batch = Number(q.get('batch') ?? 1);
  const gzip = q.get('gzip') === '1';
  const rate = Number(q.get('rate') ?? 0); // events per ms, 0 = as fast as drained
  const hold = q.get('hold') === '1'; // idle connection (memory benchmark)
  ws.on('error', () => {});
  let offset = 0; // a resuming eventwire subscription continues after its `since`
  const tag = q.get('tag');
  if (tag) {
    tagged.set(tag, (n) => {
      const list = frames(mode, n, batch, gzip, offset);
      offset += n;
      void blast(ws, list);
    });
    ws.on('close', () => tagged.delete(tag));
  }
  const start = () =>
    hold || tag
      ? undefined
      : rate > 0
        ? paced(ws, mode, count, rate, offset)
        : blast(ws, frames(mode, count, batch, gzip));
  if (mode === 'socketio') {
    ws.send('0{"sid":"bench","upgrades":[],"pingInterval":25000,"pingTimeout":20000,"maxPayload":1000000}');
    ws.on('message', (m) => {
      if (m.toString().startsWith('40')) {
        ws.send('40{"sid":"bench-socket"}');
        start();
      }
    });
  } else if (mode === 'eventwire') {
    ws.send(JSON.stringify({ type: 'welcome', session_id: 'bench', heartbeat_interval: 25_000, protocol: 1 }));
    if (q.get('start') === 'open') start(); // a client that subscribes to nothing (client.on() does subscribe)
    ws.on('message', (m) => {
      const msg = JSON.parse(m.toString()) as { type?: string; id?: string; since?: number };
      if (msg.type === 'ping') ws.send('{"type":"pong"}');
      if (msg.type === 'subscribe') {
        offset = typeof msg.since === 'number' ? msg.since : 0;
        ws.send(JSON.stringify({ type: 'subscribed', id: msg.id, seq: 0 }));
        start();
      }
    });
  } else start();
});

function encode(mode: string, event: object): string {
  return mode === 'socketio'
    ? `42${JSON.stringify([(event as { event_type: string }).event_type, event])}`
    : JSON.stringify(event);
}

function frames(mode: string, count: number, batch: number, gzip: boolean, from = 0): Array<string | Buffer> {
  const out: Array<string | Buffer> = [];
  if (batch > 1) {
    for (let i = from; i < from + count; i += batch) {
      const events = [];
      for (let j = i; j < Math.min(from + count, i + batch); j++) events.push(benchEvent(j));
      const text = JSON.stringify({ type: 'batch', events });
      out.push(gzip ? gzipSync(text) : text);
    }
  } else {
    for (let i = from; i < from + count; i++) {
      const text = encode(mode, benchEvent(i));
      out.push(gzip ? gzipSync(text) : text);
    }
  }
  return out;
}

/**
 * Sends as fast as the socket drains: frames are corked in groups (one write for many
 * frames, so the feeder's syscalls are not the bottleneck), up to 4 MB buffered at a time.
 */
async function blast(ws: WebSocket, list: Array<string | Buffer>) {
  const socket = (ws as unknown as { _socket: { cork(): void; uncork(): void } })._socket;
  for (let i = 0; i < list.length; i++) {
    if (ws.readyState !== ws.OPEN) return;
    if (i % 256 === 0) socket.cork();
    ws.send(list[i] as string | Buffer);
    if (i % 256 !== 255 && i !== list.length - 1) continue;
    socket.uncork(); // only uncorked data can drain, so wait only here
    if (ws.bufferedAmount > 4 * 1024 * 1024) {
      await new Promise<void>((resolve) => {
        const check = () =>
          ws.bufferedAmount < 1024 * 1024 || ws.readyState !== ws.OPEN ? resolve() : setImmediate(check);
        check();
      });
    }
  }
}

/** `rate` events per ms, each stamped with the monotonic clock (shared by all processes on Linux). */
function paced(ws: WebSocket, mode: string, count: number, rate: number, offset = 0) {
  let sent = 0;
  const started = process.hrtime.bigint();
  const tick = () => {
    if (ws.readyState !== ws.OPEN || sent >= count) return;
    const due = Number((process.hrtime.bigint() - started) / 1_000_000n) * rate;
    while (sent < Math.min(due, count)) {
      ws.send(encode(mode, benchEvent(offset + sent++, { sent_ns: process.hrtime.bigint().toString() })));
    }
    setImmediate(tick);
  };
  tick();
}
