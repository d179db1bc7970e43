// @vitest-environment happy-dom
/**
 * The stores in a real Svelte 5 component: test/fixtures/svelte/Logs.svelte, compiled by
 * svelte's own compiler (through vitest's svelte transform below) and mounted in a DOM.
 */
import { flushSync, mount, unmount } from 'svelte';
import { describe, expect, it } from 'vitest';
import { createClient } from '../src/index.js';
import { track } from './cleanup.js';
import { startServer } from './fixtures/server.js';
import Logs from './fixtures/svelte/Logs.svelte';

async function until(condition: () => boolean, timeoutMs = 5_000) {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
    flushSync();
  }
}

describe('a compiled Svelte 5 component', () => {
  it('renders the connection state and a filtered rolling list, and releases on unmount', async () => {
    const server = track(await startServer());
    const client = track(createClient({ url: server.url, lazy: true, signals: false }));
    const target = document.createElement('div');
    const component = mount(Logs, { target, props: { client } });
    await until(() => target.querySelector('#state')?.textContent === 'open');
    await until(() => server.connections[0]?.subscriptions.size === 1);
    for (const [level, msg] of [
      ['ERROR', 'a'],
      ['INFO', 'b'],
      ['ERROR', 'c'],
      ['ERROR', 'd'],
      ['ERROR', 'e'],
    ]) {
      server.publish({ event_type: 'LogEntry', data: { level, msg } });
    }
    await until(() => target.querySelectorAll('#logs li').length === 3);
    expect([...target.querySelectorAll('#logs li')].map((li) => li.textContent)).toEqual(['c', 'd', 'e']);
    expect(target.querySelector('#state')?.textContent).toBe('open');
    expect(client.stats().subscriptions).toBe(1);
    unmount(component);
    await until(() => client.stats().subscriptions === 0);
    expect(client.stats().subscriptions).toBe(0);
  });
});
