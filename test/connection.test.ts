/**
 * The link on its own: a `Connection` over a fake transport and a clock the test moves. No
 * socket, no server, no waiting: every timer (connect timeout, greeting, heartbeat, backoff,
 * rate limit) runs when the test says so.
 */
import { describe, expect, it } from 'vitest';
import { Lane } from '../src/core/outbox/outbox.js';
import type { Dialect } from '../src/dialects/dialect.js';
import { eventwire } from '../src/dialects/eventwire.js';
import { querri } from '../src/dialects/querri.js';
import { isConnectionError, isDialectMismatchError } from '../src/errors/errors.js';
import { resolveOptions } from '../src/options.js';
import { setup } from './fixtures/fake-link.js';

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

  it('an attempt that does not open within connectTimeout (and a 50 ms grace) is given up and retried', () => {
    const { link, fake, advance, errors } = setup({ connectTimeout: 500 });
    link.connect();
    advance(500);
    expect(link.state).toBe('connecting'); // an open already in the socket may wait to be read
    expect(fake.closed).toEqual([]);
    advance(49);
    expect(link.state).toBe('connecting');
    advance(1);
    expect(link.state).toBe('reconnecting');
    expect(fake.closed).toEqual([[4000, 'connect timeout']]);
    expect(errors).toHaveLength(1);
    expect(isConnectionError(errors[0]) && [errors[0].kind, errors[0].message]).toEqual([
      'timeout',
      'cannot connect to ws://server.test/ws: no connection within 500 ms',
    ]);
  });

  it('a socket that opens in the grace after connectTimeout keeps its attempt; the grace is at most the timeout', () => {
    const { link, fake, advance, errors, heard } = setup({ connectTimeout: 500, handshake: 'none' });
    link.connect();
    advance(530); // the process was busy: the timer ran past its deadline, the open comes next
    fake.accept();
    expect(link.state).toBe('open');
    advance(10_000);
    expect([link.state, errors, fake.closed, heard.filter((h) => h === 'reconnecting')]).toEqual(['open', [], [], []]);
    const short = setup({ connectTimeout: 20 });
    short.link.connect();
    short.advance(39);
    expect(short.link.state).toBe('connecting');
    short.advance(1);
    expect(short.fake.closed).toEqual([[4000, 'connect timeout']]);
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

  it('a repeated greeting on one link is ignored (logged at debug), not a new session; the next link takes its own', async () => {
    const { link, fake, advance, heard, lines, logged } = setup({
      handshake: 'welcome',
      handshakeTimeout: 2_000,
      backoff: { minDelay: 100 },
    });
    link.connect();
    fake.accept();
    fake.say({ type: 'welcome', session_id: 's-1' });
    fake.say({ type: 'welcome', session_id: 's-2' });
    expect(link.sessionId).toBe('s-1');
    expect(heard.filter((h) => h === 'open')).toHaveLength(1);
    await logged();
    expect(lines.some((l) => l.includes('repeated greeting ignored'))).toBe(true);
    fake.drop();
    advance(1_000);
    expect(fake.urls).toHaveLength(2);
    fake.accept();
    fake.say({ type: 'welcome', session_id: 's-3' });
    expect(link.sessionId).toBe('s-3');
  });

  it('required: no greeting within handshakeTimeout (and a 50 ms grace) is a failed attempt; one in the grace opens the link', () => {
    for (const greeted of [false, true]) {
      const { link, fake, advance, errors } = setup({ handshake: 'welcome', handshakeTimeout: 2_000 });
      link.connect();
      fake.accept();
      advance(2_000);
      expect(link.state).toBe('connecting'); // a greeting already in the socket may wait to be read
      advance(49);
      if (greeted) fake.say({ type: 'welcome', session_id: 's-1' });
      advance(1);
      expect(link.state).toBe(greeted ? 'open' : 'reconnecting');
      if (greeted) expect([errors, fake.closed]).toEqual([[], []]);
      else
        expect(errors[0]?.message).toBe(
          'cannot connect to ws://server.test/ws: no greeting from the eventwire server within 2000 ms',
        );
    }
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
  it("pings and the answers to the server's pings go through the outbox and the debug log", async () => {
    const { link, fake, advance, lines, logged } = setup({ heartbeat: { interval: 1_000, timeout: 500 } });
    link.connect();
    fake.accept();
    fake.say({ type: 'welcome', session_id: 's' });
    advance(1_000);
    fake.say({ type: 'ping', ts: 7 });
    expect(fake.sent).toEqual(['{"type":"ping"}', '{"type":"pong","ts":7}']);
    await logged();
    expect(lines.filter((l) => l.includes('send '))).toHaveLength(2);
  });

  it('a socket over 1 MiB unsent holds frames back; one that takes none for heartbeat.timeout is stuck, unless the process was starved', () => {
    const { link, fake, advance, starve, errors } = setup({ heartbeat: { interval: 60_000, timeout: 1_000 } });
    link.connect();
    fake.accept();
    fake.say({ type: 'welcome', session_id: 's' });
    fake.buffered = 2 << 20;
    expect(link.outbox.push(Lane.Send, 'a')).toBe('queued');
    advance(900);
    starve(1_500); // a long task: the watch's looks come late, and the socket's count could not fall meanwhile
    advance(60);
    expect(fake.closed).toEqual([]);
    fake.buffered = 0; // it drained: the next look sends what waited
    advance(50);
    expect(fake.sent).toEqual(['a']);
    fake.buffered = 2 << 20;
    expect(link.outbox.push(Lane.Send, 'b')).toBe('queued');
    advance(1_100); // looked at every 50 ms, on time, no byte taken: stuck
    expect(fake.closed).toEqual([[4000, 'write stalled']]);
    expect(isConnectionError(errors[0]) && [errors[0].kind, errors[0].message]).toEqual([
      'network',
      expect.stringMatching(/write stalled|stuck/),
    ]);
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
    advance(1_549); // ping at 1 s, deadline at 1.5 s, then a 50 ms grace for frames waiting unread
    expect(heard).not.toContain('link lost');
    advance(1);
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

describe('failed attempts', () => {
  const refused = () => Object.assign(new Error('connect ECONNREFUSED 10.0.0.1:9'), { code: 'ECONNREFUSED' });

  it('each is one ConnectionError naming the server (not the token), on error, close and reconnecting; delays in whole ms', async () => {
    const { link, fake, advance, errors, lifecycle } = setup({
      token: 'sekrit-1',
      random: () => 0.37,
      backoff: { minDelay: 333 },
    });
    link.connect();
    await Promise.resolve();
    fake.drop(1006, '', refused());
    expect(errors).toHaveLength(1);
    const [error] = errors;
    expect(isConnectionError(error) && [error.kind, error.url, error.attempts]).toEqual([
      'refused',
      'ws://server.test/ws',
      1,
    ]);
    expect(error?.message).toBe('cannot connect to ws://server.test/ws: connection refused (ECONNREFUSED)');
    expect(fake.urls[0]).toContain('sekrit-1');
    expect(lifecycle).toEqual([
      { code: 1006, reason: 'connect ECONNREFUSED 10.0.0.1:9', willReconnect: true, error },
      { attempt: 1, delay: 123, error }, // 0.37 × 333 = 123.21
    ]);
    advance(1_000);
    await Promise.resolve();
    fake.drop(1006, '', refused());
    expect(errors.map((e) => isConnectionError(e) && e.attempts)).toEqual([1, 2]);
  });

  it('the console hears the first failure of a run; a link that opens starts a new run', () => {
    const { link, fake, advance, quiet } = setup({ handshake: 'none', backoff: { minDelay: 10 } });
    link.connect();
    fake.drop(1006, '', refused());
    advance(1_000);
    fake.drop(1006, '', refused());
    expect(quiet).toEqual([false, true]);
    advance(1_000);
    fake.accept();
    expect(link.state).toBe('open');
    fake.drop(1001, 'restart'); // a link that closes is not a failed attempt: nothing reported
    expect(quiet).toEqual([false, true]);
    advance(1_000);
    fake.drop(1006, '', refused());
    expect(quiet).toEqual([false, true, false]);
  });

  it('sockets dropped before the greeting: each attempt reported, the second in a row says to check the token', () => {
    const { link, fake, advance, errors } = setup({ handshake: 'welcome', backoff: { minDelay: 10 } });
    link.connect();
    fake.accept();
    fake.drop(1006);
    advance(1_000);
    fake.accept();
    fake.drop(1006);
    expect(errors.map((e) => isConnectionError(e) && e.kind)).toEqual(['dropped', 'dropped']);
    expect(errors[0]?.message).toBe(
      'cannot connect to ws://server.test/ws: the server accepted the connection and dropped it before it was open, with no close frame',
    );
    expect(errors[1]?.message).toMatch(/dropped it 0 ms later, twice in a row.*check the token/);
  });

  it('sockets dropped right after a link opened with them (no greeting): said once per streak', () => {
    const { link, fake, advance, errors } = setup({ handshake: 'none', backoff: { minDelay: 10 } });
    link.connect();
    for (let i = 0; i < 4; i++) {
      fake.accept();
      fake.drop(1006);
      advance(1_000);
    }
    expect(errors.map((e) => isConnectionError(e) && [e.kind, e.attempts])).toEqual([['dropped', 2]]);
  });
});

describe('the subprotocol', () => {
  it('protocol v1 offers eventwire.v1; other dialects, and one made by spreading eventwire(), offer none', () => {
    expect(setup().fake.config?.protocols).toEqual(['eventwire.v1']);
    expect(setup({ dialect: querri() }).fake.config?.protocols).toBeUndefined();
    expect(setup({ dialect: { ...eventwire(), name: 'mine' } }).fake.config?.protocols).toBeUndefined();
  });

  it('a server that selected it promised its greeting: the link waits for it past the grace', () => {
    const { link, fake, advance } = setup();
    link.connect();
    fake.events?.onUpgrade?.('eventwire.v1');
    fake.accept();
    advance(5_000);
    expect(link.state).toBe('connecting');
    fake.say({ type: 'welcome', session_id: 's-9' });
    expect(link.state).toBe('open');
  });

  it('a server that selected none is another server: the client stops with DialectMismatchError, whether the socket opened (browsers) or not (ws)', () => {
    for (const how of ['browser', 'ws'] as const) {
      const { link, fake, advance, stops, lifecycle } = setup();
      link.connect();
      fake.events?.onUpgrade?.('');
      if (how === 'browser') fake.accept();
      else fake.drop(1006, '', new Error('Server sent no subprotocol'));
      expect(link.state).toBe('closed');
      const [stop] = stops;
      expect(isDialectMismatchError(stop) && stop.dialect).toBe('eventwire');
      expect(stop?.message).toMatch(
        /^ws:\/\/server\.test\/ws did not select subprotocol eventwire\.v1: it is not an eventwire v1 server; .*querri\(\)/,
      );
      expect(lifecycle).toEqual([expect.objectContaining({ willReconnect: false, error: stop })]);
      if (how === 'browser') expect(fake.closed).toEqual([[1000, 'no subprotocol selected']]);
      advance(60_000);
      expect(fake.urls).toHaveLength(1);
    }
  });
});

describe('frames of another dialect', () => {
  const v1 = (n: number) => ({ event_type: 'Tick', timestamp: '2026-01-01T00:00:00Z', data: { n }, seq: n });

  it('after 3 in a row, one DialectMismatchError names the dialect that reads them; the rest are counted', () => {
    const { link, fake, errors, events } = setup({ dialect: querri() });
    link.connect();
    fake.accept();
    for (let n = 1; n <= 5; n++) fake.say(v1(n));
    expect(errors.map((e) => e.name)).toEqual(['DecodeError', 'DecodeError', 'DialectMismatchError']);
    const hint = errors[2];
    expect(isDialectMismatchError(hint) && [hint.dialect, hint.reads]).toEqual(['querri', 'eventwire']);
    expect(hint?.message).toMatch(
      /^3 frames in a row the querri dialect cannot read are eventwire frames: use no dialect option;/,
    );
    expect(link.mismatchedFrames).toBe(2);
    fake.say({ type: 'Readable' }); // one querri reads: the row ends, the hint is not repeated
    for (let n = 6; n <= 9; n++) fake.say(v1(n));
    expect(events.map((e) => e.event_type)).toEqual(['Readable']);
    expect(link.mismatchedFrames).toBe(6);
    fake.say({ nothing: 'any dialect reads' }); // refused, and no other dialect's: reported
    expect(errors.map((e) => e.name)).toEqual(['DecodeError', 'DecodeError', 'DialectMismatchError', 'DecodeError']);
  });

  it('once the dialect reads 3 frames in a row again, such frames are reported again (a glitch is no wrong dialect)', () => {
    const { link, fake, errors } = setup({ dialect: querri() });
    link.connect();
    fake.accept();
    for (let n = 1; n <= 4; n++) fake.say(v1(n));
    expect(link.mismatchedFrames).toBe(1);
    for (let n = 0; n < 3; n++) fake.say({ type: 'Readable' });
    errors.length = 0;
    fake.say(v1(5)); // was counted for the client's life, without a word
    expect(errors.map((e) => e.name)).toEqual(['DecodeError']);
    expect(link.mismatchedFrames).toBe(1);
    for (let n = 6; n <= 9; n++) fake.say(v1(n)); // the hint is not said again: each frame is reported
    expect(errors.map((e) => e.name)).toEqual(Array(5).fill('DecodeError'));
  });

  it('frames no built-in dialect reads stay DecodeErrors, one each', () => {
    const { link, fake, errors } = setup({ dialect: querri() });
    link.connect();
    fake.accept();
    for (let n = 0; n < 5; n++) fake.say({ n });
    expect(errors.map((e) => e.name)).toEqual(Array(5).fill('DecodeError'));
    expect(link.mismatchedFrames).toBe(0);
  });
});
