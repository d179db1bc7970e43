/**
 * What a hostile or careless server (and a listener that throws an odd value) cannot do: stop delivery,
 * leave a message id stuck, take a whole batch down for one bad member, or drop an ack without a word.
 */
import { describe, expect, it } from 'vitest';
import {
  createClient,
  type DecodeError,
  isDecodeError,
  isHandlerError,
  isQueueFullError,
  isRequestError,
  isServerError,
  isTimeoutError,
  type RequestError,
} from '../src/index.js';
import { track } from './cleanup.js';
import { startServer } from './fixtures/server.js';
import { actingServer } from './fixtures/ws-server.js';
import { eventually, next } from './helpers.js';

type Client = ReturnType<typeof createClient>;
/** A subscription to E, active (the server confirmed it), with `listeners` on it. */
async function subscribed(client: Client, ...listeners: Array<(e: { data: unknown }) => unknown>) {
  return subscribedWith(client, {}, ...listeners);
}
async function subscribedWith(
  client: Client,
  options: Parameters<Client['subscribe']>[1],
  ...listeners: Array<(e: { data: unknown }) => unknown>
) {
  const sub = client.subscribe('E', options);
  for (const listener of listeners) sub.on(listener);
  if (sub.state !== 'active') await new Promise<void>((r) => sub.on('state', ({ to }) => to === 'active' && r()));
  return sub;
}

const event = (n: number, extra: Record<string, unknown> = {}) => ({
  event_type: 'E',
  timestamp: '2026-12-07T10:00:00Z',
  data: { n },
  ...extra,
});

describe('a listener that throws a value String() cannot convert', () => {
  const odd: Array<[string, () => unknown]> = [
    ['an object without a prototype', () => Object.create(null)],
    [
      'an object whose toString throws',
      () => ({
        toString: () => {
          throw new Error('no');
        },
      }),
    ],
    [
      'a revoked proxy',
      () => {
        const { proxy, revoke } = Proxy.revocable({}, {});
        revoke();
        return proxy;
      },
    ],
  ];
  it.each(odd)(
    '%s: a HandlerError, the other listeners and the rest of the batch run, every event acked',
    async (_, value) => {
      const server = track(await startServer());
      const client = track(createClient({ url: server.url, signals: false }));
      const errors: unknown[] = [];
      client.on('error', (e) => void errors.push(e));
      const first: number[] = [];
      const second: number[] = [];
      await subscribed(
        client,
        (e) => {
          first.push((e.data as { n: number }).n);
          if ((e.data as { n: number }).n === 1) throw value();
        },
        (e) => void second.push((e.data as { n: number }).n),
      );
      const acked = (id: string) => ({ message_id: id, requires_ack: true });
      server.sendRaw(
        JSON.stringify({
          type: 'batch',
          events: [event(1, acked('m1')), event(2, acked('m2')), event(3, acked('m3'))],
        }),
      );
      await eventually(() => second.length === 3 && server.acks.length === 2);
      expect([first, second]).toEqual([
        [1, 2, 3],
        [1, 2, 3],
      ]);
      expect(errors).toHaveLength(1);
      expect(isHandlerError(errors[0]) && (errors[0] as Error).message).toMatch(
        /threw: a value String\(\) cannot convert/,
      );
      expect(server.acks.sort()).toEqual(['m2', 'm3']); // m1's handler failed: not acked, the server sends it again
      expect(client.stats().acks.inFlight).toBe(0);
    },
  );
});

describe('a "__proto__" key in a batch', () => {
  it('drops the members that hold one, reported with their count; the others are delivered', async () => {
    const server = track(await startServer());
    const client = track(createClient({ url: server.url, signals: false }));
    const got: number[] = [];
    await subscribed(client, (e) => void got.push((e.data as { n: number }).n));
    const errored = next(client, 'error', isDecodeError);
    const tainted = (n: number) => JSON.stringify(event(n)).replace(`{"n":${n}}`, `{"n":${n},"__proto__":{"x":1}}`);
    const events = [
      JSON.stringify(event(1)),
      tainted(2),
      JSON.stringify(event(3)),
      tainted(4),
      JSON.stringify(event(5)),
    ];
    server.sendRaw(`{"type":"batch","events":[${events.join(',')}]}`);
    const error = (await errored) as DecodeError;
    expect([error.reason, error.count]).toEqual(['forbidden_key', 2]);
    await eventually(() => got.length === 3);
    expect(got).toEqual([1, 3, 5]);
    expect(({} as Record<string, unknown>).x).toBeUndefined();
  });

  it('outside its members (an escaped key beside the events): the whole frame is dropped, count 1', async () => {
    const server = track(await startServer());
    const client = track(createClient({ url: server.url, signals: false }));
    const got: number[] = [];
    await subscribed(client, (e) => void got.push((e.data as { n: number }).n));
    const errored = next(client, 'error', isDecodeError);
    server.sendRaw(`{"type":"batch","\\u005f_proto__":{"x":1},"events":[${JSON.stringify(event(1))}]}`);
    const error = (await errored) as DecodeError;
    expect([error.reason, error.count]).toEqual(['forbidden_key', 1]);
    server.sendRaw(JSON.stringify(event(2)));
    await eventually(() => got.length === 1);
    expect(got).toEqual([2]);
  });
});

