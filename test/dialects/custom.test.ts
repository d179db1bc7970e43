/** README's "A sixth server" recipe, as written there, against a server of that shape. */
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { eventwire } from '../../src/dialects/index.js';
import {
  createClient,
  DecodeError,
  type Dialect,
  isDecodeError,
  isHookError,
  isOptionsError,
} from '../../src/index.js';
import { track } from '../cleanup.js';
import { Emulator } from '../fixtures/dialects/emulator.js';
import { startServer } from '../fixtures/server.js';
import { eventually, reach, thrown } from '../helpers.js';
import { collect } from './collect.js';

// --- the recipe (README.md, "A sixth server") ---
const acme: Dialect = {
  ...eventwire(), // start from protocol v1: URL parameters, pings, close codes...
  name: 'acme',
  greeting: 'none',
  confirms: false,
  resume: 'none',
  read(value, sink) {
    const msg = value as { kind?: unknown; body?: unknown; at?: unknown };
    if (typeof msg.kind !== 'string') return sink.error(new DecodeError('no_event_name', 'a message needs a kind'));
    if (msg.kind === 'pong') return sink.pong();
    sink.event({ event_type: msg.kind, data: msg.body, timestamp: String(msg.at ?? new Date().toISOString()) });
  },
  subscribe: (spec) => ({ op: 'watch', kinds: spec.events }),
  unsubscribe: (spec) => ({ op: 'unwatch', kinds: spec.events }),
  ping: () => ({ op: 'ping' }),
};
// --- end of the recipe ---

describe('a custom dialect', () => {
  it('speaks its own format, and still gets the JSON, gzip, size, depth and __proto__ guards', async () => {
    const server = track(
      await new Emulator({
        message: (conn, m) => (m as { op?: string }).op === 'ping' && server.send(conn, { kind: 'pong' }),
      }).start(),
    );
    const client = track(
      createClient({ url: server.url, dialect: acme, signals: false, maxDepth: 8, heartbeat: { interval: 20 } }),
    );
    const got = collect((h) => client.subscribe('order.created').on(h));
    const errors = collect<DecodeError>((h) => client.on('error', (e) => isDecodeError(e) && h(e)));
    await reach(client, 'open');
    const conn = [...server.conns][0]!;
    conn.ws.send(JSON.stringify({ kind: 'order.created', body: { id: 1 }, at: '2026-11-23T10:00:00Z' }));
    conn.ws.send(gzipSync(JSON.stringify({ kind: 'order.created', body: { id: 2 } })));
    conn.ws.send(JSON.stringify({ kind: 'order.created', body: JSON.parse('[[[[[[[[[[1]]]]]]]]]]') }));
    conn.ws.send('{"kind":"order.created","body":{"__proto__":{"polluted":true}}}');
    conn.ws.send(JSON.stringify({ body: {} }));
    await got.until(2);
    await errors.until(3);
    expect(got.seen.map((e) => (e.data as { id: number }).id)).toEqual([1, 2]);
    expect(errors.seen.map((e) => e.reason)).toEqual(['too_deep', 'forbidden_key', 'no_event_name']);
    expect(errors.seen[2]?.message).toBe('acme: a message needs a kind');
    await eventually(() => client.rtt !== undefined); // a ping went out, and its pong was read as one
    expect(conn.received[0]).toEqual({ op: 'watch', kinds: ['order.created'] });
    expect(conn.received).toContainEqual({ op: 'ping' });
  });

  it('built by hand without a hook or its liveness: refused at createClient() with an OptionsError naming it', () => {
    const url = 'ws://127.0.0.1:9';
    const refusal = (dialect: object) => {
      const error = thrown(() => createClient({ url, dialect: dialect as Dialect, lazy: true }).close());
      return isOptionsError(error) ? error.message : error;
    };
    const { close: _, ...noClose } = acme;
    // was: a HookError at each close ("Cannot read properties of undefined (reading 'apply')")
    expect(refusal(noClose)).toBe(
      'dialect must be an object with read, params, auth, subscribe, unsubscribe, ping, ack, request, close, got an object',
    );
    // was: a TypeError at the first frame, thrown in the socket's handler: no listener could catch it
    const { liveness: __, ...noLiveness } = acme;
    expect(refusal(noLiveness)).toBe('dialect.liveness must be a Liveness, got undefined');
    expect(refusal({ ...acme, liveness: { mode: 'ws' } })).toBe('dialect.liveness must be a Liveness, got an object');
    expect(refusal({ ...acme, liveness: { mode: 'ws', fallback: { mode: 'none' } } })).toBeUndefined();
  });

  it('built by hand with a field outside its type: refused at createClient() with an OptionsError naming it', () => {
    const refusal = (fields: object) => {
      const dialect = { ...acme, ...fields } as Dialect;
      const error = thrown(() => createClient({ url: 'ws://127.0.0.1:9', dialect, lazy: true }).close());
      return isOptionsError(error) ? error.message : error;
    };
    // each was kept: 'x' offered as the list ['x'] ('eventwire.v1' as its 12 letters), a rate of 0 frames
    // a second, a greeting or a resume that no branch knew
    expect(refusal({ protocols: 'x' })).toBe('dialect.protocols must be an array of subprotocol names, got a string');
    expect(refusal({ protocols: new Set(['acme.v1']) })).toBe(
      'dialect.protocols must be an array of subprotocol names, got an object',
    );
    expect(refusal({ rateLimit: { messages: 0, per: 1000 } })).toBe(
      'dialect.rateLimit.messages must be an integer >= 1, got 0',
    );
    expect(refusal({ rateLimit: { messages: 2.5, per: 1000 } })).toBe(
      'dialect.rateLimit.messages must be an integer >= 1, got 2.5',
    );
    expect(refusal({ rateLimit: { messages: 5, per: -1 } })).toBe('dialect.rateLimit.per must be a number > 0, got -1');
    expect(refusal({ rateLimit: { messages: 5, window: 1000 } })).toBe('unknown option: dialect.rateLimit.window');
    expect(refusal({ rateLimit: 10 })).toBe('dialect.rateLimit must be { messages, per } or false, got 10');
    expect(refusal({ greeting: 'welcome' })).toBe(
      "dialect.greeting must be 'required' or 'optional' or 'auth' or 'none', got \"welcome\"",
    );
    expect(refusal({ resume: 'cursor' })).toBe("dialect.resume must be 'seq' or 'time' or 'none', got \"cursor\"");
    expect(
      refusal({ protocols: ['acme.v1'], rateLimit: { messages: 5, per: 1000 }, greeting: 'optional', resume: 'time' }),
    ).toBeUndefined();
    // the client's own rateLimit option stands in for the dialect's: that one is not read, nor checked
    const limited = { ...acme, rateLimit: { messages: 0, per: 1000 } } as Dialect;
    createClient({ url: 'ws://127.0.0.1:9', dialect: limited, lazy: true, rateLimit: false }).close();
  });

  it('whose params() returns an object, not a list of pairs: a HookError, and the client connects without them', async () => {
    const server = track(await startServer());
    // was: a TypeError where the URL is made, thrown in a callback: no listener could catch it
    const mine: Dialect = { ...eventwire(), name: 'mine', params: () => ({ token: 'x' }) as never };
    const client = track(createClient({ url: server.url, dialect: mine, signals: false, lazy: true }));
    const errors = collect<unknown>((h) => client.on('error', h));
    client.connect();
    await reach(client, 'open');
    expect(errors.seen.map((e) => isHookError(e) && e.hook)).toEqual(['params']);
  });
});
