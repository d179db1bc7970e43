/**
 * The link on its own: a `Connection` over a fake transport and a clock the test moves. No
 * socket, no server, no waiting: every timer (connect timeout, greeting, heartbeat, backoff,
 * rate limit) runs when the test says so.
 */
import { describe, expect, it } from 'vitest';
import { Connection } from '../src/core/link/connection.js';
import type { LinkHost } from '../src/core/link/host.js';
import { Lane } from '../src/core/outbox/outbox.js';
import type { Clock } from '../src/core/util/clock.js';
import type { Dialect } from '../src/dialects/dialect.js';
import { eventwire } from '../src/dialects/eventwire.js';
import type { EventwireError } from '../src/errors/base.js';
import { type ClientOptions, resolveOptions } from '../src/options.js';
import type { EventwireEvent } from '../src/protocol/event.js';
import type { Transport, TransportEvents } from '../src/transport/transport.js';
import type { EventSchemas, LifecycleEvents } from '../src/types.js';

/** A clock whose time moves only by `advance`. */
function fakeClock() {
  let now = 0;
  let next = 0;
  const timers = new Map<number, { at: number; fn: () => void }>();
  const clock: Clock = {
    now: () => now,
    setTimeout(fn, ms) {
      timers.set(++next, { at: now + ms, fn });
      return next;
    },
    clearTimeout(handle) {
      timers.delete(handle as number);
    },
  };
  const advance = (ms: number) => {
    const end = now + ms;
    for (;;) {
      let due: [number, { at: number; fn: () => void }] | undefined;
      for (const entry of timers) if (entry[1].at <= end && (!due || entry[1].at < due[1].at)) due = entry;
      if (!due) break;
      timers.delete(due[0]);
      now = due[1].at;
      due[1].fn();
    }
    now = end;
  };
  return { clock, advance };
}

/** A transport that records what the link does to it; the test plays the socket's side. */
function fakeTransport(pings = false) {
  const fake = {
    events: undefined as TransportEvents | undefined,
    urls: [] as string[],
    sent: [] as string[],
    closed: [] as Array<[number | undefined, string | undefined]>,
    wsPings: 0,
    open: false,
    /** The server's side of the socket. */
    accept() {
      fake.open = true;
      fake.events?.onOpen();
    },
    say(message: object) {
      fake.events?.onMessage(JSON.stringify(message), true);
    },
    drop(code = 1006, reason = '') {
      fake.open = false;
      fake.events?.onClose(code, reason);
    },
  };
  const factory = (_config: unknown, events: TransportEvents): Transport => {
    fake.events = events;
    const transport: Transport = {
      connect(url) {
        fake.urls.push(url);
      },
      send(data) {
        if (!fake.open) return false;
        fake.sent.push(data);
        return true;
      },
      close(code, reason) {
        fake.open = false;
        fake.closed.push([code, reason]);
      },
    };
    if (pings)
      transport.ping = () => {
        fake.wsPings++;
        return fake.open;
      };
    return transport;
  };
  return { fake, factory };
}

/** The client core's side: what the link told it, in order. */
function recordingHost() {
  const heard: string[] = [];
  const events: EventwireEvent[] = [];
  const errors: EventwireError[] = [];
  const stops: Array<EventwireError | undefined> = [];
  const host: LinkHost = {
    event(event) {
      heard.push(`event ${event.event_type}`);
      events.push(event);
    },
    subscribed: (id) => void heard.push(`subscribed ${id}`),
    response: (key) => {
      heard.push(`response ${key}`);
      return true;
    },
    serverError: (code) => void heard.push(`server error ${code}`),
    linkLost: () => void heard.push('link lost'),
    stopped(error, code) {
      heard.push(`stopped ${code}`);
      stops.push(error);
    },
    emit<K extends keyof LifecycleEvents>(type: K, payload: LifecycleEvents[K]) {
      if (type === 'state') heard.push(`state ${(payload as LifecycleEvents['state']).to}`);
      else if (type === 'open' || type === 'close' || type === 'reconnecting') heard.push(type);
    },
    report(error) {
      errors.push(error);
    },
    interest: () => undefined,
  };
  return { host, heard, events, errors, stops };
}

function setup(options: Partial<ClientOptions<EventSchemas>> = {}, wsPings = false) {
  const { clock, advance } = fakeClock();
  const { fake, factory } = fakeTransport(wsPings);
  const lines: string[] = [];
  const resolved = resolveOptions({
    url: 'ws://server.test/ws',
    transport: factory,
    clock,
    random: () => 0.5,
    signals: false,
    logger: (_level, line) => void lines.push(line),
    logLevel: 'debug',
    ...options,
  });
  const recorded = recordingHost();
  const link = new Connection(resolved, resolved.dialect, recorded.host);
  return { link, fake, advance, lines, ...recorded };
}

