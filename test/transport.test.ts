/** eventwire's own transport against a real `ws` server on 127.0.0.1. */
import { describe, expect, it } from 'vitest';
import { createWebSocketTransport } from '../src/transport/websocket.js';
import { track } from './cleanup.js';
import { startBlackhole } from './fixtures/blackhole.js';
import { greetingServer, recorder as record } from './fixtures/transport-rig.js';

/** Node's side: frames as bytes with the text flag. */
const recorder = () =>
  record({
    message: (data, text) =>
      text ? `text ${Buffer.from(data as Uint8Array)}` : `binary ${(data as Uint8Array).length}`,
    close: (code, _reason, error, status) => `close ${code}${status ? ` http ${status}` : ''}${error ? ' error' : ''}`,
  });
const server = (status?: number) => greetingServer(status);

describe('the WebSocket transport', () => {
  it('hands ws frames over as bytes with the text flag, and reports a close once', async () => {
    const s = await server();
    const r = recorder();
    const t = createWebSocketTransport({ maxPayload: 1 << 20 }, r.events);
    t.connect(`${s.url}/one`);
    await r.until(3);
    expect(r.log).toEqual(['open', 'text hello /one', 'binary 3']);
    expect(t.send('x')).toBe(true);
    await s.close();
    await r.until(4);
    expect(r.log[3]).toMatch(/^close 100[56]/);
    expect(t.send('x')).toBe(false);
  });

  it('ignores every event of a socket it has replaced: only the newest attempt reports', async () => {
    const s = await server();
    const r = recorder();
    const t = createWebSocketTransport({ maxPayload: 1 << 20 }, r.events);
    t.connect(`${s.url}/abandoned`);
    t.connect(`${s.url}/first`); // the first socket is abandoned while CONNECTING
    await r.until(3);
    t.connect(`${s.url}/second`); // an open socket is replaced: its close comes later, and is not reported
    await r.until(6);
    t.close(1000, 'done'); // closed by its owner: not reported either
    const hole = track(await startBlackhole());
    t.connect(hole.url); // a later attempt proves time passed for any late report
    await hole.waitForConnections(1);
    t.close();
    expect(r.log).toEqual(['open', 'text hello /first', 'binary 3', 'open', 'text hello /second', 'binary 3']);
  });

  it('reports an HTTP answer to the upgrade with its status', async () => {
    const s = await server(401);
    const r = recorder();
    createWebSocketTransport({ maxPayload: 1 << 20 }, r.events).connect(s.url);
    await r.until(1);
    expect(r.log).toEqual(['close 1006 http 401 error']);
  });

  it('reports a refused connection as a close with its error', async () => {
    const hole = await startBlackhole();
    const url = hole.url;
    await hole.close(); // nothing listens there now
    const r = recorder();
    createWebSocketTransport({ maxPayload: 1 << 20 }, r.events).connect(url);
    await r.until(1);
    expect(r.log).toEqual(['close 1006 error']);
    expect(String(r.errors[0])).toMatch(/ECONNREFUSED/);
  });
});