describe("a response's error fields of any type", () => {
  it('an error code that is an object (String() would throw on it) rejects the request at once, with its kind', async () => {
    const server = await actingServer((ws) => {
      ws.send(JSON.stringify({ type: 'welcome', session_id: 's' }));
      ws.on('message', (raw) => {
        const message = JSON.parse(String(raw));
        if (message.method)
          ws.send(JSON.stringify({ id: message.id, success: false, error: { code: { toString: 1 }, message: 7 } }));
      });
    });
    const client = track(createClient({ url: server.url, signals: false, requestTimeout: 60_000 }));
    const errors: unknown[] = [];
    client.on('error', (e) => void errors.push(e));
    const error = (await client.request('tasks.retry', {}).catch((e: unknown) => e)) as RequestError;
    expect(isRequestError(error)).toBe(true);
    expect([error.serverCode, error.message]).toEqual(['an object', expect.stringContaining('7')]);
    expect(errors).toEqual([]);
  });
});

describe('an ack the outbox cannot take', () => {
  it('is reported once (a QueueFullError) until acks go again; every handler ran once', async () => {
    const server = track(await startServer());
    // one frame a minute: the subscribe goes, the first acks wait, the outbox (2) is full after them
    const client = track(
      createClient({ url: server.url, signals: false, outboxSize: 2, rateLimit: { messages: 2, per: 60_000 } }),
    );
    const handled: number[] = [];
    const errors: unknown[] = [];
    client.on('error', (e) => void errors.push(e));
    await subscribed(client, (e) => void handled.push((e.data as { n: number }).n));
    const events = [1, 2, 3, 4, 5, 6].map((n) => event(n, { message_id: `m${n}`, requires_ack: true }));
    server.sendRaw(JSON.stringify({ type: 'batch', events }));
    await eventually(() => handled.length === 6 && errors.length > 0);
    expect(handled).toEqual([1, 2, 3, 4, 5, 6]);
    expect(errors.filter(isQueueFullError)).toHaveLength(1);
    expect(errors).toHaveLength(1);
    expect((errors[0] as Error).message).toMatch(/ack/);
  });
});

