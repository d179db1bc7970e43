/**
 * Servers that misuse the link, against a real `ws` server on 127.0.0.1: one that floods pings
 * and reads nothing, one that sends a frame over the socket's cap, one that never answers the
 * close frame, one that asks for a ping every 5 ms. Each is bounded, reported, or both.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import type { EventwireError } from '../src/errors/base.js';
import { isConnectionError, isDecodeError } from '../src/errors/errors.js';
import { createClient } from '../src/index.js';
import { track } from './cleanup.js';
import { actingServer } from './fixtures/ws-server.js';
import { eventually, next, reach } from './helpers.js';

const welcome = (extra: object = {}) => JSON.stringify({ type: 'welcome', session_id: 's', ...extra });
/** The most bytes the client lets a socket hold unsent before it stops writing to it. */
const BACKLOG = 1 << 20;

/**
 * A Node process (through tsx, from the sources) whose server stops reading once it has greeted:
 * `close()` sends a close frame that is never answered. It prints CLOSED once `close()` has
 * returned, then must exit on its own (`ws` alone waits 30 s for the answer, on a timer that
 * holds the process). Inline rather than a fixture file: nothing else runs it.
 */
const CLOSE_UNANSWERED = `
import { once } from 'node:events';
import { WebSocketServer } from 'ws';
import { createClient } from './src/index.ts';
const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
wss.on('connection', (ws, request) => {
  ws.send(JSON.stringify({ type: 'welcome', session_id: 's' }));
  request.socket.pause(); // reads nothing more: the close frame goes unanswered
  request.socket.unref(); // and this side holds the process no more than a remote server would
});
await once(wss, 'listening');
const client = createClient({ url: 'ws://127.0.0.1:' + wss.address().port });
await new Promise((resolve) => client.on('open', resolve));
wss.close(); // stops listening; the connection stays, paused
client.close();
console.log('CLOSED');
`;

/** Runs `script` (an ES module, from the repository's root) and resolves with its exit code, output, and ms from its last output to its exit; killed after `killAfterMs`. */
async function runScript(script: string, killAfterMs: number) {
  const root = fileURLToPath(new URL('..', import.meta.url));
  const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let out = '';
  let lastOutputAt = performance.now();
  child.stdout.on('data', (data) => {
    out += data;
    lastOutputAt = performance.now();
  });
  const killer = setTimeout(() => child.kill('SIGKILL'), killAfterMs);
  const [code] = (await once(child, 'close')) as [number | null];
  clearTimeout(killer);
  return { code, out, exitedAfterOutputMs: performance.now() - lastOutputAt };
}

/** A `ws` class that keeps every socket it makes: the test reads their public `bufferedAmount`. */
function recordingWebSocket() {
  const sockets: WebSocket[] = [];
  class Recorded extends WebSocket {
    constructor(...args: ConstructorParameters<typeof WebSocket>) {
      super(...args);
      sockets.push(this);
    }
  }
  return { Recorded, sockets };
}

describe('a server that reads nothing', () => {
  it('flooding pings: the pongs stop at 1 MiB unsent, sends wait in the outbox (to its cap), the stuck link is dropped with a ConnectionError', async () => {
    const { Recorded, sockets } = recordingWebSocket();
    let ts = 0;
    const server = await actingServer((ws, request) => {
      ws.send(welcome());
      request.socket.pause(); // reads nothing the client writes from now on
      const flood = () => {
        if (ws.readyState !== WebSocket.OPEN) return;
        for (let i = 0; i < 2000 && ws.bufferedAmount < 4e6; i++) ws.send(`{"type":"ping","ts":${++ts}}`);
        setImmediate(flood);
      };
      flood();
    });
    const client = track(
      createClient({
        url: server.url,
        WebSocket: Recorded,
        outboxSize: 2,
        heartbeat: { interval: 25_000, timeout: 1_000 },
      }),
    );
    const errors: EventwireError[] = [];
    let heldAtReport = -1;
    client.on('error', (error) => {
      errors.push(error);
      heldAtReport = sockets[0]?.bufferedAmount ?? -1;
    });
    const closed = next(client, 'close', () => true, 15_000);
    await reach(client, 'open');
    await eventually(() => (sockets[0]?.bufferedAmount ?? 0) > BACKLOG, 15_000);
    expect([client.send({ n: 1 }), client.send({ n: 2 }), client.send({ n: 3 })]).toEqual([
      'queued',
      'queued',
      'refused',
    ]);
    expect(client.stats().queued).toBe(2);
    const close = await closed;
    expect([close.code, close.reason, close.willReconnect]).toEqual([1006, 'write stalled', true]);
    expect(errors).toEqual([close.error]);
    expect(isConnectionError(close.error) && close.error.kind).toBe('network');
    expect(close.error?.message).toMatch(/is stuck: .* bytes unsent/);
    // the pong that crossed the bound, and the close frame, at most past it
    expect(heldAtReport).toBeGreaterThan(BACKLOG);
    expect(heldAtReport).toBeLessThan(BACKLOG + 200);
    expect(client.stats().errorsByCode).toEqual({ ERR_CONNECTION: 1 });
  });

  it('close() lets a Node process exit within about a second when the server never answers the close frame', async () => {
    const run = await runScript(CLOSE_UNANSWERED, 15_000);
    expect([run.code, run.out.trim()]).toEqual([0, 'CLOSED']);
    expect(run.exitedAfterOutputMs).toBeLessThan(5_000); // `ws` alone: 30 s
  });
});

