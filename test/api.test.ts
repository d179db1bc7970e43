/** The API users of the anchors look for: ready() (centrifuge-js), off(type, fn) (socket.io). */
import { describe, expect, it } from 'vitest';
import { createClient, isAuthError, isClosedError } from '../src/index.js';
import { track } from './cleanup.js';
import { collect } from './dialects/collect.js';
import { startServer } from './fixtures/server.js';
import { nextEvent } from './helpers.js';

describe('ready() and off()', () => {
  it('client.ready() resolves on open (connecting a lazy client) and rejects with the fatal error', async () => {
    const server = track(await startServer({ tokens: ['t'] }));
    const client = track(createClient({ url: server.url, token: 't', lazy: true, signals: false }));
    client.on('error', () => {});
    await client.ready();
    expect(client.state).toBe('open');
    const refused = track(createClient({ url: server.url, token: 'wrong', signals: false }));
    refused.on('error', () => {});
    await expect(refused.ready()).rejects.toSatisfy(isAuthError);
    await expect(refused.ready()).rejects.toSatisfy(isAuthError); // once closed, at once
    client.close();
    await expect(client.ready()).rejects.toSatisfy(isClosedError);
  });

  it('sub.ready() resolves when active, and rejects when it ends first', async () => {
    const server = track(await startServer());
    const client = track(createClient({ url: server.url, signals: false }));
    const sub = client.subscribe('Tick');
    await sub.ready();
    expect(sub.state).toBe('active');
    const other = client.subscribe('Other');
    const early = other.ready();
    other.unsubscribe();
    await expect(early).rejects.toSatisfy(isClosedError);
  });

  it('client.off(type, fn) removes that listener (and its interest), like socket.io', async () => {
    const server = track(await startServer());
    const client = track(createClient({ url: server.url, signals: false }));
    const removed = collect((h) => client.on('Tick', h));
    const kept = collect((h) => client.on('Tick', h));
    const handler = (removed as unknown as { seen: unknown[] }).seen;
    await client.ready();
    const fn = () => void handler.push('x');
    client.on('Tick', fn);
    client.off('Tick', fn);
    client.off('Tick', fn); // a second off is harmless
    const tick = nextEvent(client, 'Tick');
    server.publish({ event_type: 'Tick' });
    await tick;
    await kept.until(1);
    expect(handler).toHaveLength(1); // only the collector's own push, not fn's
  });
});