describe('a server whose stream started over', () => {
  it.each([
    ['a subscription from the head', undefined],
    ['one made with a time as since (seqs once it delivered one)', '2026-12-07T00:00:00Z'],
  ])(
    '%s: a resume confirmed with a head below the cursor is a gap {}, its new seqs delivered, not dropped as replays',
    async (_, first) => {
      let connections = 0;
      const since: unknown[] = [];
      const server = await actingServer((ws) => {
        const n = ++connections;
        ws.send(JSON.stringify({ type: 'welcome', session_id: `s${n}` }));
        ws.on('message', (raw) => {
          const message = JSON.parse(String(raw));
          if (message.type !== 'subscribe') return;
          since.push(message.since);
          ws.send(JSON.stringify({ type: 'subscribed', id: message.id, events: message.events, seq: 0 }));
          const seqs = n === 1 ? [1, 2, 3, 4, 5] : [1, 2];
          for (const seq of seqs) ws.send(JSON.stringify(event(seq, { seq })));
          if (n === 1) setTimeout(() => ws.terminate(), 20); // the server restarts, its history lost
        });
      });
      const client = track(createClient({ url: server.url, signals: false, backoff: { minDelay: 5, maxDelay: 20 } }));
      const got: number[] = [];
      const gaps: unknown[] = [];
      const sub = await subscribedWith(
        client,
        first === undefined ? {} : { since: first },
        (e) => void got.push((e as unknown as { seq: number }).seq),
      );
      sub.on('gap', (gap) => void gaps.push({ at: got.length, gap }));
      await eventually(() => got.length === 7);
      expect(got).toEqual([1, 2, 3, 4, 5, 1, 2]);
      expect(gaps).toEqual([{ at: 5, gap: {} }]);
      expect(since).toEqual([first, 5]);
    },
  );

  it('a second subscribed, lower, for an active subscription moves nothing: no event twice, no gap, the repeats said', async () => {
    const server = await actingServer((ws) => {
      ws.send(JSON.stringify({ type: 'welcome', session_id: 's' }));
      ws.on('message', (raw) => {
        const message = JSON.parse(String(raw));
        if (message.type !== 'subscribe') return;
        const confirm = JSON.stringify({ type: 'subscribed', id: message.id, events: message.events, seq: 0 });
        ws.send(confirm);
        for (const seq of [1, 2, 3]) ws.send(JSON.stringify(event(seq, { seq })));
        ws.send(confirm);
        for (const seq of [2, 3, 4]) ws.send(JSON.stringify(event(seq, { seq })));
      });
    });
    const client = track(createClient({ url: server.url, signals: false }));
    const got: number[] = [];
    const gaps: unknown[] = [];
    const errors: unknown[] = [];
    client.on('error', (e) => void errors.push(e));
    const sub = await subscribed(client, (e) => void got.push((e as unknown as { seq: number }).seq));
    sub.on('gap', (gap) => void gaps.push(gap));
    await eventually(() => got.includes(4));
    expect(got).toEqual([1, 2, 3, 4]);
    expect(gaps).toEqual([]);
    // no replay was asked for (the subscribe had no since): 2 and 3 again are out of order, said
    expect(errors.map((e) => isDecodeError(e) && e.reason)).toEqual(['out_of_order', 'out_of_order']);
  });
});

