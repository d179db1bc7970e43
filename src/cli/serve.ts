/**
 * `eventwire serve`: the reference server (protocol v1, the one eventwire/testing's v1 test
 * server runs) on a known port, publishing a small demo workload, so that README's Quickstart
 * has a server to talk to wherever the package is installed, not only in a clone of the
 * repository (`npm run demo`).
 *
 * main.ts loads this file with `import()` for `serve` alone, and tsup builds it into a file of
 * its own (dist/cli-serve.js, zod bundled as in dist/testing.js): `eventwire tail` never loads
 * the server, `ws`'s server or zod. It is the one file outside src/testing/ that imports the
 * reference server (.dependency-cruiser.cjs, rule `only-testing-imports-testing`).
 */
import { once } from 'node:events';
import { createServer } from 'node:net';
import { type PublishInput, type ReferenceServer, startServer } from '../testing/reference-server.js';
import type { ConnectionInfo } from '../testing/reference-types.js';
import { SERVE_TOKEN, type ServeArgs } from './args.js';

/** ms between two ticks of the workload. */
const TICK = 1000;
/** How long the connections open at a stop get to answer the close frame (1001) before they are cut. */
const CLOSE_GRACE = 1000;

/** The hosts of `npm run demo`'s provisioning workload (demo/workload.ts), one per task in turn. */
const HOSTS = ['db-01', 'web-02', 'cache-03', 'queue-04'] as const;

/**
 * The demo workload, one tick a call: a task's status change (TaskStatusChanged `{ task_id,
 * host, status }`, the demo's facts) and its LogEntry line (`{ level, host, message }`). Each task
 * goes Pending, Running, then Done; every fifth task Failed (its line is an ERROR).
 */
function demoWorkload(): () => PublishInput[] {
  let tick = 0;
  return () => {
    const n = Math.floor(tick / 3) + 1;
    const step = tick % 3;
    tick++;
    const task_id = `task-${n}`;
    const host = HOSTS[(n - 1) % HOSTS.length] as string;
    const status = step === 0 ? 'Pending' : step === 1 ? 'Running' : n % 5 === 0 ? 'Failed' : 'Done';
    return [
      { event_type: 'TaskStatusChanged', data: { task_id, host, status } },
      {
        event_type: 'LogEntry',
        data: { level: status === 'Failed' ? 'ERROR' : 'INFO', host, message: `${task_id} ${status.toLowerCase()}` },
      },
    ];
  };
}

/** `ws://host:port`, an IPv6 address in brackets. */
const wsUrl = (host: string, port: number) => `ws://${host.includes(':') ? `[${host}]` : host}:${port}`;

/**
 * Rejects with the listen error (EADDRINUSE, EACCES, EADDRNOTAVAIL) when `host:port` cannot be
 * listened on. The reference server's WebSocketServer re-emits its HTTP server's listen error
 * as an `error` event nobody listens to, which would end the process with a stack: asked first,
 * the command says what is wrong in one line (demo/server.ts does the same).
 */
async function checkListen(host: string, port: number): Promise<void> {
  const probe = createServer();
  probe.listen(port, host);
  await once(probe, 'listening'); // rejects with the listen error
  await new Promise<void>((r) => probe.close(() => r()));
}

/**
 * What the reference server keeps for tests to read (every connection ever accepted, what each sent, every ack),
 * let go of: a server left running would grow with each client and message without bound.
 */
export function forget(server: ReferenceServer): void {
  const open = new Set(server.connections);
  const history = server.history;
  for (let i = history.length - 1; i >= 0; i--) if (!open.has(history[i] as ConnectionInfo)) history.splice(i, 1);
  for (const connection of open) connection.received.length = 0;
  server.acks.length = 0;
}

/** Why `host:port` cannot be listened on, in one line, with what to do. */
function listenProblem(error: NodeJS.ErrnoException, host: string, port: number): string | undefined {
  if (error.code === 'EADDRINUSE')
    return `port ${port} is in use on ${host}: pass --port 0 (a free one) or another port`;
  if (error.code === 'EACCES') return `port ${port} needs privileges: pass --port 0 or a port above 1023`;
  if (error.code === 'EADDRNOTAVAIL' || error.code === 'ENOTFOUND' || error.code === 'EAI_AGAIN')
    return `cannot listen on ${host}: it is not an address of this machine (${error.code}); try --host 127.0.0.1`;
  return undefined;
}

/**
 * Runs the server until SIGINT or SIGTERM; resolves with the exit code (0 once stopped, 1 when it
 * cannot listen). `status` writes one line on stderr.
 */
export async function serve(args: ServeArgs, status: (line: string) => void): Promise<number> {
  try {
    await checkListen(args.host, args.port);
  } catch (error) {
    const problem = listenProblem(error as NodeJS.ErrnoException, args.host, args.port);
    if (!problem) throw error;
    status(problem);
    return 1;
  }
  const server = await startServer({ host: args.host, port: args.port, tokens: [args.token] });
  const url = wsUrl(args.host, server.port);
  const next = demoWorkload();
  let publisher: NodeJS.Timeout | undefined;
  // from the first client on: whoever connects first sees the workload from its start (task-1 Pending)
  server.once('authed', () => {
    publisher = setInterval(() => {
      for (const event of next()) server.publish(event);
      forget(server);
    }, TICK);
  });
  const token = args.token === SERVE_TOKEN ? `token "${SERVE_TOKEN}"` : 'the token given with --token';
  process.stdout.write(`${url}\n`);
  status(
    `the reference server listens on ${url} (${token}), a TaskStatusChanged event every second from the first client on; Ctrl-C stops it`,
  );
  const signal = await new Promise<NodeJS.Signals>((resolve) => {
    const stop = (name: NodeJS.Signals) => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve(name); // a second Ctrl-C while it stops ends the process at once, as Node does by default
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
  clearInterval(publisher);
  // a close frame the clients understand (1001: going away, they reconnect) rather than a cut link
  server.dropAll(1001, 'eventwire serve stopped');
  const deadline = Date.now() + CLOSE_GRACE;
  while (server.connections.length > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  await server.close(); // cuts what is left, stops listening: the port is free
  status(`stopped (${signal})`);
  return 0;
}
