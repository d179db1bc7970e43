/**
 * `#words` off (a browser app's production bundle, issue 22): the link's and the client's errors keep
 * their class, their `code` and every fact (the server, the status, the close code and reason, the
 * dialects, the numbers) and drop the explanation around them. Real sockets on 127.0.0.1. The
 * full messages, under Node's `#words`, stand in connect-errors, auth-refusal, user-code and options.
 */
import { describe, expect, it, vi } from 'vitest';
import { querri } from '../src/dialects/index.js';
import {
  type ConnectionError,
  createClient,
  type EventwireError,
  isAuthError,
  isConnectionError,
  isDialectMismatchError,
  isEncodeError,
  isFilterError,
  isOptionsError,
  isReconnectExhaustedError,
} from '../src/index.js';
import { track } from './cleanup.js';
import { startServer } from './fixtures/server.js';
import { actingServer, httpServer } from './fixtures/ws-server.js';
import { next, reach, thrown } from './helpers.js';

vi.mock('#words', () => ({ words: false }));

const quick = { minDelay: 5, maxDelay: 20 };

/** Resolves with a client's first `n` errors. */
function errorsOf(client: { on(type: 'error', listener: (e: EventwireError) => void): unknown }, n: number) {
  const seen: EventwireError[] = [];
  return new Promise<EventwireError[]>((resolve) =>
    client.on('error', (e) => {
      if (seen.push(e) === n) resolve(seen);
    }),
  );
}

