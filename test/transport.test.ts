/** eventwire's own transport against a real `ws` server on 127.0.0.1. */
import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { WebSocketServer } from 'ws';
import type { TransportEvents } from '../src/transport/transport.js';
import { createWebSocketTransport } from '../src/transport/websocket.js';
import { track } from './cleanup.js';
import { startBlackhole } from './fixtures/blackhole.js';

/** A ws server that greets each connection with its path; `status` answers upgrades with HTTP instead. */
async function server(status?: number) {
  const http = createServer((_req, res) => res.writeHead(426).end());
  const wss = new WebSocketServer({ noServer: true });
  http.on('upgrade', (req, socket, head) => {
    if (status) socket.end(`HTTP/1.1 ${status} Nope\r\nContent-Length: 0\r\n\r\n`);
    else
      wss.handleUpgrade(req, socket, head, (ws) => {
        ws.send(`hello ${req.url}`);
        ws.send(Buffer.from([1, 2, 3]));
      });
  });
  http.listen(0, '127.0.0.1');
  await once(http, 'listening');
  return track({
    url: `ws://127.0.0.1:${(http.address() as AddressInfo).port}`,
    close: () => {
      for (const ws of wss.clients) ws.terminate();
      return new Promise<void>((r) => http.close(() => r()));
    },
  });
}

/** Records what a transport reports, and resolves waiters on each report. */
function recorder() {
  const log: string[] = [];
  let wake = () => {};
  const events: TransportEvents = {
    onOpen: () => {
      log.push('open');
      wake();
    },
    onMessage: (data, text) => {
      log.push(text ? `text ${Buffer.from(data as Uint8Array)}` : `binary ${(data as Uint8Array).length}`);
      wake();
    },
    onClose: (code, _reason, error, status) => {
      log.push(`close ${code}${status ? ` http ${status}` : ''}${error ? ' error' : ''}`);
      wake();
    },
  };
  const until = async (n: number) => {
    while (log.length < n) await new Promise<void>((r) => (wake = r));
  };
  return { log, events, until };
}

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
    const errors: unknown[] = [];
    createWebSocketTransport(
      { maxPayload: 1 << 20 },
      {
        ...r.events,
        onClose: (code, reason, error, status) => {
          errors.push(error);
          r.events.onClose(code, reason, error, status);
        },
      },
    ).connect(url);
    await r.until(1);
    expect(r.log).toEqual(['close 1006 error']);
    expect(String(errors[0])).toMatch(/ECONNREFUSED/);
  });
});
