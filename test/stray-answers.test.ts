/**
 * Answers a hostile or careless protocol v1 server sends for what the client did not ask, or no
 * longer waits for: an error naming a pending request ends it at once; a response or a
 * `subscribed`/`unsubscribed` for an id the client never gave is reported, not dropped without a
 * word; an answer after its request timed out or was aborted (a normal race) is no error.
 */

import { describe, expect, it } from 'vitest';
import type { WebSocket } from 'ws';
import {
  createClient,
  type DecodeError,
  type EventwireError,
  isAbortError,
  isDecodeError,
  isRequestError,
  isServerError,
  isTimeoutError,
  type RequestError,
  type ServerError,
} from '../src/index.js';
import { track } from './cleanup.js';
import { actingServer } from './fixtures/ws-server.js';
import { eventually } from './helpers.js';

type Frame = Record<string, unknown>;

/** A v1 server that greets, answers `echo` with its params, and hands every other message to `act`. */
function v1Server(act: (ws: WebSocket, message: Frame) => void) {
  return actingServer((ws) => {
    ws.send(JSON.stringify({ type: 'welcome', session_id: 's' }));
    ws.on('message', (raw) => {
      const message = JSON.parse(String(raw)) as Frame;
      if (message.method === 'echo') ws.send(JSON.stringify({ id: message.id, success: true, result: message.params }));
      else act(ws, message);
    });
  });
}

function clientOf(url: string, extra: Partial<Parameters<typeof createClient>[0]> = {}) {
  const client = track(createClient({ url, signals: false, heartbeat: false, ...extra }));
  const errors: EventwireError[] = [];
  client.on('error', (e) => void errors.push(e));
  return { client, errors };
}

describe('an error whose id is a pending request', () => {
  it('rejects that request at once with a RequestError (the server code), and is not reported on error too', async () => {
    const server = await v1Server((ws, m) => {
      if (m.method)
        ws.send(JSON.stringify({ type: 'error', code: 'bad_params', message: 'params rejected', id: m.id }));
    });
    const { client, errors } = clientOf(server.url, { requestTimeout: 2_000 });
    const started = Date.now();
    const error = (await client.request('tasks.retry', { id: 1 }).catch((e: unknown) => e)) as RequestError;
    expect(isRequestError(error)).toBe(true);
    expect([error.method, error.serverCode]).toEqual(['tasks.retry', 'bad_params']);
    expect(error.message).toContain('params rejected');
    expect(Date.now() - started).toBeLessThan(1_000);
    // a round trip after it: nothing was reported on the client's error
    expect(await client.request('echo', { n: 1 })).toEqual({ n: 1 });
    expect(errors).toEqual([]);
    expect(client.stats().pendingRequests).toBe(0);
  });
});

describe('a response no request waits for', () => {
  it('an id never asked: a failure is a ServerError, a success a DecodeError (invalid_message); a second answer too', async () => {
    const server = await v1Server((ws, m) => {
      if (m.method !== 'tasks.retry') return;
      ws.send(JSON.stringify({ id: 'never-asked', success: false, error: { code: 'boom', message: 'lost' } }));
      ws.send(JSON.stringify({ id: 'never-asked-2', success: true, result: { x: 1 } }));
      ws.send(JSON.stringify({ id: m.id, success: true, result: 'ok' }));
      ws.send(JSON.stringify({ id: m.id, success: true, result: 'again' })); // the same request answered twice
    });
    const { client, errors } = clientOf(server.url);
    expect(await client.request('tasks.retry', {})).toBe('ok');
    await eventually(() => errors.length >= 3);
    const [failure, success, twice] = errors as [ServerError, DecodeError, DecodeError];
    expect(isServerError(failure)).toBe(true);
    expect(failure.serverCode).toBe('boom');
    expect(failure.message).toMatch(/lost.*"never-asked"/);
    expect(isDecodeError(success) && success.reason).toBe('invalid_message');
    expect(success.message).toContain('"never-asked-2"');
    expect(isDecodeError(twice) && twice.reason).toBe('invalid_message');
    expect(await client.request('echo', 2)).toBe(2);
    expect(errors).toHaveLength(3);
  });

  it('an answer after its request timed out or was aborted is no error: a debug line each, and once only', async () => {
    const late: Frame[] = [];
    const server = await v1Server((ws, m) => {
      if (m.method === 'slow')
        late.push(
          { id: m.id, success: false, error: { code: 'late', message: 'too late' } },
          { id: m.id, success: true },
        );
      if (m.method === 'cancelled') late.push({ type: 'error', code: 'late', message: 'too late', id: m.id });
      if (m.method === 'answer') for (const frame of late.splice(0)) ws.send(JSON.stringify(frame));
    });
    const lines: string[] = [];
    const { client, errors } = clientOf(server.url, { logger: (_, line) => lines.push(line), logLevel: 'debug' });
    expect(await client.request('echo', 0)).toBe(0);
    const timedOut = await client.request('slow', {}, { timeout: 30 }).catch((e: unknown) => e);
    expect(isTimeoutError(timedOut)).toBe(true);
    const controller = new AbortController();
    const aborted = client.request('cancelled', {}, { signal: controller.signal }).catch((e: unknown) => e);
    await eventually(() => late.length === 3);
    controller.abort();
    expect(isAbortError(await aborted)).toBe(true);
    void client.request('answer', {}, { timeout: 30 }).catch(() => {});
    await eventually(() => lines.filter((l) => l.includes('late response')).length === 2);
    // the slow request's second answer: its id was forgotten with the first
    await eventually(() => errors.length > 0);
    expect(await client.request('echo', 3)).toBe(3);
    expect(errors.map((e) => e.code)).toEqual(['ERR_DECODE']);
  });
});

