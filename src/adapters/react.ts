/**
 * `eventwire/react`: a provider and hooks built on `useSyncExternalStore`, with a server
 * snapshot for SSR. `react` is an optional peer dependency.
 *
 * @example
 * ```tsx
 * const client = createClient({ url, lazy: true });
 * <EventwireProvider client={client}><Dashboard /></EventwireProvider>
 * function Dashboard() {
 *   const state = useConnectionState();
 *   const logs = useEvents('LogEntry', { limit: 50, filters: { level: 'ERROR' } });
 *   return <ul>{logs.map((l) => <li key={l.seq}>{String(l.data)}</li>)}</ul>;
 * }
 * ```
 */
import {
  createContext,
  createElement,
  type ReactNode,
  useContext,
  useEffect,
  useMemo,
  useState,
  useSyncExternalStore,
} from 'react';
import { type Client, createClient } from '../core/client.js';
import type { ClientOptions, ConnectionState } from '../core/options.js';
import type { EventwireEvent } from '../protocol/event.js';
import { connectionState, type EventListOptions, type EventStoreOptions, eventList, latestEvent } from './store.js';

const ClientContext = createContext<Client | null>(null);

/** Props of {@link EventwireProvider}: a client you made, or options to make one. */
export type EventwireProviderProps = { children?: ReactNode } & (
  | { client: Client; options?: never }
  | { options: ClientOptions; client?: never }
);

/**
 * Makes a client available to the hooks below it. Given `options`, it creates a lazy
 * client once (no socket until a hook needs one) and closes it when unmounted for good:
 * StrictMode's mount-unmount-mount keeps the same client and the same socket.
 *
 * @example `<EventwireProvider options={{ url: 'wss://…', token }}>…</EventwireProvider>`
 */
export function EventwireProvider(props: EventwireProviderProps) {
  const [owned] = useState(() => (props.client ? undefined : createClient({ ...props.options, lazy: true })));
  const client = props.client ?? (owned as Client);
  useEffect(() => {
    if (!owned) return;
    const pending = closing.get(owned);
    if (pending) clearTimeout(pending);
    return () => {
      closing.set(
        owned,
        setTimeout(() => owned.close(), 100),
      );
    };
  }, [owned]);
  return createElement(ClientContext.Provider, { value: client }, props.children);
}

const closing = new WeakMap<Client, ReturnType<typeof setTimeout>>();

/**
 * The client of the nearest {@link EventwireProvider}.
 * @example `const client = useClient(); client.request('tasks.retry', { id })`
 */
export function useClient(): Client {
  const client = useContext(ClientContext);
  if (!client) throw new Error('eventwire: useClient() needs an <EventwireProvider> above it');
  return client;
}

/**
 * The connection state; connects a lazy client. On the server it renders as `'idle'`.
 * @example `const state = useConnectionState(); return <Badge state={state} />`
 */
export function useConnectionState(): ConnectionState {
  const client = useClient();
  const store = useMemo(() => connectionState(client), [client]);
  return useSyncExternalStore(store.subscribe, store.get, idle);
}

/**
 * The latest event of `name` that matches the filters, or undefined. One subscription per
 * hook instance, released shortly after unmount.
 * @example `const last = useEvent('TaskStatusChanged', { filters: { task_id: id } })`
 */
export function useEvent(name: string, options: EventStoreOptions = {}): EventwireEvent | undefined {
  const client = useClient();
  const key = JSON.stringify(options.filters ?? {});
  // biome-ignore lint/correctness/useExhaustiveDependencies: the filters are compared by value through `key`.
  const store = useMemo(() => latestEvent(client, name, options), [client, name, key]);
  return useSyncExternalStore(store.subscribe, store.get, none);
}

/**
 * A rolling list of the last `limit` events of `name` that match the filters, newest last.
 * @example `const logs = useEvents('LogEntry', { limit: 100 })`
 */
export function useEvents(name: string, options: EventListOptions = {}): readonly EventwireEvent[] {
  const client = useClient();
  const key = `${options.limit ?? 100}:${JSON.stringify(options.filters ?? {})}`;
  // biome-ignore lint/correctness/useExhaustiveDependencies: the options are compared by value through `key`.
  const store = useMemo(() => eventList(client, name, options), [client, name, key]);
  return useSyncExternalStore(store.subscribe, store.get, emptyList);
}

const idle = (): ConnectionState => 'idle';
const none = (): undefined => undefined;
const EMPTY: readonly EventwireEvent[] = [];
const emptyList = () => EMPTY;
