/**
 * `#platform` (package.json "imports"): under the `node` condition the `ws` side, elsewhere the
 * browser WebSocket API alone (the browser's first load carries no Node-only code). Here the
 * browser side is loaded in Node, in place of `#platform`, with a `ws` class passed as the
 * `WebSocket` option, as an app would in a runtime without the `node` condition: it works through
 * the `on…` handlers that `ws` sockets have too, it does not fail silently.
 */
import { describe, expect, it, vi } from 'vitest';
import WebSocket from 'ws';
import { createClient, isConnectionError } from '../src/index.js';
import { platform } from '../src/transport/websocket-browser.js';
import { track } from './cleanup.js';
import { startBlackhole } from './fixtures/blackhole.js';
import { startServer } from './fixtures/server.js';
import { greetingServer, recorder as record } from './fixtures/transport-rig.js';
import { next, nextEvent } from './helpers.js';

// the client's own `#platform` (failure.ts, websocket.ts) is the browser side in this file
vi.mock('#platform', () => import('../src/transport/websocket-browser.js'));

/** The browser's side: text as strings, binary as ArrayBuffers, with the flag it passes; the close with its reason. */
const recorder = () =>
  record({
    upgrades: true,
    message: (data, text) => {
      const what = typeof data === 'string' ? `string ${data}` : data instanceof ArrayBuffer ? 'bytes' : 'other';
      return `${what} ${text}${data instanceof ArrayBuffer ? ` ${data.byteLength}` : ''}`;
    },
    close: (code, reason, error, status) =>
      `close ${code} ${reason}${status ? ` http ${status}` : ''}${error ? ' error' : ''}`,
  });
/** It closes with 4001 on the first message. */
const server = (status?: number) => greetingServer(status, { closeOnMessage: true });

describe('the browser side of #platform, with a ws class as the WebSocket option', () => {
  it('frames arrive through the browser handlers (text as strings, binary as ArrayBuffers); the server close is reported once', async () => {
    const s = await server();
    const r = recorder();
    // the subprotocol offered reaches the server (ws's server selects the first), its choice comes back
    const t = new platform.Transport({ WebSocket, maxPayload: 1 << 20, protocols: ['x.v1'] }, r.events);
    t.connect(`${s.url}/one`);
    await r.until(4);
    expect(r.log).toEqual(["upgrade 'x.v1'", 'open', 'string hello /one false', 'bytes false 3']);
    expect(t.send('now')).toBe(true);
    await r.until(5);
    expect(r.log[4]).toBe('close 4001 bye now');
    expect(t.send('x')).toBe(false);
    expect(t.ping).toBeUndefined(); // no protocol pings without ws's own API: the client pings with frames
    expect(platform.classify).toBeUndefined(); // no error codes outside Node
  });

  it('an HTTP refusal of the upgrade is a failed attempt (1006, with its error), as a browser sees it', async () => {
    const s = await server(401);
    const r = recorder();
    new platform.Transport({ WebSocket, maxPayload: 1 << 20 }, r.events).connect(s.url);
    await r.until(1);
    expect(r.log).toEqual(['close 1006  error']);
    expect(String(r.errors[0])).toMatch(/a browser does not say why/);
  });

  it('with no WebSocket at all, the attempt fails with an error that says what to pass', async () => {
    const r = recorder();
    const global = globalThis as { WebSocket?: unknown };
    const saved = global.WebSocket;
    delete global.WebSocket; // a runtime without one (Node 20's global is absent too)
    try {
      new platform.Transport({ maxPayload: 1 << 20 }, r.events).connect('ws://127.0.0.1:9/');
    } finally {
      if (saved !== undefined) global.WebSocket = saved;
    }
    await r.until(1);
    // this is the browser's side running in Node: an app bundled without the `node` condition is told how to get Node's
    expect(r.log[0]).toMatch(
      /^close 1006 no WebSocket here: eventwire's browser build runs in Node here: import 'eventwire' \(not eventwire\/browser\), or bundle with the `node` export condition .* error$/,
    );
  });

  it('the headers option is refused with an OptionsError: no browser socket can send them (in Node, it says how to bundle for Node)', () => {
    expect(() => createClient({ url: 'ws://127.0.0.1:9/', WebSocket, headers: { cookie: 'sid=1' } })).toThrow(
      expect.objectContaining({
        code: 'ERR_OPTIONS',
        message: expect.stringMatching(
          /^headers cannot be sent: eventwire's browser build runs in Node here: import 'eventwire' \(not eventwire\/browser\), or bundle with the `node` export condition/,
        ),
      }),
    );
  });

  it('a whole client works: it opens, receives events, and a refused connection is a `network` failure (no codes outside Node)', async () => {
    const server = track(await startServer());
    const client = track(createClient({ url: server.url, WebSocket, signals: false }));
    await next(client, 'open');
    const probe = nextEvent(client, 'Probe');
    server.publish({ event_type: 'Probe', data: { n: 1 } });
    expect((await probe).data).toEqual({ n: 1 });

    const hole = await startBlackhole();
    const url = hole.url;
    await hole.close(); // nothing listens there now
    const refused = track(createClient({ url, WebSocket, signals: false, backoff: { minDelay: 5, maxDelay: 20 } }));
    const error = await next(refused, 'error');
    expect(isConnectionError(error) && error.kind).toBe('network');
    expect(error.message).toMatch(/^cannot connect to ws:\/\/127\.0\.0\.1:\d+\/: the connection failed \(a browser/);
  });
});
