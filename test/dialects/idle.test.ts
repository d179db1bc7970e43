/**
 * A 60 s idle run against every seed emulator with default heartbeat timings (the servers'
 * own ping periods as their documents give them): no DecodeError, no subscription left
 * pending, no reconnect. At the end, one event published to each proves the link still works.
 */
import { describe, expect, it } from 'vitest';
import { buster, forge, mdb, provisioning, querri } from '../../src/dialects/index.js';
import { type Client, createClient, type Dialect, type Subscription } from '../../src/index.js';
import { track } from '../cleanup.js';
import { startBuster } from '../fixtures/dialects/buster.js';
import { startForge } from '../fixtures/dialects/forge.js';
import { startMdb } from '../fixtures/dialects/mdb.js';
import { startProvisioning } from '../fixtures/dialects/provisioning.js';
import { startQuerri } from '../fixtures/dialects/querri.js';
import { reach } from '../helpers.js';

const IDLE_MS = 60_000;

interface Case {
  dialect: Dialect;
  start(): Promise<{ url: string; history: unknown[]; close(): Promise<void> }>;
  subscribe(client: Client): Promise<Subscription>;
  /** Makes the server send one event the subscription receives. */
  poke(): Promise<void> | void;
}

describe('60 s idle against every seed server, default heartbeat timings', () => {
  it(
    'no DecodeError, no pending subscription, no reconnect',
    async () => {
      const prov = startProvisioning();
      const q = startQuerri();
      const f = startForge();
      const m = startMdb();
      const b = startBuster();
      let session = '';
      const cases: Record<string, Case> = {
        provisioning: {
          dialect: provisioning(),
          start: () => prov.start(),
          subscribe: async (c) => c.subscribe('Tick'),
          poke: () => void prov.publish('Tick'),
        },
        querri: {
          dialect: querri(),
          start: () => q.start(),
          subscribe: async (c) => c.subscribe('Tick'),
          poke: () => q.publish({ type: 'Tick' }),
        },
        forge: {
          dialect: forge(),
          start: () => f.start(),
          async subscribe(c) {
            session = await c.request<string>('create_session', {});
            return c.subscribe('checkpoint_created', { filters: { session_id: session } });
          },
          poke: () => f.event('checkpoint_created', { session_id: session }),
        },
        mdb: {
          dialect: mdb(),
          start: () => m.start(),
          subscribe: async (c) => c.subscribe('Tick'),
          poke: () => m.broadcast({ type: 'Tick', data: {} }),
        },
        buster: {
          dialect: buster(),
          start: () => b.start(),
          subscribe: async (c) => c.subscribe('Tick'),
          poke: () => b.push('/ticks', 'Tick', {}),
        },
      };
      const runs = await Promise.all(
        Object.entries(cases).map(async ([name, k]) => {
          const server = track(await k.start());
          const token = name === 'forge' ? 'secret' : 'jwt';
          const client = track(createClient({ url: server.url, token, dialect: k.dialect, signals: false }));
          const trouble: string[] = [];
          client.on('error', (e) => void trouble.push(`${name}: ${e.code} ${e.message}`));
          client.on('reconnecting', () => void trouble.push(`${name}: reconnecting`));
          await reach(client, 'open');
          const sub = await k.subscribe(client);
          return { name, k, server, client, sub, trouble };
        }),
      );
      await new Promise((r) => setTimeout(r, IDLE_MS));
      for (const run of runs) {
        const got = new Promise((r) => run.sub.on(r));
        await run.k.poke();
        await got;
        expect(run.trouble).toEqual([]);
        expect([run.name, run.client.state, run.sub.state]).toEqual([run.name, 'open', 'active']);
        expect(run.server.history).toHaveLength(1);
      }
    },
    IDLE_MS + 20_000,
  );
});
