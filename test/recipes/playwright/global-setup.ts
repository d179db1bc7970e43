import { readdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { dirname, join } from 'node:path';
import { createTestServer, exposeTestServer } from 'eventwire/testing';

export default async function globalSetup() {
  const server = await createTestServer();
  const control = await exposeTestServer(server);
  process.env.EVENTWIRE_CONTROL = control.url; // the workers drive the server from here

  // The app under test (yours runs under Playwright's `webServer`): a page and eventwire's browser
  // build, `eventwire.js` and the chunk files beside it that it loads when a feature is first used.
  const dir = dirname(createRequire(import.meta.url).resolve('eventwire/browser'));
  const scripts = new Set(readdirSync(dir).filter((name) => name.endsWith('.js')));
  const page = readFileSync(new URL('./app.html', import.meta.url));
  const app = createServer((req, res) => {
    const name = req.url?.slice(1) ?? '';
    if (scripts.has(name)) res.writeHead(200, { 'content-type': 'text/javascript' }).end(readFileSync(join(dir, name)));
    else res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(page);
  });
  await new Promise<void>((resolve) => app.listen(0, '127.0.0.1', resolve));
  process.env.APP_URL = `http://127.0.0.1:${(app.address() as AddressInfo).port}`;

  return async () => {
    app.close();
    await control.close();
    await server.stop();
  };
}
