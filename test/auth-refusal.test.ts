/**
 * One rule for refused credentials, against the reference server (protocol v1): a token
 * function is asked once more and the client reconnects at once; a second refusal in a row,
 * or any refusal of a static token, stops with `AuthError`. (Each dialect's own refusals,
 * close codes and HTTP statuses, are tested in `test/dialects/`.)
 */
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { WebSocketServer } from 'ws';
import { mdb } from '../src/dialects/index.js';
import { createClient, isAuthError, isConnectionError } from '../src/index.js';
import { track } from './cleanup.js';
import { startServer } from './fixtures/server.js';
import { eventually, next, reach } from './helpers.js';

const slow = { minDelay: 60_000, maxDelay: 60_000 }; // a retry after backoff would time the test out

describe('refused credentials', () => {
  it('a token function is asked again at once after a refusal, and the next token opens the link', async () => {
    const server = track(await startServer({ tokens: ['good'] }));
    const tokens = ['bad', 'good'];
    const c = track(createClient({ url: server.url, token: () => tokens.shift() ?? 'none', backoff: slow }));
    const errors: string[] = [];
    c.on('error', (e) => errors.push(`${e.code}: ${e.message}`));
    await reach(c, 'open');
    expect(server.history.map((h) => h.token)).toEqual(['bad', 'good']);
    expect(errors).toEqual([expect.stringMatching(/^ERR_CONNECTION: .*\(4003: invalid token\)$/)]); // the refusal, said
  });

  it("a token function that returns '' (a logged-out `?? ''`): a TokenProviderError, retried; no empty token is sent", async () => {
    const server = track(await startServer({ tokens: ['good'] }));
    const tokens = ['', 'good'];
    const c = track(
      createClient({ url: server.url, token: () => tokens.shift() ?? 'none', backoff: { minDelay: 5, maxDelay: 10 } }),
    );
    const errors: string[] = [];
    c.on('error', (e) => errors.push(`${e.code}: ${e.message}`));
    await reach(c, 'open');
    expect(errors).toEqual(['ERR_TOKEN_PROVIDER: token provider failed: token provider returned an empty string']);
    expect(server.history.map((h) => h.token)).toEqual(['good']);
  });

  it('an expired token (4001) on an open link is refreshed at once', async () => {
    const server = track(await startServer({ tokens: ['t-1', 't-2'] }));
    let n = 0;
    const c = track(createClient({ url: server.url, token: () => `t-${++n}`, backoff: slow }));
    await reach(c, 'open');
    const closed = next(c, 'close');
    server.expireToken('t-1');
    expect(await closed).toMatchObject({ code: 4001, willReconnect: true });
    await reach(c, 'open');
    expect(server.history.map((h) => h.token)).toEqual(['t-1', 't-2']);
  });

  it('a second refusal in a row stops with AuthError: the function is asked twice, no more', async () => {
    const server = track(await startServer({ tokens: ['good'] }));
    let asked = 0;
    const c = track(
      createClient({
        url: server.url,
        token: () => {
          asked++;
          return 'bad';
        },
        backoff: slow,
      }),
    );
    const error = await next(c, 'error', isAuthError);
    expect(isAuthError(error) && error.closeCode).toBe(4003);
    expect(c.state).toBe('closed');
    expect(asked).toBe(2);
    expect(server.history).toHaveLength(2);
  });

  it('a static token that is refused stops at once, whatever the code (4003, 4001)', async () => {
    const server = track(await startServer({ tokens: ['good'] }));
    const bad = track(createClient({ url: server.url, token: 'bad', backoff: slow }));
    expect(isAuthError(await next(bad, 'error', isAuthError))).toBe(true);
    expect(server.history).toHaveLength(1);

    const good = track(createClient({ url: server.url, token: 'good', backoff: slow }));
    await reach(good, 'open');
    const stopped = next(good, 'error', isAuthError);
    server.expireToken('good');
    const error = await stopped;
    expect(isAuthError(error) && error.closeCode).toBe(4001);
    expect(good.state).toBe('closed');
    expect(server.history).toHaveLength(2);
  });
});

describe('a server that accepts and drops at once (mdb_engine, a bad signature)', () => {
  /** Accepts every upgrade; drops the socket at once (no close frame) while `dropping` (or for the next `dropNext`), else greets. */
  async function startDropper() {
    const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
    await once(wss, 'listening');
    const state = { dropping: true, dropNext: 0, accepted: 0 };
    wss.on('connection', (ws) => {
      state.accepted++;
      if (state.dropping || state.dropNext-- > 0) ws.terminate();
      else ws.send(JSON.stringify({ type: 'connected' }));
    });
    const close = () => {
      for (const ws of wss.clients) ws.terminate();
      return new Promise<void>((resolve) => wss.close(() => resolve()));
    };
    return { url: `ws://127.0.0.1:${(wss.address() as AddressInfo).port}/ws`, state, close };
  }

  it('backs off like any failure and says so at each attempt, naming the server and never the token', async () => {
    const server = track(await startDropper());
    const c = track(
      createClient({ url: server.url, token: 'bad-signature', dialect: mdb(), backoff: { minDelay: 5, maxDelay: 20 } }),
    );
    const errors: unknown[] = [];
    c.on('error', (e) => errors.push(e));
    await eventually(() => server.state.accepted >= 5);
    expect(c.state).not.toBe('closed');
    // every failed attempt reaches `error` (issue 21): one ConnectionError per dropped attempt
    await eventually(() => errors.filter(isConnectionError).length >= 4);
    const drops = errors.filter(isConnectionError);
    for (const error of drops) {
      expect(error.message).toMatch(/127\.0\.0\.1:\d+/);
      expect(error.message).not.toContain('bad-signature');
    }
    // from the second drop in a row, the message says the server drops what it accepted: check the token
    expect(drops.some((e) => /accepted the connection and dropped it \d+ ms later/.test(e.message))).toBe(true);
    expect(drops.some((e) => e.message.includes('check the token'))).toBe(true);
  });

  it('a single drop is a network failure like any other: one ConnectionError, then open again', async () => {
    const server = track(await startDropper());
    server.state.dropping = false;
    const c = track(
      createClient({ url: server.url, token: 't', dialect: mdb(), backoff: { minDelay: 5, maxDelay: 20 } }),
    );
    const errors: unknown[] = [];
    c.on('error', (e) => errors.push(e));
    await reach(c, 'open');
    server.state.dropNext = 1;
    c.reconnect(); // one drop at once, then a greeting
    await next(c, 'close', ({ code }) => code === 1006);
    await reach(c, 'open');
    expect(server.state.accepted).toBe(3);
    expect(errors.filter(isConnectionError)).toHaveLength(1);
    expect(errors.filter((e) => !isConnectionError(e))).toEqual([]);
  });
});
