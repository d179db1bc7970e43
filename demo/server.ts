/**
 * The demo: the reference server publishing a simulated provisioning workload, and, on the
 * same port, a dashboard page built on the SDK (bundled from demo/dashboard/app.ts by
 * esbuild when the demo starts).
 */
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { build } from 'esbuild';
import { developmentAliases } from '../scripts/aliases.mjs';
import { type ReferenceServer, startServer } from '../test/fixtures/server.js';
import { provisioningWorkload } from './workload.js';

export interface Demo {
  server: ReferenceServer;
  /** The dashboard, http://127.0.0.1:PORT/ */
  dashboardUrl: string;
  stop(): Promise<void>;
}

export interface DemoOptions {
  /** @default 0 (any free port) */
  port?: number;
  /** Workload events per second; 0 publishes nothing (tests publish their own). @default 8 */
  ratePerSecond?: number;
  /** @default 1 */
  seed?: number;
  /** Events the server keeps for resuming clients. @default 5000 */
  bufferSize?: number;
}

export const DEMO_TOKEN = 'demo-token';

/** The page's icon, so a browser's `/favicon.ico` is answered rather than a 404. */
const FAVICON =
  '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 16 16"><rect width="16" height="16" rx="3" fill="#0f1420"/>' +
  '<polyline points="2,11 5,7 8,9 11,4 14,6" fill="none" stroke="#3ecf8e" stroke-width="2"/></svg>';

/**
 * Rejects with the listen error (`EADDRINUSE`, `EACCES`) when `port` cannot be listened on.
 * The reference server's WebSocketServer re-emits its HTTP server's listen error as an
 * `error` event nobody listens to, which ends the process with a stack: asked first, the
 * demo can say what is wrong in one line.
 */
async function checkPort(port: number): Promise<void> {
  if (port === 0) return;
  const probe = createServer();
  probe.listen(port, '127.0.0.1');
  await once(probe, 'listening'); // rejects with the listen error
  await new Promise<void>((r) => probe.close(() => r()));
}

export async function startDemo({ port = 0, ratePerSecond = 8, seed = 1, bufferSize = 5_000 }: DemoOptions = {}) {
  await checkPort(port);
  const bundle = await build({
    entryPoints: [new URL('./dashboard/app.ts', import.meta.url).pathname],
    bundle: true,
    write: false,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    minify: false,
    // the browser's side of #inflate and #platform (tsconfig's paths are Node's); messages in full,
    // as a development bundle has them (`#words` under the `development` condition)
    alias: developmentAliases,
    logLevel: 'silent',
  });
  const routes: Record<string, { type: string; body: string }> = {
    '/': {
      type: 'text/html; charset=utf-8',
      body: readFileSync(new URL('./dashboard/index.html', import.meta.url), 'utf8'),
    },
    '/app.js': { type: 'text/javascript', body: bundle.outputFiles[0]?.text ?? '' },
    '/config.json': { type: 'application/json', body: JSON.stringify({ token: DEMO_TOKEN }) },
    '/favicon.svg': { type: 'image/svg+xml', body: FAVICON },
    '/favicon.ico': { type: 'image/svg+xml', body: FAVICON },
  };
  const server: ReferenceServer = await startServer({
    port,
    tokens: [DEMO_TOKEN],
    bufferSize,
    heartbeatInterval: 10_000,
    http: (req, res) => {
      const route = routes[new URL(req.url ?? '/', 'http://x').pathname];
      if (route) res.writeHead(200, { 'content-type': route.type }).end(route.body);
      else res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
    },
  });
  const next = provisioningWorkload(seed);
  const publisher =
    ratePerSecond > 0
      ? setInterval(() => server.publish(next()), Math.max(1, Math.round(1000 / ratePerSecond)))
      : undefined;
  const demo: Demo = {
    server,
    dashboardUrl: `http://127.0.0.1:${server.port}/`,
    async stop() {
      clearInterval(publisher);
      await server.close();
    },
  };
  return demo;
}
