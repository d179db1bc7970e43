/** eventwire's own transport against a real `ws` server on 127.0.0.1. */
import { describe, expect, it } from 'vitest';
import { createWebSocketTransport } from '../src/transport/websocket.js';
import { track } from './cleanup.js';
import { startBlackhole } from './fixtures/blackhole.js';
import { greetingServer, recorder as record } from './fixtures/transport-rig.js';
import { actingServer } from './fixtures/ws-server.js';

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

describe("the WebSocket transport's answer to protocol pings", () => {
  /** A server that pings twice, the second after the first's pong, and resolves with every pong's payload. */
  const pinging = async () => {
    let done: (pongs: string[]) => void = () => {};
    const pongs = new Promise<string[]>((resolve) => (done = resolve));
    const s = await actingServer((ws) => {
      const got: string[] = [];
      ws.on('pong', (data) => {
        got.push(String(data));
        if (got.length === 1) ws.ping('b');
        // a second answer to 'a' would come before the answer to 'b': 'b' last means each was answered once
        if (String(data) === 'b') done(got);
      });
      ws.ping('a');
    });
    return { url: s.url, pongs };
  };
  /** Events whose `onPing` is `first` at its first read and `later` after (a user's own events object). */
  const flipping = (first: boolean, later: boolean) => {
    const r = recorder();
    let reads = 0;
    const hook = (answer: () => boolean) => void answer();
    const events = Object.defineProperty({ ...r.events }, 'onPing', {
      get: () => ((reads++ === 0 ? first : later) ? hook : undefined),
    });
    return events;
  };

  it.each([
    ['appears after the transport is made: ws answers alone', false, true],
    ['goes away after the transport is made: the transport answers alone', true, false],
  ])('answers each ping once when onPing %s', async (_name, first, later) => {
    const { url, pongs } = await pinging();
    const t = createWebSocketTransport({ maxPayload: 1 << 20 }, flipping(first, later));
    t.connect(url);
    expect(await pongs).toEqual(['a', 'b']);
    t.close();
  });
});
