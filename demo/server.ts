/**
 * The demo: the reference server publishing a simulated provisioning workload, and, on the
 * same port, a dashboard page built on the SDK (bundled from demo/dashboard/app.ts by
 * esbuild when the demo starts).
 */
import { readFileSync } from 'node:fs';
import { build } from 'esbuild';
import { type ReferenceServer, startServer } from '../test/fixtures/server.js';
import { provisioningWorkload } from './workload.js';

export interface Demo {
  server: ReferenceServer;
  /** The dashboard, http://127.0.0.1:PORT/ */
  dashboardUrl: string;
  stop(): Promise<void>;
}

export const DEMO_TOKEN = 'demo-token';

export async function startDemo({ port = 0, ratePerSecond = 8, seed = 1 } = {}): Promise<Demo> {
  const bundle = await build({
    entryPoints: [new URL('./dashboard/app.ts', import.meta.url).pathname],
    bundle: true,
    write: false,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    minify: false,
    // browsers inflate gzip with fflate (tsconfig's path for #inflate is Node's)
    alias: { '#inflate': new URL('../src/codec/inflate-fflate.ts', import.meta.url).pathname },
    logLevel: 'silent',
  });
  const appJs = bundle.outputFiles[0]?.text ?? '';
  const html = readFileSync(new URL('./dashboard/index.html', import.meta.url), 'utf8');
  const server: ReferenceServer = await startServer({
    port,
    tokens: [DEMO_TOKEN],
    bufferSize: 5_000,
    heartbeatInterval: 10_000,
    http: (req, res) => {
      const path = new URL(req.url ?? '/', 'http://x').pathname;
      if (path === '/') res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(html);
      else if (path === '/app.js') res.writeHead(200, { 'content-type': 'text/javascript' }).end(appJs);
      else if (path === '/config.json') {
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ token: DEMO_TOKEN }));
      } else res.writeHead(404).end('not found');
    },
  });
  const next = provisioningWorkload(seed);
  const publisher = setInterval(() => server.publish(next()), Math.max(1, Math.round(1000 / ratePerSecond)));
  return {
    server,
    dashboardUrl: `http://127.0.0.1:${server.port}/`,
    async stop() {
      clearInterval(publisher);
      await server.close();
    },
  };
}
