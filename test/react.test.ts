// @vitest-environment happy-dom
import { act, createElement as h, StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { renderToString } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import { EventwireProvider, useConnectionState, useEvent, useEvents } from '../src/adapters/react.js';
import { createClient } from '../src/index.js';
import { track } from './cleanup.js';
import { type ReferenceServer, startServer } from './fixtures/server.js';

(globalThis as { IS_REACT_ACT_ENVIRONMENT?: boolean }).IS_REACT_ACT_ENVIRONMENT = true;

function App() {
  const state = useConnectionState();
  const logs = useEvents('LogEntry', { limit: 2, filters: { level: 'ERROR' } });
  const task = useEvent('TaskStatusChanged');
  return h(
    'div',
    null,
    h('p', { id: 'state' }, state),
    h('ul', { id: 'logs' }, ...logs.map((l) => h('li', { key: l.seq }, String((l.data as { msg: string }).msg)))),
    h('p', { id: 'task' }, task ? String((task.data as { status: string }).status) : '-'),
  );
}

const subscribes = (server: ReferenceServer) =>
  server.history.flatMap((c) => c.received).filter((m) => 'type' in m && m.type === 'subscribe');
async function until(condition: () => boolean, timeoutMs = 5_000) {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await act(() => new Promise((r) => setTimeout(r, 10)));
  }
}

describe('eventwire/react', () => {
  it('under <StrictMode> a double mount opens one socket and one subscription per hook, and unmount releases them', async () => {
    const server = track(await startServer());
    const client = track(createClient({ url: server.url, signals: false }));
    await until(() => client.state === 'open'); // already open: any doubled subscribe would reach the server
    const container = document.createElement('div');
    const root = createRoot(container);
    await act(async () => root.render(h(StrictMode, null, h(EventwireProvider, { client }, h(App)))));
    await until(() => container.querySelector('#state')?.textContent === 'open');
    await until(() => server.connections[0]?.subscriptions.size === 2);

    for (const [level, msg] of [
      ['ERROR', 'a'],
      ['INFO', 'b'],
      ['ERROR', 'c'],
      ['ERROR', 'd'],
    ]) {
      server.publish({ event_type: 'LogEntry', data: { level, msg } });
    }
    server.publish({ event_type: 'TaskStatusChanged', data: { status: 'Running' } });
    await until(() => container.querySelector('#task')?.textContent === 'Running');
    await until(() => container.querySelector('#logs')?.textContent === 'cd');

    expect(server.history).toHaveLength(1); // one socket
    expect(subscribes(server)).toHaveLength(2); // one per hook, none doubled by StrictMode
    expect(client.stats().subscriptions).toBe(2);

    await act(async () => root.unmount());
    await until(() => client.stats().subscriptions === 0); // nothing leaked
  });

  it('a provider given options owns its client: StrictMode keeps one socket, unmount closes it', async () => {
    const server = track(await startServer());
    const container = document.createElement('div');
    const root = createRoot(container);
    await act(async () =>
      root.render(h(StrictMode, null, h(EventwireProvider, { options: { url: server.url, signals: false } }, h(App)))),
    );
    await until(() => container.querySelector('#state')?.textContent === 'open');
    expect(server.history).toHaveLength(1);
    await act(async () => root.unmount());
    await until(() => server.connections.length === 0); // the client closed its socket
  });

  it('renders on the server from the server snapshot, without opening a socket', async () => {
    const server = track(await startServer());
    const client = track(createClient({ url: server.url, lazy: true, signals: false }));
    const html = renderToString(h(EventwireProvider, { client }, h(App)));
    expect(html).toContain('idle');
    expect(html).toContain('<p id="task">-</p>');
    await new Promise((r) => setTimeout(r, 50));
    expect(server.history).toHaveLength(0);
    expect(client.state).toBe('idle');
  });
});