describe('attempts', () => {
  it('dials, fails, backs off and dials again; a token provider is asked before every attempt', async () => {
    let asked = 0;
    const { link, fake, advance, heard } = setup({ token: () => `t${++asked}`, backoff: { minDelay: 100 } });
    link.connect();
    expect(link.state).toBe('connecting');
    await Promise.resolve();
    expect(fake.urls).toEqual(['ws://server.test/ws?token=t1']);
    fake.drop(1006);
    expect(link.state).toBe('reconnecting');
    expect(heard).toContain('reconnecting');
    advance(10_000);
    await Promise.resolve();
    expect(fake.urls).toEqual(['ws://server.test/ws?token=t1', 'ws://server.test/ws?token=t2']);
  });

  it('an attempt that does not open within connectTimeout is given up and retried', () => {
    const { link, fake, advance, errors } = setup({ connectTimeout: 500 });
    link.connect();
    advance(499);
    expect(link.state).toBe('connecting');
    advance(1);
    expect(link.state).toBe('reconnecting');
    expect(fake.closed).toEqual([[4000, 'connect timeout']]);
    expect(errors.map((e) => e.name)).toEqual(['TimeoutError']);
  });
});

describe('greeting', () => {
  it('required: the socket opening is not enough; the greeting opens the link with its session', () => {
    const { link, fake, advance, heard } = setup({ handshake: 'welcome', handshakeTimeout: 2_000 });
    link.connect();
    fake.accept();
    fake.say({ type: 'pong' });
    advance(1_500);
    expect(link.state).toBe('connecting');
    fake.say({ type: 'welcome', session_id: 's-1' });
    expect(link.state).toBe('open');
    expect(link.sessionId).toBe('s-1');
    expect(heard.filter((h) => h === 'open')).toHaveLength(1);
  });

  it('required: no greeting within handshakeTimeout is a failed attempt', () => {
    const { link, fake, advance, errors } = setup({ handshake: 'welcome', handshakeTimeout: 2_000 });
    link.connect();
    fake.accept();
    advance(2_000);
    expect(link.state).toBe('reconnecting');
    expect(errors[0]?.message).toMatch(/no greeting from the eventwire server within 2000 ms/);
  });

  it('optional: any frame opens the link, once, before its event reaches the core, once', () => {
    const { link, fake, heard } = setup();
    link.connect();
    fake.accept();
    expect(link.state).toBe('connecting');
    fake.say({ event_type: 'First', timestamp: '2026-01-01T00:00:00Z', data: {} });
    expect(link.state).toBe('open');
    expect(heard.filter((h) => h === 'open' || h.startsWith('event'))).toEqual(['open', 'event First']);
  });

  it('optional: a frame no dialect reads opens it too', () => {
    const { link, fake, errors } = setup();
    link.connect();
    fake.accept();
    fake.events?.onMessage('not json', true);
    expect(errors.map((e) => e.name)).toEqual(['DecodeError']);
    expect(link.state).toBe('open');
  });

  it('optional: a silent server gets greetingGrace, then the link opens anyway', () => {
    const { link, fake, advance } = setup();
    link.connect();
    fake.accept();
    advance(999);
    expect(link.state).toBe('connecting');
    advance(1);
    expect(link.state).toBe('open');
  });

  it('optional: a greeting shortens the heartbeat interval for this link, not the options', () => {
    const { link, fake, advance } = setup({ heartbeat: { interval: 10_000, timeout: 5_000 } });
    link.connect();
    fake.accept();
    fake.say({ type: 'welcome', session_id: 's', heartbeat_interval: 1_000 });
    advance(1_000);
    expect(fake.sent).toEqual(['{"type":"ping"}']);
  });

  it('none: the socket opening opens the link', () => {
    const { link, fake } = setup({ handshake: 'none' });
    link.connect();
    fake.accept();
    expect(link.state).toBe('open');
  });
});

