/**
 * eventwire/testing's controls one by one (the six-dialect matrix is matrix.test.ts): what
 * clients sent (`received`, `nextMessage`), `connected`/`clients`, `blackhole`, `close`,
 * `refuse` with a count and `accept`, v1's `gap`, seeded chaos, argument checks, `stop`.
 */
import { describe, expect, it } from 'vitest';
import { buster, eventwire, forge, mdb, provisioning, querri } from '../../src/dialects/index.js';
import {
  type AckableEvent,
  createClient,
  isAuthError,
  isDialectMismatchError,
  jsonCodec,
  OptionsError,
  type Subscription,
} from '../../src/index.js';
import { type ChaosEntry, createTestServer, DIALECT_NAMES, type TestServerOptions } from '../../src/testing/index.js';
import { track } from '../cleanup.js';
import { next, nextEvent, reach } from '../helpers.js';

const quick = { minDelay: 20, maxDelay: 50 };
const serve = async (options?: TestServerOptions) => {
  const server = await createTestServer(options);
  track({ close: () => server.stop() });
  return server;
};
const factories = { buster, eventwire, forge, mdb, provisioning, querri };
const isType = (type: string) => (m: unknown) => (m as { type?: unknown }).type === type;
const active = (sub: Subscription) =>
  new Promise<void>((r) => (sub.state === 'active' ? r() : sub.on('state', ({ to }) => to === 'active' && r())));

