/**
 * Regression tests for the promises README and PROTOCOL.md make (the "promises kept" issue),
 * one block per numbered item; each failed on the release before it.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  type AckableEvent,
  createClient,
  type EventwireEvent,
  isAuthError,
  isHandlerError,
  isOptionsError,
} from '../src/index.js';
import { track } from './cleanup.js';
import { collect, quick } from './dialects/collect.js';
import { startServer } from './fixtures/server.js';
import { eventually, next, reach } from './helpers.js';

const seqs = (events: EventwireEvent[]) => events.map((e) => e.seq);

describe('1. one delivery path: client.on(name) and subscribe() do not fight', () => {
  it('a subscription narrows nothing for client.on(name), and message keeps flowing after the last unsubscribe', async () => {
    const server = track(await startServer());
    const client = track(createClient({ url: server.url, signals: false }));
    const tasks = collect((h) => client.on('TaskStatusChanged', h));
    const all = collect((h) => client.on('message', h));
    const logs = client.subscribe('LogEntry');
    await new Promise<void>((r) => logs.on('state', ({ to }) => to === 'active' && r()));
    server.publish({ event_type: 'TaskStatusChanged' });
    server.publish({ event_type: 'LogEntry' });
    await tasks.until(1);
    logs.unsubscribe();
    await eventually(() => server.connections[0]?.subscriptions.size === 2);
    server.publish({ event_type: 'Other' });
    await all.until(3);
    expect(all.seen.map((e) => e.event_type)).toEqual(['TaskStatusChanged', 'LogEntry', 'Other']);
  });

  it('client.on(name) resumes across restarts: every seq once, in order', async () => {
    const server = track(await startServer({ bufferSize: 1_000 }));
    const client = track(createClient({ url: server.url, backoff: quick, signals: false }));
    const got = collect((h) => client.on('Tick', h));
    await reach(client, 'open');
    server.publish({ event_type: 'Tick' });
    await got.until(1);
    for (let restart = 0; restart < 3; restart++) {
      await server.stop(true);
      for (let i = 0; i < 5; i++) server.publish({ event_type: 'Tick' }); // while nobody is connected
      await server.start();
      server.publish({ event_type: 'Tick' });
      await got.until(1 + (restart + 1) * 6);
    }
    expect(seqs(got.seen)).toEqual([...Array(19).keys()].map((i) => i + 1));
  });
});

describe('2. iterators end', () => {
  it('stream() buffers from the call, and the loop returns on close()', async () => {
    const server = track(await startServer());
    const client = track(createClient({ url: server.url, signals: false }));
    const stream = client.stream('Tick');
    await new Promise<void>((r) => stream.on('state', ({ to }) => to === 'active' && r()));
    for (let i = 0; i < 3; i++) server.publish({ event_type: 'Tick' });
    const third = new Promise<void>((r) => client.on('Tick', (ev) => ev.seq === 3 && r()));
    await third; // all three arrived before the loop starts
    const seen: number[] = [];
    for await (const ev of stream) {
      seen.push(ev.seq as number);
      if (seen.length === 3) client.close();
    }
    expect(seen).toEqual([1, 2, 3]);
    expect(stream.state).toBe('unsubscribed');
  });

  it('the loop throws the fatal error (AuthError) on a fatal close', async () => {
    const server = track(await startServer({ tokens: ['t'] }));
    const client = track(createClient({ url: server.url, token: 't', signals: false }));
    client.on('error', () => {});
    const loop = (async () => {
      for await (const _ of client.stream('Tick')) {
      }
    })();
    await reach(client, 'open');
    server.dropAll(4003, 'revoked');
    await expect(loop).rejects.toSatisfy(isAuthError);
  });
});

describe('3. acks mean handled', () => {
  it('auto: an async handler that rejects leaves the event unacked; the re-delivery reaches it again', async () => {
    const server = track(await startServer({ ackTimeout: 100 }));
    const client = track(createClient({ url: server.url, signals: false }));
    client.on('error', () => {});
    let calls = 0;
    const handled = new Promise<void>((resolve) =>
      client.on('Payment', async () => {
        if (++calls === 1) throw new Error('db down');
        resolve();
      }),
    );
    await reach(client, 'open');
    server.publish({ event_type: 'Payment', message_id: 'p-1', requires_ack: true });
    await handled;
    await eventually(() => server.acks.includes('p-1'));
    expect(calls).toBe(2);
    expect(server.acks.filter((id) => id === 'p-1')).toHaveLength(1);
  });

  it('manual: nack() brings the event back; ack() ends it; a re-delivery while a handler runs is neither given nor acked', async () => {
    const server = track(await startServer({ ackTimeout: 60 }));
    const client = track(createClient({ url: server.url, acks: 'manual', signals: false, dedupeWindow: 1 }));
    const copies: AckableEvent[] = [];
    let wake = () => {};
    client.on('Job', (ev) => {
      copies.push(ev as AckableEvent);
      wake();
    });
    await reach(client, 'open');
    server.publish({ event_type: 'Job', message_id: 'j-1', requires_ack: true });
    server.publish({ event_type: 'Other', message_id: 'o-1', requires_ack: true }); // evicts j-1 from a window of 1
    while (copies.length < 1) await new Promise<void>((r) => (wake = r));
    await eventually(() => server.acks.includes('o-1')); // nobody listens to Other: acked
    copies[0]?.nack?.();
    while (copies.length < 2) await new Promise<void>((r) => (wake = r));
    // re-deliveries keep coming while the second copy is unanswered (and j-1 left the window of
    // settled ids long ago); none is handed over, none is acked
    const sent = server.connections[0]?.sent.text ?? 0;
    await eventually(() => (server.connections[0]?.sent.text ?? 0) >= sent + 3);
    expect(copies.length).toBe(2);
    expect(server.acks).not.toContain('j-1');
    copies[1]?.ack?.();
    await eventually(() => server.acks.includes('j-1'));
  });

  it('drop-oldest: an event the iterator drops is not acked', async () => {
    const server = track(await startServer({ ackTimeout: 10_000 }));
    const client = track(createClient({ url: server.url, signals: false }));
    client.on('error', () => {});
    const sub = client.subscribe('Job', { bufferSize: 1, overflow: 'drop-oldest' });
    const iterator = sub[Symbol.asyncIterator]();
    await new Promise<void>((r) => sub.on('state', ({ to }) => to === 'active' && r()));
    const second = new Promise<void>((r) => sub.on((ev) => ev.message_id === 'b' && r()));
    server.publish({ event_type: 'Job', message_id: 'a', requires_ack: true });
    server.publish({ event_type: 'Job', message_id: 'b', requires_ack: true });
    await second;
    expect((await iterator.next()).value?.message_id).toBe('b');
    await eventually(() => server.acks.includes('b'));
    expect(server.acks).not.toContain('a');
  });
});

describe('4. errors and states of subscriptions', () => {
  it('a throwing subscription handler reaches error as a HandlerError; close() ends subscriptions', async () => {
    const server = track(await startServer());
    const client = track(createClient({ url: server.url, signals: false }));
    const sub = client.subscribe('Tick');
    sub.on(() => {
      throw new Error('handler bug');
    });
    await new Promise<void>((r) => sub.on('state', ({ to }) => to === 'active' && r()));
    const error = next(client, 'error');
    server.publish({ event_type: 'Tick' });
    const e = await error;
    expect(isHandlerError(e) && e.code).toBe('ERR_HANDLER');
    client.close();
    expect(sub.state).toBe('unsubscribed');
  });
});

describe('10-14. lifecycle', () => {
  it('10. a server that answers 4001 after its welcome, forever, meets backoff, not a loop', async () => {
    const server = track(await startServer());
    server.on('authed', () => setImmediate(() => server.dropAll(4001, 'token expired')));
    let tokens = 0;
    const client = track(
      createClient({
        url: server.url,
        token: () => `t${++tokens}`,
        signals: false,
        backoff: { minDelay: 50, maxDelay: 200, jitter: 'none' },
      }),
    );
    client.on('error', () => {});
    await eventually(() => server.history.length >= 6, 10_000);
    const started = performance.now();
    const before = server.history.length;
    await eventually(() => server.history.length >= before + 3, 10_000);
    // three more refusals took backoff delays (200 ms each by now), not microseconds (321 per second before)
    expect(performance.now() - started).toBeGreaterThan(400);
    expect(tokens - server.history.length).toBeLessThanOrEqual(1); // one token per attempt (one may be in flight)
  });

  it('11. close() while the token provider hangs leaves nothing behind: the process exits', async () => {
    const script = fileURLToPath(new URL('./fixtures/hanging-token.ts', import.meta.url));
    const started = Date.now();
    const code = await new Promise<number | null>((resolve) => {
      const child = spawn(process.execPath, ['--import', 'tsx', script], { stdio: 'ignore' });
      child.on('exit', resolve);
    });
    expect(code).toBe(0);
    expect(Date.now() - started).toBeLessThan(8_000); // the 10 s connect timer would have held it
  });

  it('12. the last close before maxRetries stops says willReconnect: false', async () => {
    const server = track(await startServer());
    const url = server.url;
    await server.close();
    const client = track(createClient({ url, signals: false, backoff: { ...quick, maxRetries: 2 } }));
    client.on('error', () => {});
    const closes = collect<{ willReconnect: boolean }>((h) => client.on('close', h));
    await reach(client, 'closed');
    expect(closes.seen.map((c) => c.willReconnect)).toEqual([true, true, false]);
  });

  it('13. a listener added during an emit by the only listener runs from the next emit', async () => {
    const server = track(await startServer());
    const client = track(createClient({ url: server.url, signals: false }));
    const late: number[] = [];
    let added = false;
    client.on('Tick', () => {
      if (added) return;
      added = true;
      client.on('Tick', (e) => void late.push(e.seq as number));
    });
    const all = collect((h) => client.on('message', h)); // another type: proves both arrived
    await client.ready();
    server.publish({ event_type: 'Tick' });
    server.publish({ event_type: 'Tick' });
    await all.until(2);
    expect(late).toEqual([2]);
  });

  it('13. a listener that registers itself again runs once per registration and emit, not in a loop', async () => {
    const server = track(await startServer());
    const client = track(createClient({ url: server.url, signals: false }));
    let runs = 0;
    const again = () => {
      if (++runs > 100) throw new Error('looping');
      client.on('Tick', again);
    };
    client.on('Tick', again);
    const all = collect((h) => client.on('message', h));
    await client.ready();
    server.publish({ event_type: 'Tick' });
    server.publish({ event_type: 'Tick' });
    await all.until(2);
    expect(runs).toBe(3); // 1 registration at the first event, 2 at the second
  });

  it('14. a #fragment URL, a misspelled option and a negative timeout are OptionsErrors naming them', async () => {
    expect(() => createClient({ url: 'ws://x/#a', lazy: true })).toThrow(/fragment/);
    expect(() => createClient({ url: 'ws://x', lazy: true, tokn: 't' } as never)).toThrow(/unknown option: tokn/);
    const client = track(createClient({ url: 'ws://127.0.0.1:9', lazy: true, signals: false }));
    const error = await client.request('m', {}, { timeout: -1 }).catch((e) => e);
    expect(isOptionsError(error) && error.message).toMatch(/timeout/);
    expect(() => client.subscribe('X', { since: 'yesterday' })).toThrow(/since/);
  });
});