describe('seqs that go backwards on one link', () => {
  /** A v1 server: welcome, then for each subscribe its `subscribed` (head 0) and `act`'s frames; acks go to `acks`. */
  const v1 = (
    act: (send: (frame: object) => void, message: { id: string; since?: number }, n: number) => void,
    acks: unknown[] = [],
    head = 0,
  ) => {
    let subscribes = 0;
    return actingServer((ws) => {
      ws.send(JSON.stringify({ type: 'welcome', session_id: 's' }));
      ws.on('message', (raw) => {
        const message = JSON.parse(String(raw));
        if (message.type === 'ack') acks.push(message.message_id);
        if (message.type !== 'subscribe') return;
        ws.send(JSON.stringify({ type: 'subscribed', id: message.id, events: message.events, seq: head }));
        act((frame) => ws.send(JSON.stringify(frame)), message, ++subscribes);
      });
    });
  };

  it('one seq far too high does not mute the subscription without a word: each event behind it is an out_of_order DecodeError', async () => {
    const top = Number.MAX_SAFE_INTEGER;
    const acks: unknown[] = [];
    const m5 = event(5, { seq: 5, requires_ack: true, message_id: 'm5' });
    const server = await v1((send) => {
      for (const seq of [1, top, 3, 4]) send(event(seq, { seq }));
      send(m5); // behind too, but asks for an ack: servers re-send those behind the cursor; acked as a replay is
      send(m5); // its re-send (the ack lost): acked again
    }, acks);
    const client = track(createClient({ url: server.url, signals: false }));
    const errors: unknown[] = [];
    client.on('error', (e) => void errors.push(e));
    const got: number[] = [];
    await subscribed(client, (e) => void got.push((e as unknown as { seq: number }).seq));
    await eventually(() => acks.length === 2);
    expect(got).toEqual([1, top]);
    expect(errors.map((e) => isDecodeError(e) && [e.reason, e.message])).toEqual(
      [3, 4].map((seq) => ['out_of_order', `seq ${seq} came after seq ${top} on one link: dropped (seqs only go up)`]),
    );
    expect(acks).toEqual(['m5', 'm5']);
    expect(client.state).toBe('open');
  });

  it('a head far too high in the subscribed of a subscribe without since: each event at or below it is out_of_order, not muted', async () => {
    const top = Number.MAX_SAFE_INTEGER;
    const server = await v1(
      (send) => {
        for (const seq of [2, 3, 4]) send(event(seq, { seq }));
      },
      [],
      top,
    );
    const client = track(createClient({ url: server.url, signals: false }));
    const errors: unknown[] = [];
    client.on('error', (e) => void errors.push(e));
    const got: number[] = [];
    await subscribed(client, (e) => void got.push((e as unknown as { seq: number }).seq));
    await eventually(() => errors.length === 3);
    expect(got).toEqual([]);
    expect(errors.map((e) => isDecodeError(e) && e.message)).toEqual(
      [2, 3, 4].map((seq) => `seq ${seq} came after seq ${top} on one link: dropped (seqs only go up)`),
    );
  });

  it("the reference server's re-sends of events nobody acked, behind a new subscription's head, are no error (the demo's case)", async () => {
    const server = track(await startServer());
    for (let i = 1; i <= 3; i++) server.publish({ event_type: 'E', data: { n: i }, message_id: `m-${i}` });
    const client = track(createClient({ url: server.url, signals: false }));
    const errors: unknown[] = [];
    client.on('error', (e) => void errors.push(e));
    const got: number[] = [];
    await subscribed(client, (e) => void got.push((e.data as { n: number }).n)); // the re-sends follow its subscribed
    server.publish({ event_type: 'E', data: { n: 4 } });
    await eventually(() => got.includes(4));
    expect(got).toEqual([4]);
    expect(errors).toEqual([]);
  });

  it('the replay of a subscription ended before its subscribed came (React StrictMode), behind a listener, is no error', async () => {
    const server = track(await startServer());
    const client = track(createClient({ url: server.url, signals: false }));
    const errors: unknown[] = [];
    client.on('error', (e) => void errors.push(e));
    const got: number[] = [];
    client.on('E', (e) => void got.push(e.seq as number));
    await client.ready();
    await eventually(() => server.connections.some((c) => c.subscriptions.size > 0));
    for (let i = 1; i <= 20; i++) server.publish({ event_type: 'E', data: { i } });
    await eventually(() => got.length === 20);
    const gone = client.subscribe('E', { since: 0 }); // the server replays 1-20 to it...
    await new Promise((r) => setImmediate(r));
    gone.unsubscribe(); // ...which it ends before the replay comes
    server.publish({ event_type: 'E', data: { i: 21 } });
    await eventually(() => got.length === 21);
    expect(await client.request('echo', 1)).toBe(1); // every frame before this answer was read
    expect(got).toEqual(Array.from({ length: 21 }, (_, i) => i + 1));
    expect(errors).toEqual([]);
  });

  it("a second subscription's replay, behind a listener's cursor, is no error: the new one gets it, the listener does not twice", async () => {
    const server = await v1((send, message, n) => {
      if (n === 1) for (const seq of [1, 2, 3]) send(event(seq, { seq }));
      else for (const seq of [2, 3]) if (seq > (message.since ?? 0)) send(event(seq, { seq })); // its replay
    });
    const client = track(createClient({ url: server.url, signals: false }));
    const errors: unknown[] = [];
    client.on('error', (e) => void errors.push(e));
    const listened: number[] = [];
    client.on('E', (e) => void listened.push(e.seq as number));
    await eventually(() => listened.length === 3);
    const replayed: number[] = [];
    await subscribedWith(client, { since: 1 }, (e) => void replayed.push((e as unknown as { seq: number }).seq));
    await eventually(() => replayed.length === 2);
    expect(replayed).toEqual([2, 3]);
    expect(listened).toEqual([1, 2, 3]);
    expect(errors).toEqual([]);
  });
});

describe('a "__proto__" key in a batch over maxBatchSize', () => {
  it('the batch is refused whole, once, as forbidden_key: not picked apart, not reported twice', async () => {
    const server = track(await startServer());
    const client = track(createClient({ url: server.url, signals: false, maxBatchSize: 3 }));
    const got: number[] = [];
    const errors: unknown[] = [];
    client.on('error', (e) => void errors.push(e));
    await subscribed(client, (e) => void got.push((e.data as { n: number }).n));
    const tainted = JSON.stringify(event(2)).replace('{"n":2}', '{"n":2,"__proto__":{"x":1}}');
    const events = [JSON.stringify(event(1)), tainted, JSON.stringify(event(3)), JSON.stringify(event(4))];
    server.sendRaw(`{"type":"batch","events":[${events.join(',')}]}`);
    server.sendRaw(JSON.stringify(event(5)));
    await eventually(() => got.length === 1);
    expect(got).toEqual([5]);
    expect(errors.map((e) => [(e as DecodeError).reason, (e as DecodeError).count])).toEqual([['forbidden_key', 1]]);
  });
});