describe('the ids of requests given up, remembered', () => {
  it('the last 256: a late answer to one of them is quiet, one to the 257th before them is reported', async () => {
    const ids: unknown[] = [];
    const server = await v1Server((ws, m) => {
      if (m.method === 'held') ids.push(m.id);
      if (m.method === 'answer')
        for (const id of ids) ws.send(JSON.stringify({ id, success: false, error: { code: 'late', message: 'x' } }));
    });
    const { client, errors } = clientOf(server.url);
    expect(await client.request('echo', 0)).toBe(0);
    const controller = new AbortController();
    const held = Array.from({ length: 257 }, () =>
      client.request('held', {}, { signal: controller.signal }).catch((e: unknown) => e),
    );
    await eventually(() => ids.length === 257);
    controller.abort();
    expect((await Promise.all(held)).every(isAbortError)).toBe(true);
    void client.request('answer', {}, { timeout: 30 }).catch(() => {});
    await eventually(() => errors.length > 0);
    expect(await client.request('echo', 1)).toBe(1); // every answer was read before this one's
    expect(errors.map((e) => isServerError(e) && e.message)).toEqual([
      `server error late: x (a response to ${JSON.stringify(ids[0])}, no request of this client's)`,
    ]);
  });
});

describe('a subscribed or unsubscribed for a subscription id', () => {
  it("the client never gave: a DecodeError each; one it ended (its unsubscribe's answer, a crossed confirmation): nothing", async () => {
    const unsubscribes: unknown[] = [];
    const server = await v1Server((ws, m) => {
      if (m.type === 'subscribe') ws.send(JSON.stringify({ type: 'subscribed', id: m.id, seq: 0 }));
      if (m.type !== 'unsubscribe') return;
      unsubscribes.push(m.id);
      ws.send(JSON.stringify({ type: 'unsubscribed', id: m.id }));
      ws.send(JSON.stringify({ type: 'subscribed', id: m.id, seq: 0 })); // late: crossed the unsubscribe
      if (unsubscribes.length > 1) return;
      ws.send(JSON.stringify({ type: 'subscribed', id: 'nope', seq: 3 }));
      ws.send(JSON.stringify({ type: 'unsubscribed', id: 'sub-999' }));
    });
    const { client, errors } = clientOf(server.url);
    const sub = client.subscribe('E');
    const stop = client.on('F', () => {}); // a listener's interest: a subscription on-n of its own
    await sub.ready();
    expect(await client.request('echo', 0)).toBe(0);
    sub.unsubscribe();
    stop(); // its last listener: the interest ends
    await eventually(() => errors.length >= 2 && unsubscribes.length === 2);
    expect(unsubscribes).toEqual([sub.id, expect.stringMatching(/^on-\d+$/)]);
    expect(await client.request('echo', 1)).toBe(1);
    expect(errors.map((e) => [e.code, (e as DecodeError).reason])).toEqual([
      ['ERR_DECODE', 'invalid_message'],
      ['ERR_DECODE', 'invalid_message'],
    ]);
    expect(errors[0]?.message).toContain('subscribed for "nope"');
    expect(errors[1]?.message).toContain('unsubscribed for "sub-999"');
  });

  it('an unsubscribed for a live subscription the client did not end: said on it and on the client; it is kept', async () => {
    const server = await v1Server((ws, m) => {
      if (m.type !== 'subscribe') return;
      ws.send(JSON.stringify({ type: 'subscribed', id: m.id, seq: 0 }));
      ws.send(JSON.stringify({ type: 'unsubscribed', id: m.id })); // was ignored: the client took it as live
    });
    const { client, errors } = clientOf(server.url);
    const sub = client.subscribe('E');
    const onSub: EventwireError[] = [];
    sub.on('error', (e) => void onSub.push(e));
    await sub.ready();
    await eventually(() => errors.length === 1);
    expect(onSub).toEqual(errors);
    expect(isDecodeError(errors[0]) && [errors[0].reason, errors[0].message]).toEqual([
      'invalid_message',
      `unsubscribed for "${sub.id}", which this client did not unsubscribe: it is kept, but its events may stop`,
    ]);
    expect(sub.state).toBe('active');
  });
});
