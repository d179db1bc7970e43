/**
 * exposeTestServer / connectTestServer: a test server driven from another process over HTTP
 * (what Playwright's workers use; the README recipe runs it end to end). Here: the info, a
 * control reaching the server, a refused control, what clients sent (a pattern instead of a
 * function), v1's gap, and the cap on a control's body.
 */
import { describe, expect, it } from 'vitest';
import { querri } from '../../src/dialects/index.js';
import { createClient, isOptionsError, type Subscription } from '../../src/index.js';
import { connectTestServer, createTestServer, exposeTestServer } from '../../src/testing/index.js';
import { track } from '../cleanup.js';
import { next, nextEvent } from '../helpers.js';

describe('a test server driven over HTTP', () => {
  it('says where to connect, publishes, drops, and answers a refused control with its reason', async () => {
    const server = await createTestServer({ dialect: 'querri', token: 'jwt-1' });
    track({ close: () => server.stop() });
    const exposed = track(await exposeTestServer(server));
    const remote = await connectTestServer(exposed.url);
    expect(remote).toMatchObject({ dialect: 'querri', url: server.url, token: 'jwt-1', authCloseCode: 4403 });

    const client = track(createClient({ url: remote.url, token: remote.token, dialect: querri(), signals: false }));
    await next(client, 'open');
    expect(await remote.clients()).toBe(1);
    await expect(remote.refuse(42)).rejects.toThrow(/^status must be an HTTP status that refuses an upgrade/);
  });

  it('a control body over 1 MiB is refused (400), the server goes on', async () => {
    const server = await createTestServer();
    track({ close: () => server.stop() });
    const exposed = track(await exposeTestServer(server));
    const res = await fetch(exposed.url, {
      method: 'POST',
      body: JSON.stringify({ op: 'publish', args: ['Big', 'x'.repeat(1024 * 1024 + 1)] }),
    });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: string }).error).toMatch(/at most 1048576 bytes/);
    const bad = await fetch(exposed.url, { method: 'POST', body: 'not json' });
    expect(bad.status).toBe(400);

    const remote = await connectTestServer(exposed.url);
    const client = track(createClient({ url: remote.url, token: remote.token, signals: false }));
    await next(client, 'open');
    const tick = nextEvent(client, 'Tick');
    await remote.publish('Tick', { n: 1 });
    expect((await tick).data).toEqual({ n: 1 });
    const closed = next(client, 'close');
    await remote.drop();
    expect((await closed).code).toBe(1006);
  });

  it('nextMessage given a function (it works in-process only) is an OptionsError: sent as JSON it matched anything', async () => {
    const server = await createTestServer();
    track({ close: () => server.stop() });
    const remote = await connectTestServer(track(await exposeTestServer(server)).url);
    const refused = await remote.nextMessage((() => true) as never, { timeout: 100 }).catch((error: unknown) => error);
    expect(isOptionsError(refused) && (refused as Error).message).toMatch(/^nextMessage pattern must be an object/);
  });

  it('received and nextMessage with a pattern; gap on v1, refused where the server never replays', async () => {
    const server = await createTestServer();
    track({ close: () => server.stop() });
    const remote = await connectTestServer(track(await exposeTestServer(server)).url);
    const client = track(createClient({ url: remote.url, token: remote.token, signals: false }));
    const subscribe = remote.nextMessage({ type: 'subscribe' });
    const sub: Subscription = client.subscribe('Tick');
    expect(await subscribe).toMatchObject({ type: 'subscribe', events: ['Tick'] });
    expect(await remote.nextMessage({ events: ['Tick'] }, { from: 0 })).toMatchObject({ type: 'subscribe' });
    expect((await remote.received()).filter((m) => (m as { type?: string }).type === 'subscribe')).toHaveLength(1);
    await expect(remote.nextMessage({ type: 'never' }, { timeout: 20 })).rejects.toThrow(/within 20 ms/);

    await new Promise<void>((r) =>
      sub.state === 'active' ? r() : sub.on('state', ({ to }) => to === 'active' && r()),
    );
    const first = nextEvent(client, 'Tick');
    await remote.publish('Tick', { n: 1 });
    await first;
    const gap = new Promise<{ from?: number; to?: number }>((r) => sub.on('gap', r));
    await remote.drop();
    await remote.gap(2);
    expect(await gap).toEqual({ from: 2, to: 3 });

    const other = await createTestServer({ dialect: 'mdb' });
    track({ close: () => other.stop() });
    const mdb = await connectTestServer(track(await exposeTestServer(other)).url);
    await expect(mdb.gap()).rejects.toThrow(/mdb server never replays/);
  });
});