describe('a subscribe the server never confirms', () => {
  it('is reported after requestTimeout (a TimeoutError on the subscription and the client), and still waits', async () => {
    const server = await actingServer((ws) => {
      ws.send(JSON.stringify({ type: 'welcome', session_id: 's' })); // and never a subscribed
    });
    const client = track(createClient({ url: server.url, signals: false, requestTimeout: 100 }));
    const sub = client.subscribe('E');
    const onSub = new Promise<unknown>((r) => sub.on('error', r));
    const onClient = next(client, 'error');
    const [error, reported] = await Promise.all([onSub, onClient]);
    expect(reported).toBe(error);
    expect(isTimeoutError(error) && (error as Error).message).toMatch(
      /^subscription sub-1 was not confirmed within 100 ms: its events wait for the server's subscribed$/,
    );
    expect(sub.state).toBe('pending');
  });

  it('one the server confirms leaves no watch behind (its timer cleared at the confirmation)', async () => {
    const server = track(await startServer());
    const set = new Map<unknown, number>();
    const cleared = new Set<unknown>();
    const clock = {
      now: () => performance.now(),
      setTimeout: (fn: () => void, ms: number) => {
        const handle = setTimeout(fn, ms);
        set.set(handle, ms);
        return handle;
      },
      clearTimeout: (handle: unknown) => {
        cleared.add(handle);
        clearTimeout(handle as ReturnType<typeof setTimeout>);
      },
    };
    const client = track(createClient({ url: server.url, signals: false, clock, requestTimeout: 4_321 }));
    await subscribed(client);
    const watches = [...set].filter(([, ms]) => ms === 4_321).map(([handle]) => handle);
    expect(watches).toHaveLength(1);
    expect(cleared.has(watches[0])).toBe(true);
  });
});

describe("a server's error of megabytes", () => {
  it('is cut: a ServerError and a RequestError carry at most 100 characters of its code and 1,000 of its message', async () => {
    const code = 'C'.repeat(5_000);
    const message = 'm'.repeat(400_000);
    const server = await actingServer((ws) => {
      ws.send(JSON.stringify({ type: 'welcome', session_id: 's' }));
      ws.send(JSON.stringify({ type: 'error', code, message }));
      ws.on('message', (data) => {
        const frame = JSON.parse(String(data)) as { id?: string; method?: string };
        if (frame.method) ws.send(JSON.stringify({ id: frame.id, success: false, error: { code, message } }));
      });
    });
    const client = track(createClient({ url: server.url, maxMessageBytes: 1024 * 1024 }));
    const error = await next(client, 'error');
    expect(isServerError(error) && error.serverCode).toBe(`${'C'.repeat(100)}… (4900 more characters)`);
    expect(error.message).toBe(
      `server error ${'C'.repeat(100)}… (4900 more characters): ${'m'.repeat(1000)}… (399000 more characters)`,
    );
    const refused = (await client.request('m').catch((e: unknown) => e)) as RequestError;
    expect(isRequestError(refused) && refused.serverCode).toBe(`${'C'.repeat(100)}… (4900 more characters)`);
    expect(refused.message.length).toBeLessThan(1_200);
    expect(refused.message).toMatch(
      /^m failed: C{100}… \(4900 more characters\): m{1000}… \(399000 more characters\)$/,
    );
  });
});

describe('a subscribed message whose gap is no range', () => {
  it('from after to, a negative or fractional seq: a DecodeError each, and no gap event reaches the subscription', async () => {
    const gaps = [
      { from: 10, to: 2 },
      { from: -1, to: 5 },
      { from: 1.5, to: 5 },
    ];
    const server = await actingServer((ws) => {
      ws.send(JSON.stringify({ type: 'welcome', session_id: 's' }));
      ws.on('message', (data) => {
        const frame = JSON.parse(String(data)) as { type?: string; id?: string };
        if (frame.type !== 'subscribe') return;
        for (const gap of gaps) ws.send(JSON.stringify({ type: 'subscribed', id: frame.id, seq: 20, gap }));
        ws.send(JSON.stringify({ type: 'subscribed', id: frame.id, seq: 20, gap: { from: 3, to: 3 } }));
      });
    });
    const client = track(createClient({ url: server.url }));
    const errors: unknown[] = [];
    client.on('error', (error) => void errors.push(error));
    const sub = client.subscribe('E');
    const seen: unknown[] = [];
    sub.on('gap', (gap) => void seen.push(gap));
    await sub.ready();
    expect(seen).toEqual([{ from: 3, to: 3 }]); // the one range
    expect(errors.map((e) => isDecodeError(e) && [e.reason, e.message])).toEqual(
      gaps.map(() => [
        'invalid_message',
        'eventwire: invalid subscribed message: gap must be {from, to}: seqs, from <= to',
      ]),
    );
  });
});
