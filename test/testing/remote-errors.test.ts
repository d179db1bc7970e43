/**
 * A test server driven over HTTP fails as the in-process one does: the control server answers a
 * control it cannot run with the error's `code` and `name`, and `connectTestServer` rebuilds the
 * same class with the same message (it threw a plain Error). A control URL where nothing
 * answers is a `ConnectionError` naming it (it was fetch's bare TypeError), a URL that is not
 * one an `OptionsError`.
 */
import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import {
  createClient,
  isClosedError,
  isConnectionError,
  isOptionsError,
  isRequestError,
  isTimeoutError,
} from '../../src/index.js';
import { connectTestServer, createTestServer, exposeTestServer } from '../../src/testing/index.js';
import { track } from '../cleanup.js';
import { next } from '../helpers.js';

/** A test server, its controls exposed, and a remote driving them. */
const exposed = async (dialect?: 'mdb') => {
  const server = await createTestServer(dialect ? { dialect } : {});
  track({ close: () => server.stop() });
  const controls = track(await exposeTestServer(server));
  return { server, controls, remote: await connectTestServer(controls.url) };
};
const said = (guard: (e: unknown) => boolean, error: unknown) =>
  guard(error) ? (error as Error).message : `not that class: ${String(error)}`;
const post = async (url: string, body: string) => {
  const res = await fetch(url, { method: 'POST', body });
  return { status: res.status, body: await res.json() };
};

describe('the control server answers a control it cannot run with the error’s code and name', () => {
  it('an unknown control, a body that is not JSON or not {op, args}: 400, ERR_OPTIONS', async () => {
    const { controls } = await exposed();
    const controlsAre = 'clients, received, nextMessage, publish, drop, close, restart, blackhole, refuse, accept, gap';
    expect(await post(controls.url, JSON.stringify({ op: 'publsh', args: [] }))).toEqual({
      status: 400,
      body: {
        error: `no control named "publsh" (did you mean publish?); the controls are ${controlsAre}`,
        code: 'ERR_OPTIONS',
        name: 'OptionsError',
      },
    });
    const notJson = await post(controls.url, 'not json');
    expect(notJson).toMatchObject({ status: 400, body: { code: 'ERR_OPTIONS', name: 'OptionsError' } });
    expect(notJson.body.error).toMatch(/^a control request is JSON \{op, args\}: /);
    expect(await post(controls.url, JSON.stringify({ op: 'drop' }))).toEqual({
      status: 400,
      body: {
        error: 'a control request is JSON {op: the control, args: an array}, as connectTestServer() sends it',
        code: 'ERR_OPTIONS',
        name: 'OptionsError',
      },
    });
  });

  it('a failure that is not eventwire’s: 500 with its name; the remote rejects with a RequestError naming the control', async () => {
    const server = await createTestServer();
    track({ close: () => server.stop() });
    const broken = Object.assign(Object.create(server), {
      publish() {
        throw new TypeError('boom');
      },
    });
    const controls = track(await exposeTestServer(broken));
    expect(await post(controls.url, JSON.stringify({ op: 'publish', args: ['X'] }))).toEqual({
      status: 500,
      body: { error: 'boom', name: 'TypeError' },
    });
    const remote = await connectTestServer(controls.url);
    const error = await remote.publish('X').catch((e) => e);
    expect(said(isRequestError, error)).toBe('publish failed: TypeError: boom');
    expect((error as { method?: string }).method).toBe('publish');
  });
});

describe('connectTestServer rebuilds the error of the same class, with the same message', () => {
  it('OptionsError (a bad status; gap where the server never replays), TimeoutError', async () => {
    const { remote } = await exposed();
    expect(said(isOptionsError, await remote.refuse(42).catch((e) => e))).toBe(
      'status must be an HTTP status that refuses an upgrade: an integer 300-599 (401, 403, 503...), got 42',
    );
    expect(said(isTimeoutError, await remote.nextMessage({ type: 'never' }, { timeout: 20 }).catch((e) => e))).toBe(
      'nextMessage(): no matching client message within 20 ms (clients sent 0 messages in all: see received)',
    );
    const { remote: mdb } = await exposed('mdb');
    expect(said(isOptionsError, await mdb.gap().catch((e) => e))).toBe(
      'gap(): the mdb server never replays, so it has no gap (the eventwire server alone has one)',
    );
  });

  it('ClosedError once the server is stopped, with its closeCode', async () => {
    const { server, remote } = await exposed();
    await server.stop();
    const error = await remote.publish('Tick', { n: 1 }).catch((e) => e);
    expect(said(isClosedError, error)).toBe(
      'the test server is stopped: publish() cannot run after stop() (start another with createTestServer())',
    );
    expect((error as { closeCode?: number }).closeCode).toBe(1000);
  });

  it('an argument given as undefined arrives as undefined, not as JSON’s null (close’s reason was refused)', async () => {
    const { remote } = await exposed();
    const client = track(createClient({ url: remote.url, token: remote.token, signals: false }));
    await next(client, 'open');
    const closed = next(client, 'close');
    await remote.close(4000, undefined);
    expect(await closed).toMatchObject({ code: 4000, reason: '' });
  });
});

describe('a control URL that is not one, or where nothing answers', () => {
  it('nothing listening: a ConnectionError (refused) that names the URL, at connect and at a control', async () => {
    const { controls, remote } = await exposed();
    await controls.close();
    const hint = 'is the process that called exposeTestServer() still running, and is this the url it gave?';
    const message = `cannot reach the test server's controls at ${controls.url}: nothing listens there (ECONNREFUSED); ${hint}`;
    for (const attempt of [connectTestServer(controls.url), remote.drop()]) {
      const error = await attempt.catch((e) => e);
      expect(said(isConnectionError, error)).toBe(message);
      expect(error).toMatchObject({ kind: 'refused', url: controls.url, attempts: 1 });
    }
  });

  it('no URL, or a test server’s ws:// url: an OptionsError (fetch’s TypeError)', async () => {
    const server = await createTestServer();
    track({ close: () => server.stop() });
    const needs = 'connectTestServer() needs the url exposeTestServer() gave (http://127.0.0.1:<port>), got';
    expect(said(isOptionsError, await connectTestServer('').catch((e) => e))).toBe(
      `${needs} "" (is the variable your global setup sets, set in this process?)`,
    );
    expect(said(isOptionsError, await connectTestServer(server.url).catch((e) => e))).toBe(`${needs} "${server.url}"`);
  });

  it('an HTTP server that is not a test server’s controls: an OptionsError (was JSON’s SyntaxError)', async () => {
    const other = createServer((_req, res) => res.writeHead(404).end('<h1>Not Found</h1>'));
    other.listen(0, '127.0.0.1');
    await once(other, 'listening');
    track({ close: () => new Promise((r) => other.close(r)) });
    const url = `http://127.0.0.1:${(other.address() as AddressInfo).port}`;
    expect(said(isOptionsError, await connectTestServer(url).catch((e) => e))).toBe(
      `${url} answered HTTP 404, not a test server's controls: give connectTestServer the url exposeTestServer() returned`,
    );
  });
});