describe('terse messages (#words false)', () => {
  it('an HTTP 404 to the upgrade: the server and the status, without the advice to check the URL', async () => {
    const url = `${(await httpServer('404 Not Found')).url}/nope`;
    const client = track(createClient({ url: `${url}?token=sekrit`, backoff: quick, signals: false }));
    const error = (await next(client, 'error')) as ConnectionError;
    expect([isConnectionError(error), error.code, error.kind, error.status]).toEqual([
      true,
      'ERR_CONNECTION',
      'http',
      404,
    ]);
    expect(error.message).toMatch(new RegExp(`^cannot connect to ${url}: .*HTTP 404`));
    expect(error.message).not.toMatch(/check the URL|sekrit/);
  });

  it('sockets accepted and dropped at once: "dropped before open", then the streak with the host and the ms', async () => {
    const server = await actingServer((ws) => ws.terminate());
    const client = track(createClient({ url: server.url, backoff: quick, signals: false }));
    const [first, second] = (await errorsOf(client, 2)) as [ConnectionError, ConnectionError];
    expect([first.code, first.kind, first.message]).toEqual([
      'ERR_CONNECTION',
      'dropped',
      `cannot connect to ${server.url}/: dropped before open (1006)`,
    ]);
    expect([isConnectionError(second), second.kind]).toEqual([true, 'dropped']);
    const host = new URL(server.url).host;
    expect(second.message).toMatch(
      new RegExp(`^the eventwire server at ${host} dropped the connection \\d+ ms after open, twice$`),
    );
  });

  it('a close before open, retried until the client gives up: the code and reason, the attempts, the cause', async () => {
    const server = await actingServer((ws) => ws.close(1011, 'busy'));
    const client = track(createClient({ url: server.url, backoff: { ...quick, maxRetries: 1 }, signals: false }));
    const [first, last] = await errorsOf(client, 2);
    const said = `cannot connect to ${server.url}/: closed before open (1011: busy)`;
    expect([first?.code, first?.message]).toEqual(['ERR_CONNECTION', said]);
    expect(isReconnectExhaustedError(last) && [last.code, last.attempts, last.message]).toEqual([
      'ERR_RECONNECT_EXHAUSTED',
      1,
      `gave up after 1 retries: ${said}`,
    ]);
  });

  it('a refusal whose reason is an HTTP 403: AuthError with the close code and reason, no hint about routes', async () => {
    const server = await actingServer((ws) => ws.close(4003, 'HTTP 403 Forbidden'));
    const client = track(createClient({ url: server.url, token: 't', backoff: quick, signals: false }));
    const error = await next(client, 'error');
    expect(isAuthError(error) && [error.code, error.closeCode, error.message]).toEqual([
      'ERR_AUTH',
      4003,
      'rejected (close 4003: HTTP 403 Forbidden)',
    ]);
  });

  it('a server that selects no subprotocol: DialectMismatchError with the server, the subprotocol and the dialect', async () => {
    const server = await actingServer(() => {}, false);
    const client = track(createClient({ url: `${server.url}/ws?token=jwt`, backoff: quick, signals: false }));
    const error = await next(client, 'error');
    expect(isDialectMismatchError(error) && [error.code, error.dialect, error.message]).toEqual([
      'ERR_DIALECT_MISMATCH',
      'eventwire',
      `${server.url}/ws did not select eventwire.v1 (eventwire)`,
    ]);
  });

  it('a server that selects the subprotocol and never greets: the dialect, the ms and the subprotocol', async () => {
    const server = await actingServer(() => {});
    const client = track(createClient({ url: server.url, handshakeTimeout: 100, backoff: quick, signals: false }));
    const error = (await next(client, 'error')) as ConnectionError;
    expect([error.code, error.kind, error.message]).toEqual([
      'ERR_CONNECTION',
      'timeout',
      `cannot connect to ${server.url}/: no eventwire greeting in 100 ms (selected eventwire.v1)`,
    ]);
  });

  it('frames of another dialect: the count, both dialects and the last refusal, without the advice', async () => {
    const tick = (i: number) => JSON.stringify({ event_type: 'Tick', timestamp: '2026-01-01T00:00:00Z', data: { i } });
    const server = await actingServer((ws) => [0, 1, 2].forEach((i) => void ws.send(tick(i))), false);
    const client = track(createClient({ url: server.url, dialect: querri(), signals: false }));
    const mismatch = (await errorsOf(client, 3))[2];
    expect(isDialectMismatchError(mismatch) && [mismatch.code, mismatch.dialect, mismatch.reads]).toEqual([
      'ERR_DIALECT_MISMATCH',
      'querri',
      'eventwire',
    ]);
    expect(mismatch?.message).toMatch(/^3 eventwire frames in a row, not querri \(the last: querri: .+\)$/);
  });

  it("protocol v1's welcome to another dialect: the two names, and the client stops", async () => {
    const server = track(await startServer());
    const client = track(createClient({ url: server.url, dialect: querri(), signals: false }));
    const error = await next(client, 'error');
    expect(isDialectMismatchError(error) && [error.message, error.reads]).toEqual([
      'v1 welcome, not querri',
      'eventwire',
    ]);
    await reach(client, 'closed');
  });

  it('a frozen link: the heartbeat timeout with its ms, as the reason of the close', async () => {
    const server = track(await startServer());
    const client = track(createClient({ url: server.url, heartbeat: { interval: 50, timeout: 100 }, signals: false }));
    await reach(client, 'open');
    server.freeze();
    const closed = await next(client, 'close');
    expect(closed.reason).toMatch(/^heartbeat timeout \(\d+ ms\)$/);
  });

  it('what the app gives, refused at the call: the value got, not the rule spelled out', () => {
    const client = track(createClient({ url: 'ws://127.0.0.1:1', lazy: true, signals: false }));
    const sent = thrown(() => client.send('{"type":"x"}' as never));
    expect(isEncodeError(sent) && [sent.code, sent.message]).toEqual(['ERR_ENCODE', 'send(): a string']);
    const events = thrown(() => client.subscribe(5 as never));
    expect(isFilterError(events) && [events.code, events.message]).toEqual(['ERR_FILTER', 'events: 5']);
    const logger = thrown(() => createClient({ url: 'ws://127.0.0.1:1', logger: 5 as never }));
    expect(isOptionsError(logger) && logger.message).toBe('logger must be console or a function, got 5');
  });
});