describe('eventwire/testing controls', () => {
  it('received and nextMessage: a subscribe (v1), parsed, in order; from: 0 looks back', async () => {
    const server = await serve();
    const client = track(createClient({ url: server.url, token: server.token, signals: false }));
    const subscribe = server.nextMessage(isType('subscribe'));
    client.subscribe('Tick');
    expect(await subscribe).toMatchObject({ type: 'subscribe', events: ['Tick'] });
    expect(server.received.filter(isType('subscribe'))).toHaveLength(1);
    expect(await server.nextMessage(isType('subscribe'), { from: 0 })).toMatchObject({ events: ['Tick'] });
  });

  it.each(DIALECT_NAMES)(
    '%s: received holds every frame, a message the server does not know and one that is not JSON (as its text)',
    async (name) => {
      const server = await serve({ dialect: name });
      const json = jsonCodec();
      // a codec that sends a marked message's text as it is
      const codec = { ...json, encode: (m: object) => ('raw' in m ? String(m.raw) : json.encode(m)) };
      const client = track(
        createClient({ url: server.url, token: server.token, dialect: factories[name](), codec, signals: false }),
      );
      client.on('error', () => {}); // servers answer such frames with errors of their own, or close
      await reach(client, 'open');
      const vote = server.nextMessage(isType('vote'));
      client.send({ type: 'vote', count: 1 });
      expect(await vote).toEqual({ type: 'vote', count: 1 });
      const text = server.nextMessage((m) => m === 'not json at all');
      client.send({ raw: 'not json at all' });
      expect(await text).toBe('not json at all');
    },
  );

  it('received keeps the last maxReceived messages (the oldest go first)', async () => {
    const server = await serve({ maxReceived: 2 });
    const client = track(createClient({ url: server.url, token: server.token, signals: false }));
    const third = server.nextMessage((m) => isType('subscribe')(m) && (m as { events: string[] }).events[0] === 'C');
    for (const name of ['A', 'B', 'C']) client.subscribe(name);
    await third;
    expect(server.received.map((m) => (m as { events?: string[] }).events)).toEqual([['B'], ['C']]);
    await expect(createTestServer({ maxReceived: 0 })).rejects.toThrow(OptionsError);
  });

  it("an ack in the server's dialect (querri): publish with requires_ack, await the ack", async () => {
    const server = await serve({ dialect: 'querri' });
    const client = track(
      createClient({ url: server.url, token: server.token, dialect: querri(), signals: false, acks: 'manual' }),
    );
    client.on('Deploy', (ev) => (ev as AckableEvent).ack?.());
    await reach(client, 'open');
    const ack = server.nextMessage(isType('ack'));
    server.publish('Deploy', { requires_ack: true, message_id: 'm-1' });
    expect(await ack).toEqual({ type: 'ack', message_id: 'm-1' });
  });

  it('nextMessage rejects after its timeout, and when the server stops', async () => {
    const server = await createTestServer();
    await expect(server.nextMessage(() => true, { timeout: 20 })).rejects.toThrow(/within 20 ms/);
    const pending = server.nextMessage();
    const counting = server.connected(1);
    await server.stop();
    await expect(pending).rejects.toThrow(/stopped/);
    await expect(counting).rejects.toThrow(/stopped/);
  });

  it('connected(n) resolves once n connections are open; clients counts them', async () => {
    const server = await serve({ dialect: 'mdb' });
    expect(server.clients).toBe(0);
    const two = server.connected(2);
    const a = track(createClient({ url: server.url, token: server.token, dialect: mdb(), signals: false }));
    track(createClient({ url: server.url, token: server.token, dialect: mdb(), signals: false }));
    await two;
    expect(server.clients).toBe(2);
    a.close();
    await expect(server.connected(3, { timeout: 30 })).rejects.toThrow(/fewer than 3/);
  });

  it('close(code, reason) sends a close frame the client reports, then it reconnects', async () => {
    const server = await serve();
    const client = track(createClient({ url: server.url, token: server.token, signals: false, backoff: quick }));
    await reach(client, 'open');
    const closed = next(client, 'close');
    server.close(1011, 'overloaded');
    expect(await closed).toMatchObject({ code: 1011, reason: 'overloaded', willReconnect: true });
    await reach(client, 'open');
  });

  it('blackhole(ms) keeps the socket: an event published during it arrives after it, on the same link', async () => {
    const server = await serve({ dialect: 'mdb' });
    const client = track(createClient({ url: server.url, token: server.token, dialect: mdb(), signals: false }));
    await reach(client, 'open');
    let closes = 0;
    client.on('close', () => void closes++);
    const started = performance.now();
    expect(server.blackhole(300)).toBe(1);
    const tick = nextEvent(client, 'Tick');
    server.publish('Tick', { n: 1 });
    expect((await tick).data).toEqual({ n: 1 });
    expect(performance.now() - started).toBeGreaterThanOrEqual(250); // held back by the silence
    expect({ closes, clients: server.clients, state: client.state }).toEqual({ closes: 0, clients: 1, state: 'open' });
  });

  it('blackhole(ms): silence with the socket kept, seen by the heartbeat; then a new link works', async () => {
    const server = await serve();
    const heartbeat = { interval: 100, timeout: 100 };
    const client = track(
      createClient({ url: server.url, token: server.token, signals: false, backoff: quick, heartbeat }),
    );
    await reach(client, 'open');
    const closed = next(client, 'close');
    expect(server.blackhole(2000)).toBe(1);
    expect((await closed).reason).toMatch(/heartbeat/);
    await reach(client, 'open');
    const tick = nextEvent(client, 'Tick');
    server.publish('Tick', { n: 1 });
    expect((await tick).data).toEqual({ n: 1 });
  });

  it('refuse(status, { count }) answers that many upgrades; refuse(403) until accept()', async () => {
    const server = await serve();
    server.refuse(503, { count: 2 });
    const client = track(createClient({ url: server.url, token: server.token, signals: false, backoff: quick }));
    client.on('error', () => {}); // the refused attempts are reported there; counted below
    let retries = 0;
    client.on('reconnecting', () => void retries++);
    await reach(client, 'open');
    expect(retries).toBe(2);

    server.refuse(403);
    const refused = next(client, 'error', isAuthError);
    server.drop();
    expect((await refused).message).toMatch(/\b403\b/);
    server.accept();
    const again = track(createClient({ url: server.url, token: server.token, signals: false }));
    await reach(again, 'open');
  });

  it('gap (v1): events the server will not replay reach a resuming subscription as its gap', async () => {
    const server = await serve();
    const client = track(createClient({ url: server.url, token: server.token, signals: false, backoff: quick }));
    const sub = client.subscribe('Tick');
    await active(sub);
    const first = nextEvent(client, 'Tick');
    server.publish('Tick', { n: 1 });
    await first;
    const gap = new Promise<{ from?: number; to?: number }>((r) => sub.on('gap', r));
    server.drop();
    server.gap?.(3);
    expect(await gap).toEqual({ from: 2, to: 4 });
  });

  it('restart (v1) keeps what it would replay: an event published while it is down reaches the resuming subscription', async () => {
    const server = await serve();
    const client = track(createClient({ url: server.url, token: server.token, signals: false, backoff: quick }));
    client.on('error', () => {}); // attempts while it is down
    const sub = client.subscribe('Tick');
    await active(sub);
    const first = nextEvent(client, 'Tick');
    server.publish('Tick', { n: 1 });
    await first;
    const replayed = nextEvent(client, 'Tick');
    const restarted = server.restart({ downMs: 200 });
    await reach(client, 'reconnecting');
    server.publish('Tick', { n: 2 }); // no client connected: only the replay can bring it
    await restarted;
    expect((await replayed).data).toEqual({ n: 2 });
  });

  it('gap is undefined where the server never replays (every emulated server; v1 alone replays)', async () => {
    const replays: string[] = [];
    for (const dialect of DIALECT_NAMES) {
      const server = await serve({ dialect });
      if (server.gap) replays.push(dialect);
    }
    expect(replays).toEqual(['eventwire']);
  });

  it('refuses what it cannot do: an unknown dialect, a bad status, non-object provisioning data', async () => {
    await expect(createTestServer({ dialect: 'socketio' as never })).rejects.toThrow(/no server for the dialect/);
    await expect(createTestServer({ dialect: 'quarri' as never })).rejects.toThrow(/; did you mean querri\?\)$/);
    await expect(createTestServer({ dialect: { ...forge(), name: 'mine' } })).rejects.toThrow(OptionsError);
    const server = await serve({ dialect: 'provisioning' });
    expect(() => server.refuse(42)).toThrow(OptionsError);
    expect(() => server.publish('Tick', 'text')).toThrow(OptionsError);
    expect(() => server.blackhole(-1)).toThrow(OptionsError);
  });
});

