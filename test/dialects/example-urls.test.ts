/**
 * README "Servers it speaks": each example URL, as the table writes it, reaches `open` through
 * its dialect against a server rebuilt from that server's code (only the host and port are
 * this test's).
 */
import { readFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { buster, type Dialect, eventwire, forge, mdb, provisioning, querri } from '../../src/dialects/index.js';
import { createClient } from '../../src/index.js';
import { track } from '../cleanup.js';
import { startBuster } from '../fixtures/dialects/buster.js';
import { startForge } from '../fixtures/dialects/forge.js';
import { startProvisioning } from '../fixtures/dialects/provisioning.js';
import { type PythonServer, startPython, startQuerriStack } from '../fixtures/python.js';
import { startServer } from '../fixtures/server.js';
import { reach } from '../helpers.js';
import { quick } from './collect.js';

/** The table's "example URL (tested)" row, by column: v1, provisioning, querri, forge, mdb, buster. */
function exampleUrls(): string[] {
  const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
  const row = readme.split('\n').find((line) => line.startsWith('| example URL (tested) |'));
  if (!row) throw new Error('README has no "example URL (tested)" row');
  return [...row.matchAll(/`(wss?:\/\/[^`]+)`/g)].map((m) => m[1] as string);
}

const python: PythonServer[] = [];
afterAll(() => Promise.all(python.map((p) => p.close())));

const mint = async (on: PythonServer) => (await on.post<{ token: string }>('/_test/token', { sub: 'u-1' })).token;

/** Per column: the dialect, and a server of it with the token it accepts. */
const servers: Array<[string, () => Dialect, () => Promise<{ origin: string; token?: string }>]> = [
  ['eventwire', eventwire, async () => ({ origin: track(await startServer()).url })],
  ['provisioning', provisioning, async () => ({ origin: track(await startProvisioning().start()).url, token: 'jwt' })],
  [
    'querri',
    querri,
    async () => {
      const stack = await startQuerriStack();
      python.push(stack);
      return { origin: stack.url, token: await mint(stack) };
    },
  ],
  ['forge', forge, async () => ({ origin: track(await startForge().start()).url })],
  [
    'mdb',
    mdb,
    async () => {
      const app = await startPython('mdb_app');
      python.push(app);
      return { origin: app.url, token: await mint(app) };
    },
  ],
  ['buster', buster, async () => ({ origin: track(await startBuster().start()).url, token: 'jwt' })],
];

describe('README example URLs', () => {
  const urls = exampleUrls();
  it('the table names one per server', () => expect(urls).toHaveLength(servers.length));

  servers.forEach(([name, dialect, start], i) => {
    it(`${name}: ${urls[i]} opens as written`, async () => {
      const { origin, token } = await start();
      const example = new URL(urls[i] as string);
      const url = new URL(`${example.pathname}${example.search}`, origin.replace(/^ws/, 'http'));
      url.protocol = 'ws:';
      const client = track(createClient({ url, token, dialect: dialect(), signals: false, backoff: quick }));
      await reach(client, 'open');
      expect(client.state).toBe('open');
    }, 60_000); // querri and mdb start a Python stack (a start-up allowed 20 s): 9.6 s measured with the CPU shared
  });
});
