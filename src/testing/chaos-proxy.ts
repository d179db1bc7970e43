/**
 * A fault-injecting TCP proxy between clients and a server, on 127.0.0.1.
 * It can cut connections (RST or FIN), blackhole them (stop forwarding both ways while
 * the sockets stay open), stall them for a while (nothing read or written, then everything
 * flows again), add latency and jitter, slice data into tiny TCP segments, and throttle
 * bandwidth. Faults apply to the connections open when they are injected. It can also answer
 * the next upgrades with an HTTP status, and stop listening for a while (a server restart).
 */
import { once } from 'node:events';
import type { AddressInfo, Server } from 'node:net';
import { createConnection, createServer, type Socket } from 'node:net';

/**
 * A fault {@link ChaosProxy.inject} applies to every live connection.
 * @example `proxy.inject('stall', { ms: 500 })`
 */
export type FaultKind = 'rst' | 'fin' | 'blackhole' | 'stall' | 'latency' | 'slice' | 'throttle';

/** Options of one fault: each kind reads its own. @example `{ latency: 50, jitter: 20 }` */
interface FaultOptions {
  /** `latency`: ms added to every chunk. @default 50 */
  latency?: number;
  /** `latency`: random ms added on top, up to this. @default 50 */
  jitter?: number;
  /** `slice`: bytes per TCP segment. @default 7 */
  slice?: number;
  /** `throttle`: bytes a second. @default 65536 */
  bytesPerSecond?: number;
  /** `stall`: ms before the connection flows again. @default 1000 */
  ms?: number;
}

/** The longest request head the proxy reads before it answers a refused upgrade (bytes). */
const MAX_HEAD = 16 * 1024;

interface Pipe {
  client: Socket;
  upstream: Socket;
  blackholed: boolean;
  latency: number;
  jitter: number;
  slice: number;
  bytesPerSecond: number;
  /** Per direction: when the last chunk is due, so that delays keep the order. */
  due: { up: number; down: number };
  /** Per direction: pieces waiting to be written, strictly in order (TCP never reorders). */
  queue: { up: Array<{ at: number; piece: Buffer }>; down: Array<{ at: number; piece: Buffer }> };
  draining: { up: boolean; down: boolean };
}

/**
 * A running fault proxy (see {@link startChaosProxy}).
 * @example
 * ```ts
 * const proxy = await startChaosProxy(8080); // in front of a server on 127.0.0.1:8080
 * proxy.inject('rst'); // every live connection is reset
 * await proxy.close();
 * ```
 */
export interface ChaosProxy {
  /** `ws://127.0.0.1:<port>`: connect here instead of to the server. */
  url: string;
  port: number;
  /** Live connection pairs. */
  readonly size: number;
  /** Applies a fault to every live connection; returns how many it touched. */
  inject(kind: FaultKind, options?: FaultOptions): number;
  /** Lifts latency, slicing and throttling (blackholes and cuts are for good; stalls end on their own). */
  heal(): void;
  /**
   * Answers the next `count` connections (every one, by default) with HTTP `status` and
   * closes them, without reaching the server; `refuse(undefined)` lets them through again.
   */
  refuse(status: number | undefined, options?: { count?: number; headers?: Record<string, string> }): void;
  /** Stops listening (connections are refused at TCP level) until {@link ChaosProxy.listen}. */
  pause(): Promise<void>;
  /** Listens again, on the same port. */
  listen(): Promise<void>;
  close(): Promise<void>;
}

