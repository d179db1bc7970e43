// @vitest-environment happy-dom
import { act, createElement as h, StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { renderToString } from 'react-dom/server';
import { describe, expect, expectTypeOf, it } from 'vitest';
import * as z from 'zod/mini';
import { createHooks, EventwireProvider, useConnectionState, useEvent, useEvents } from '../src/adapters/react.js';
import { createClient, isOptionsError } from '../src/index.js';
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

  it('a provider given options follows them: a new token reconnects with it, a new url moves to a new client', async () => {
    const first = track(await startServer({ tokens: ['t1', 't2'] }));
    const second = track(await startServer({ tokens: ['t2'] }));
    const container = document.createElement('div');
    const root = createRoot(container);
    const render = (url: string, token: string) =>
      act(async () =>
        root.render(h(StrictMode, null, h(EventwireProvider, { options: { url, token, signals: false } }, h(App)))),
      );
    await render(first.url, 't1');
    await until(() => first.connections.length === 1 && container.querySelector('#state')?.textContent === 'open');
    expect(first.history.map((c) => c.token)).toEqual(['t1']);

    await render(first.url, 't2'); // same client, reconnected with the new token
    await until(() => first.connections.length === 1 && first.connections[0]?.token === 't2');
    expect(first.history.map((c) => c.token)).toEqual(['t1', 't2']);

    await render(second.url, 't2'); // a new client on the new url; the old one closes
    await until(() => second.connections.length === 1 && first.connections.length === 0);
    await until(() => container.querySelector('#state')?.textContent === 'open');
    second.publish({ event_type: 'TaskStatusChanged', data: { status: 'Moved' } });
    await until(() => container.querySelector('#task')?.textContent === 'Moved'); // the hooks moved with it
    expect(second.history).toHaveLength(1);
    await act(async () => root.unmount());
    await until(() => second.connections.length === 0);
  });

  it('createHooks(client) types names and data from the schemas, and a typed client fits the provider (compile-time)', () => {
    const events = { TaskStatusChanged: z.object({ task_id: z.string(), status: z.enum(['Running', 'Failed']) }) };
    const client = createClient({ url: 'ws://127.0.0.1:1', events, lazy: true, signals: false });
    const hooks = createHooks(client);
    function Typed() {
      const task = hooks.useEvent('TaskStatusChanged');
      const list = hooks.useEvents('TaskStatusChanged');
      expectTypeOf(task?.data.status).toEqualTypeOf<'Running' | 'Failed' | undefined>();
      expectTypeOf(list[0]?.data.task_id).toEqualTypeOf<string | undefined>();
      // @ts-expect-error: not an event of this client
      hooks.useEvent('NoSuchEvent');
      return null;
    }
    const element = h(EventwireProvider, { client }, h(Typed)); // TS2322 before: a typed client did not fit
    expect(element.props.client).toBe(client);
    client.close();
  });

  it('renders on the server from the server snapshot, without opening a socket', async () => {
    const server = track(await startServer());
    const client = track(createClient({ url: server.url, lazy: true, signals: false }));
    const html = renderToString(h(EventwireProvider, { client }, h(App)));
    expect(html).toContain('idle');
    expect(html).toContain('<p id="task">-</p>');
    // a later connection, opened and answered, proves the server had time to see any socket
    const probe = track(createClient({ url: server.url, signals: false }));
    await until(() => probe.state === 'open');
    expect(server.history).toHaveLength(1);
    expect(client.state).toBe('idle');
  });

  it('a hook outside a provider, and a provider given no client (or both), are OptionsErrors saying what to do', () => {
    const message = (element: Parameters<typeof renderToString>[0]) => {
      try {
        renderToString(element);
      } catch (error) {
        return isOptionsError(error) ? error.message : `not an OptionsError: ${error}`;
      }
      return undefined;
    };
    // was: a plain Error
    expect(message(h(App))).toBe('this hook needs an <EventwireProvider> above it (or createHooks(client))');
    // a provider with neither renders (a client made after a login); a hook below it says so (it said no
    // provider was above it)
    expect(message(h(EventwireProvider, { client: undefined as never }, 'children'))).toBeUndefined();
    expect(message(h(EventwireProvider, { client: undefined as never }, h(App)))).toBe(
      'the <EventwireProvider> above has no client yet: give it client or options (render it once they exist)',
    );
    const client = createClient({ url: 'ws://127.0.0.1:1', lazy: true, signals: false });
    const both = { client, options: { url: 'ws://127.0.0.1:1' } } as never;
    expect(message(h(EventwireProvider, both, h(App)))).toBe('<EventwireProvider> takes a client or options, not both');
    // something else given as the client: refused by the hook's store, not a TypeError
    expect(message(h(EventwireProvider, { client: { url: 'ws://127.0.0.1:1' } as never }, h(App)))).toBe(
      'client must be a Client (createClient()), got an object',
    );
    client.close();
  });
});