describe('the handshake, as the real servers answer it (through the fault proxy)', () => {
  // The emulated servers (FastAPI's accept(), axum's upgrade) select no subprotocol; the v1
  // reference server selects eventwire.v1, which a protocol v1 client requires.
  for (const name of ['provisioning', 'querri', 'forge', 'mdb'] as const) {
    it(`${name}: a protocol v1 client (no dialect) stops at once with DialectMismatchError`, async () => {
      const server = await serve({ dialect: name });
      const client = track(createClient({ url: server.url, token: server.token, signals: false }));
      const ended = next(client, 'error', isDialectMismatchError, 3000);
      expect((await ended).message).toMatch(/did not select subprotocol eventwire\.v1/);
      await reach(client, 'closed');
    });
  }

  it('buster: it reads no ?token=, so a protocol v1 client is refused with AuthError (4001), never a stall', async () => {
    const server = await serve({ dialect: 'buster' });
    const client = track(createClient({ url: server.url, token: server.token, signals: false }));
    const refused = await next(client, 'error', isAuthError, 3000);
    expect(isAuthError(refused) && refused.closeCode).toBe(4001);
    await reach(client, 'closed');
  });
});

describe('chaos mode', () => {
  /** The codes of the errors the clients of {@link run} met. */
  const errors = new Set<string>();
  /** Runs `count` faults of a seeded schedule against a live client; returns them. */
  const run = async (seed: number, count: number) => {
    const faults: ChaosEntry[] = [];
    let enough = () => {};
    const done = new Promise<void>((r) => (enough = r));
    const onFault = (entry: ChaosEntry) => faults.push(entry) === count && enough();
    const server = await serve({ chaos: { seed, everyMs: 30, maxOutageMs: 40, onFault } });
    const heartbeat = { interval: 100, timeout: 150 };
    const client = track(
      createClient({ url: server.url, token: server.token, signals: false, backoff: quick, heartbeat }),
    );
    client.on('error', (e) => errors.add(e.code)); // an attempt during an outage fails: said, not a crash
    await done;
    await server.stop();
    client.close();
    return faults.slice(0, count).map((f) => [f.fault, f.ms]);
  };

  it('a seed gives the same faults in the same order, with the same outages', async () => {
    const first = await run(42, 8);
    expect(await run(42, 8)).toEqual(first);
    expect(await run(43, 8)).not.toEqual(first);
    expect([...errors].filter((code) => code !== 'ERR_CONNECTION')).toEqual([]); // link faults only
  });

  it('the app gets events again once a chaos run stops', async () => {
    const server = await serve();
    const heartbeat = { interval: 100, timeout: 150 };
    const client = track(
      createClient({ url: server.url, token: server.token, signals: false, backoff: quick, heartbeat }),
    );
    const errors = new Set<string>();
    client.on('error', (error) => void errors.add(error.code));
    // subscribed, so an event sent on a link that then dies (a heartbeat of 150 ms on a loaded
    // machine) is replayed on the next: what is tested is that events flow again, not luck
    client.subscribe('Tick');
    await reach(client, 'open');
    let count = 0;
    let enough = () => {};
    const done = new Promise<void>((r) => (enough = r));
    const chaos = server.chaos({ seed: 9, everyMs: 25, maxOutageMs: 40, onFault: () => ++count === 10 && enough() });
    await done;
    await chaos.stop();
    expect(chaos.log.length).toBeGreaterThanOrEqual(10);
    // Latency and slicing stay on the links they were put on: a new link is clean.
    const reopened = next(client, 'open');
    server.drop();
    await reopened;
    const tick = nextEvent(client, 'Tick');
    server.publish('Tick', { n: 1 });
    expect((await tick).data).toEqual({ n: 1 });
    // what chaos made the client report: failed attempts (a restart's downtime), nothing else
    expect([...errors].filter((code) => code !== 'ERR_CONNECTION')).toEqual([]);
  });
});