/** Starts a fault proxy to `127.0.0.1:targetPort` on a free port; `random` drives jitter. */
export async function startChaosProxy(targetPort: number, random: () => number = Math.random): Promise<ChaosProxy> {
  const pipes = new Set<Pipe>();
  const stalls = new Set<ReturnType<typeof setTimeout>>();
  const refusing = new Set<Socket>();
  let refusal: { status: number; count: number; headers: Record<string, string> } | undefined;
  /** Reads the request head, then answers it with the refusal's status (as a server refusing an upgrade does). */
  const refuse = (client: Socket, status: number, headers: Record<string, string>) => {
    refusing.add(client);
    let head = '';
    client.on('error', () => client.destroy());
    client.on('close', () => refusing.delete(client));
    client.on('data', (chunk) => {
      if (head.includes('\r\n\r\n')) return;
      head += chunk.toString('latin1');
      if (!head.includes('\r\n\r\n') && head.length < MAX_HEAD) return;
      const extra = Object.entries(headers)
        .map(([name, value]) => `${name}: ${value}\r\n`)
        .join('');
      client.end(`HTTP/1.1 ${status} Refused\r\n${extra}Content-Length: 0\r\nConnection: close\r\n\r\n`);
    });
  };
  const accept = (client: Socket) => {
    if (refusal) {
      const { status, headers } = refusal;
      if (--refusal.count <= 0) refusal = undefined;
      refuse(client, status, headers);
      return;
    }
    client.setNoDelay(true);
    const upstream = createConnection({ host: '127.0.0.1', port: targetPort });
    upstream.setNoDelay(true);
    const pipe: Pipe = {
      client,
      upstream,
      blackholed: false,
      latency: 0,
      jitter: 0,
      slice: 0,
      bytesPerSecond: 0,
      due: { up: 0, down: 0 },
      queue: { up: [], down: [] },
      draining: { up: false, down: false },
    };
    pipes.add(pipe);
    const end = () => {
      pipes.delete(pipe);
      client.destroy();
      upstream.destroy();
    };
    client.on('error', end).on('close', end);
    upstream.on('error', end).on('close', end);
    client.on('data', (chunk) => forward(pipe, chunk, upstream, 'up'));
    upstream.on('data', (chunk) => forward(pipe, chunk, client, 'down'));
  };
  let server: Server = createServer(accept);

  const forward = (pipe: Pipe, chunk: Buffer, to: Socket, direction: 'up' | 'down') => {
    if (pipe.blackholed) return;
    const now = Date.now();
    let at = Math.max(now, pipe.due[direction]);
    if (pipe.latency || pipe.jitter) at = Math.max(at, now + pipe.latency + random() * pipe.jitter);
    if (pipe.bytesPerSecond) at += (chunk.length / pipe.bytesPerSecond) * 1000;
    pipe.due[direction] = at;
    const queue = pipe.queue[direction];
    if (pipe.slice > 0)
      for (let i = 0; i < chunk.length; i += pipe.slice) queue.push({ at, piece: chunk.subarray(i, i + pipe.slice) });
    else queue.push({ at, piece: chunk });
    drain(pipe, to, direction);
  };

  /** Writes queued pieces in order: each when due, sliced ones as separate writes (separate segments). */
  const drain = (pipe: Pipe, to: Socket, direction: 'up' | 'down') => {
    if (pipe.draining[direction]) return;
    const queue = pipe.queue[direction];
    const next = () => {
      if (pipe.blackholed || to.destroyed) {
        queue.length = 0;
        pipe.draining[direction] = false;
        return;
      }
      const head = queue[0];
      if (!head) {
        pipe.draining[direction] = false;
        return;
      }
      const wait = head.at - Date.now();
      if (wait > 0) {
        setTimeout(next, wait);
        return;
      }
      queue.shift();
      to.write(head.piece);
      if (pipe.slice > 0) setImmediate(next);
      else next();
    };
    pipe.draining[direction] = true;
    next();
  };

  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const port = (server.address() as AddressInfo).port;
  let listening = true;
  return {
    url: `ws://127.0.0.1:${port}`,
    port,
    get size() {
      return pipes.size;
    },
    inject(kind, options = {}) {
      const live = [...pipes];
      for (const pipe of live) {
        if (kind === 'rst') {
          pipe.client.resetAndDestroy();
          pipe.upstream.resetAndDestroy();
        } else if (kind === 'fin') {
          pipe.client.end();
          pipe.upstream.end();
        } else if (kind === 'blackhole') pipe.blackholed = true;
        else if (kind === 'stall') {
          pipe.client.pause();
          pipe.upstream.pause();
          const timer = setTimeout(() => {
            stalls.delete(timer);
            pipe.client.resume();
            pipe.upstream.resume();
          }, options.ms ?? 1000);
          stalls.add(timer);
        } else if (kind === 'latency') {
          pipe.latency = options.latency ?? 50;
          pipe.jitter = options.jitter ?? 50;
        } else if (kind === 'slice') pipe.slice = options.slice ?? 7;
        else if (kind === 'throttle') pipe.bytesPerSecond = options.bytesPerSecond ?? 64 * 1024;
      }
      return live.length;
    },
    heal() {
      for (const pipe of pipes) Object.assign(pipe, { latency: 0, jitter: 0, slice: 0, bytesPerSecond: 0 });
    },
    refuse(status, options = {}) {
      refusal =
        status === undefined
          ? undefined
          : { status, count: options.count ?? Number.POSITIVE_INFINITY, headers: options.headers ?? {} };
    },
    async pause() {
      if (!listening) return;
      listening = false;
      const closing = server;
      await new Promise<void>((r) => {
        closing.close(() => r());
        // Connections still open keep 'close' waiting: the listener is gone at once, that is enough.
        setImmediate(r);
      });
    },
    async listen() {
      if (listening) return;
      server = createServer(accept);
      server.listen(port, '127.0.0.1');
      await once(server, 'listening');
      listening = true;
    },
    async close() {
      for (const timer of stalls) clearTimeout(timer);
      stalls.clear();
      for (const socket of refusing) socket.destroy();
      for (const pipe of pipes) {
        pipe.client.destroy();
        pipe.upstream.destroy();
      }
      if (listening) await new Promise<void>((r) => server.close(() => r()));
      listening = false;
    },
  };
}