describe('a frame over the socket cap (twice maxMessageBytes and 64 KiB)', () => {
  const big = (seq: number) =>
    JSON.stringify({ event_type: 'E', timestamp: '2026-01-01T00:00:00Z', data: 'a'.repeat(70_000), seq });
  /** Greets every link; on the first, sends one frame over the cap. */
  const bigOnFirstLink = () => {
    let connections = 0;
    return actingServer((ws) => {
      ws.send(welcome());
      if (++connections === 1) ws.send(big(1));
    });
  };

  it('on an open link: a DecodeError too_large, a close with 1009 that carries it, and a reconnect', async () => {
    const server = await bigOnFirstLink();
    const client = track(createClient({ url: server.url, maxMessageBytes: 1024 }));
    const errors: EventwireError[] = [];
    client.on('error', (error) => errors.push(error));
    const close = await next(client, 'close');
    expect([close.code, close.reason, close.willReconnect]).toEqual([1009, 'message too big', true]);
    expect(isDecodeError(close.error) && close.error.reason).toBe('too_large');
    expect(close.error?.message).toMatch(/over 67584 bytes.*closed \(1009\)/);
    expect(errors).toEqual([close.error]);
    await reach(client, 'open');
    expect(client.stats().errorsByCode).toEqual({ ERR_DECODE: 1 });
  });

  it('on every resume, with retries limited: reported once, as the cause of the ReconnectExhaustedError that stops the client', async () => {
    const server = await actingServer((ws) => {
      ws.send(welcome());
      ws.send(big(1)); // the server sends it again on every resume
    });
    const client = track(createClient({ url: server.url, maxMessageBytes: 1024, backoff: { maxRetries: 0 } }));
    const errors: EventwireError[] = [];
    client.on('error', (error) => errors.push(error));
    const reconnecting: unknown[] = [];
    client.on('reconnecting', ({ error }) => void reconnecting.push(error));
    await reach(client, 'closed');
    expect(errors.map((e) => e.code)).toEqual(['ERR_RECONNECT_EXHAUSTED']);
    expect(isDecodeError(errors[0]?.cause) && errors[0]?.cause.reason).toBe('too_large');
    expect(reconnecting).toEqual([]);
  });

  it('the reconnecting event carries it, as it carries a failed attempt', async () => {
    const server = await bigOnFirstLink();
    const client = track(createClient({ url: server.url, maxMessageBytes: 1024 }));
    client.on('error', () => {});
    const reconnecting = await next(client, 'reconnecting');
    expect(isDecodeError(reconnecting.error) && reconnecting.error.reason).toBe('too_large');
  });

  it('before the greeting: the failed attempt is that DecodeError, with close 1009', async () => {
    let connections = 0;
    const server = await actingServer((ws) => ws.send(++connections === 1 ? big(1) : welcome()));
    const client = track(createClient({ url: server.url, maxMessageBytes: 1024 }));
    const errors: EventwireError[] = [];
    client.on('error', (error) => errors.push(error));
    const close = await next(client, 'close');
    expect([close.code, close.willReconnect]).toEqual([1009, true]);
    expect(isDecodeError(close.error) && close.error.reason).toBe('too_large');
    expect(errors).toEqual([close.error]);
    await reach(client, 'open');
  });
});

describe("a greeting's heartbeat_interval", () => {
  it('is never taken under a second: a server asking for 5 ms is pinged every second', async () => {
    const pings: number[] = [];
    let wake = () => {};
    const server = await actingServer((ws) => {
      ws.send(welcome({ heartbeat_interval: 5 }));
      ws.on('message', (data) => {
        const message = JSON.parse(String(data)) as { type: string };
        if (message.type !== 'ping') return;
        pings.push(performance.now());
        ws.send(JSON.stringify({ type: 'pong' }));
        wake();
      });
    });
    const client = track(createClient({ url: server.url }));
    await reach(client, 'open');
    const openedAt = performance.now();
    while (pings.length < 2) await new Promise<void>((resolve) => (wake = resolve));
    const [first = 0, second = 0] = pings;
    expect(first - openedAt).toBeGreaterThan(900);
    expect(second - first).toBeGreaterThan(900);
  });
});