describe('one door out', () => {
  it("pings and the answers to the server's pings go through the outbox and the debug log", () => {
    const { link, fake, advance, lines } = setup({ heartbeat: { interval: 1_000, timeout: 500 } });
    link.connect();
    fake.accept();
    fake.say({ type: 'welcome', session_id: 's' });
    advance(1_000);
    fake.say({ type: 'ping', ts: 7 });
    expect(fake.sent).toEqual(['{"type":"ping"}', '{"type":"pong","ts":7}']);
    expect(lines.filter((l) => l.includes('send '))).toHaveLength(2);
  });

  it('the rate limit counts pings and pongs too; waiting, they go first when a token comes back', () => {
    const { link, fake, advance } = setup({ rateLimit: { messages: 2, per: 1_000 }, heartbeat: false });
    link.connect();
    fake.accept();
    fake.say({ type: 'welcome', session_id: 's' });
    expect(link.outbox.push(Lane.Send, 'a')).toBe('sent');
    expect(link.outbox.push(Lane.Send, 'b')).toBe('sent');
    expect(link.outbox.push(Lane.Send, 'c')).toBe('queued');
    fake.say({ type: 'ping' });
    fake.say({ type: 'ping', ts: 2 }); // one pending pong is enough: the newer replaces it
    expect(fake.sent).toEqual(['a', 'b']);
    advance(1_050);
    expect(fake.sent).toEqual(['a', 'b', '{"type":"pong","ts":2}', 'c']);
  });

  it('the control lane: dropped without a socket, first on a socket that opened, one of each kind waiting', () => {
    const { link, fake, advance } = setup({ rateLimit: { messages: 1, per: 1_000 }, heartbeat: false });
    expect(link.outbox.control('pong', 'p0')).toBe('dropped'); // no socket: it would mean nothing on the next one
    link.connect();
    fake.accept();
    expect(link.outbox.control('pong', 'p1')).toBe('sent'); // on the bare socket, before any greeting
    expect(link.outbox.control('ping', 'i1')).toBe('queued');
    expect(link.outbox.control('ping', 'i2')).toBe('queued');
    advance(1_050);
    expect(fake.sent).toEqual(['p1', 'i2']);
  });

  it('WebSocket protocol pings are not frames the client writes: they skip the outbox', () => {
    const dialect: Dialect = { ...eventwire(), liveness: { mode: 'ws', fallback: { mode: 'none' } } };
    const { link, fake, advance } = setup({ dialect, heartbeat: { interval: 1_000, timeout: 500 } }, true);
    link.connect();
    fake.accept();
    fake.say({ type: 'welcome', session_id: 's' });
    const before = fake.wsPings;
    advance(1_000);
    expect(fake.wsPings).toBeGreaterThan(before);
    expect(fake.sent).toEqual([]);
  });
});

describe('link lost and stop', () => {
  it('a link that drops tells the core once, and the link retries', () => {
    const { link, fake, heard } = setup({ handshake: 'none' });
    link.connect();
    fake.accept();
    heard.length = 0;
    fake.drop(1006, 'gone');
    expect(heard).toEqual(['link lost', 'close', 'state reconnecting', 'reconnecting']);
  });

  it('a silent link is declared dead by the heartbeat', () => {
    const { link, fake, advance, heard } = setup({ heartbeat: { interval: 1_000, timeout: 500 } });
    link.connect();
    fake.accept();
    fake.say({ type: 'welcome', session_id: 's' });
    advance(1_500);
    expect(heard).toContain('link lost');
    expect(fake.closed).toEqual([[4000, 'heartbeat timeout']]);
    expect(link.state).toBe('reconnecting');
  });

  it('close() stops the link for good: the core hears stopped, without an error', () => {
    const { link, fake, advance, heard, stops } = setup({ handshake: 'none' });
    link.connect();
    fake.accept();
    link.close(1000, 'bye');
    expect(link.state).toBe('closed');
    expect(stops).toEqual([undefined]);
    expect(heard.slice(-3)).toEqual(['stopped 1000', 'state closed', 'close']);
    advance(60_000);
    expect(fake.urls).toHaveLength(1);
  });

  it('refused credentials on an open socket stop a client with a static token', () => {
    const { link, fake, stops } = setup({ token: 'static', handshake: 'none' });
    link.connect();
    return Promise.resolve().then(() => {
      fake.accept();
      fake.say({ type: 'error', code: 'auth_failed', message: 'bad token' });
      fake.drop(4003, 'bad token');
      expect(link.state).toBe('closed');
      expect(stops.map((e) => e?.name)).toEqual(['AuthError']);
    });
  });
});

describe('frozen options', () => {
  it('resolveOptions freezes what it returns, nested option objects too', () => {
    const options = resolveOptions({ url: 'ws://server.test', rateLimit: { messages: 1, per: 10 }, signals: false });
    expect(Object.isFrozen(options)).toBe(true);
    expect(Object.isFrozen(options.backoff)).toBe(true);
    expect(Object.isFrozen(options.heartbeat)).toBe(true);
    expect(Object.isFrozen(options.rateLimit)).toBe(true);
  });
});
