/**
 * `eventwire/react`: a provider and hooks built on `useSyncExternalStore`, with a server
 * snapshot for SSR. `react` is an optional peer dependency.
 *
 * @example
 * ```tsx
 * const client = createClient({ url, lazy: true, events: { LogEntry: z.object({ message: z.string() }) } });
 * const { useEvents, useConnectionState } = createHooks(client); // typed by the client's schemas
 * function Dashboard() {
 *   const state = useConnectionState();
 *   const logs = useEvents('LogEntry', { limit: 50 });
 *   return <ul>{logs.map((l) => <li key={l.seq}>{l.data.message}</li>)}</ul>;
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
  useRef,
  useSyncExternalStore,
} from 'react';
import { type Client, createClient } from '../client.js';
import type { AckMode } from '../core/streams/delivery.js';
import type { ClientOptions } from '../options.js';
import { fail } from '../options-check.js';
import type { ConnectionState, EventSchemas, ServerEvent, ServerEventName } from '../types.js';
import { connectionState, type EventListOptions, type EventStoreOptions, eventList, latestEvent } from './store.js';

/**
 * Any client, whatever its schemas and ack mode: what the provider holds.
 * @example `const clients: AnyClient[] = [typedClient, plainClient]`
 */
// biome-ignore lint/suspicious/noExplicitAny: the schemas are erased in the context; createHooks restores them.
export type AnyClient = Client<any, AckMode>;

/** undefined: no provider above; null: a provider with no client yet (neither client nor options). */
const ClientContext = createContext<AnyClient | null | undefined>(undefined);

/**
 * Props of {@link EventwireProvider}: a client you made (typed or not), or options to make one.
 * @example `{ client }` or `{ options: { url, token } }`
 */
export type EventwireProviderProps = { children?: ReactNode } & (
  | { client: AnyClient; options?: never }
  // biome-ignore lint/suspicious/noExplicitAny: options of any schemas and ack mode.
  | { options: ClientOptions<any, AckMode>; client?: never }
);

/**
 * Makes a client available to the hooks below it. Given `options`, it creates a lazy
 * client (no socket until a hook needs one) and closes it when unmounted for good:
 * StrictMode's mount-unmount-mount keeps the same client and the same socket. It follows
 * changes of `options`: a new `url` (or a token appearing or going) makes a new client,
 * which the hooks move to; a new string `token` reconnects with it; a new token function is
 * called from the next attempt on. Other options are read when the client is made.
 *
 * @example `<EventwireProvider options={{ url: 'wss://…', token }}>…</EventwireProvider>`
 */
export function EventwireProvider(props: EventwireProviderProps) {
  // both: the options would make a client never used. Neither is allowed (a client made after a
  // login, options once a token is known): the hooks below say there is no client yet.
  if (props.client != null && props.options != null) fail('<EventwireProvider> takes a client or options, not both');
  const owned = useOwnedClient(props.options);
  const client = props.client ?? owned ?? null;
  return createElement(ClientContext.Provider, { value: client }, props.children);
}

/** The client a provider makes from its options, remade when its url changes. */
// biome-ignore lint/suspicious/noExplicitAny: options of any schemas and ack mode.
function useOwnedClient(options: ClientOptions<any, AckMode> | undefined): AnyClient | undefined {
  const latest = useRef(options);
  latest.current = options;
  const token = options?.token;
  const key = options ? `${String(options.url)}\n${token === undefined ? '' : 'token'}` : undefined;
  // biome-ignore lint/correctness/useExhaustiveDependencies: the client is remade only when `key` changes.
  const owned = useMemo(() => (latest.current ? makeClient(latest) : undefined), [key]);
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
  const shown = useRef(token);
  useEffect(() => {
    const before = shown.current;
    shown.current = token;
    if (owned && typeof token === 'string' && token !== before && owned.state !== 'idle') owned.reconnect();
  }, [owned, token]);
  return owned;
}

/** A lazy client whose token always comes from the provider's latest options. */
// biome-ignore lint/suspicious/noExplicitAny: options of any schemas and ack mode.
function makeClient(latest: { current: ClientOptions<any, AckMode> | undefined }): AnyClient {
  const options = latest.current as ClientOptions;
  const token =
    options.token === undefined
      ? undefined
      : () => {
          const current = latest.current?.token ?? '';
          return typeof current === 'function' ? current() : current;
        };
  return createClient({ ...options, token, lazy: true });
}

const closing = new WeakMap<AnyClient, ReturnType<typeof setTimeout>>();

/**
 * The hooks, typed by a client's schemas: what {@link createHooks} returns.
 * @example `const { useEvent } = createHooks(client); const task = useEvent('TaskStatusChanged')`
 */
export interface EventwireHooks<E extends EventSchemas, M extends AckMode> {
  /** The client: the one given to `createHooks`, else the nearest provider's. */
  useClient(): Client<E, M>;
  /** The connection state; connects a lazy client. On the server it renders as `'idle'`. */
  useConnectionState(): ConnectionState;
  /**
   * The latest event of `name` that matches the filters, or undefined. One subscription per
   * hook instance, released shortly after unmount.
   */
  useEvent<K extends ServerEventName<E>>(name: K, options?: EventStoreOptions): ServerEvent<E, K, M> | undefined;
  /** A rolling list of the last `limit` events of `name` that match the filters, newest last. */
  useEvents<K extends ServerEventName<E>>(name: K, options?: EventListOptions): readonly ServerEvent<E, K, M>[];
}

/**
 * Hooks typed by a client's schemas: event names are checked and `data` is inferred. Given a
 * client, the hooks use it (no provider needed); without one, they use the nearest
 * {@link EventwireProvider}'s client, typed by the schemas you name.
 *
 * @example
 * ```tsx
 * const client = createClient({ url, lazy: true, events: { TaskStatusChanged: z.object({ status: z.string() }) } });
 * export const { useEvent, useEvents, useConnectionState } = createHooks(client);
 * // or, under <EventwireProvider options={…}>: createHooks<typeof schemas>()
 * ```
 */
export function createHooks<E extends EventSchemas, M extends AckMode>(client: Client<E, M>): EventwireHooks<E, M>;
export function createHooks<E extends EventSchemas = EventSchemas, M extends AckMode = 'auto'>(): EventwireHooks<E, M>;
export function createHooks(given?: AnyClient): EventwireHooks<EventSchemas, AckMode> {
  const use: () => Client = given ? () => given as Client : (useContextClient as () => Client);
  return {
    useClient: use,
    useConnectionState() {
      const client = use();
      const store = useMemo(() => connectionState(client), [client]);
      return useSyncExternalStore(store.subscribe, store.get, idle);
    },
    useEvent(name, options = {}) {
      const client = use();
      const key = JSON.stringify(options.filters ?? {});
      // biome-ignore lint/correctness/useExhaustiveDependencies: the filters are compared by value through `key`.
      const store = useMemo(() => latestEvent(client, name, options), [client, name, key]);
      return useSyncExternalStore(store.subscribe, store.get, none);
    },
    useEvents(name, options = {}) {
      const client = use();
      const key = `${options.limit ?? 100}:${JSON.stringify(options.filters ?? {})}`;
      // biome-ignore lint/correctness/useExhaustiveDependencies: the options are compared by value through `key`.
      const store = useMemo(() => eventList(client, name, options), [client, name, key]);
      return useSyncExternalStore(store.subscribe, store.get, emptyList);
    },
  };
}

function useContextClient(): AnyClient {
  const client = useContext(ClientContext);
  if (client === null)
    fail('the <EventwireProvider> above has no client yet: give it client or options (render it once they exist)');
  if (!client) fail('this hook needs an <EventwireProvider> above it (or createHooks(client))');
  return client;
}

const untyped = createHooks();

/**
 * The client of the nearest {@link EventwireProvider}.
 * @example `const client = useClient(); client.request('tasks.retry', { id })`
 */
export const useClient: () => Client = untyped.useClient;

/**
 * The connection state of the nearest provider's client; connects a lazy client. On the
 * server it renders as `'idle'`.
 * @example `const state = useConnectionState(); return <Badge state={state} />`
 */
export const useConnectionState: () => ConnectionState = untyped.useConnectionState;

/**
 * The latest event of `name`, from the nearest provider's client (data `unknown`; use
 * {@link createHooks} for typed data).
 * @example `const last = useEvent('TaskStatusChanged', { filters: { task_id: id } })`
 */
export const useEvent: EventwireHooks<EventSchemas, 'auto'>['useEvent'] = untyped.useEvent;

/**
 * A rolling list of the last `limit` events of `name`, newest last, from the nearest
 * provider's client (data `unknown`; use {@link createHooks} for typed data).
 * @example `const logs = useEvents('LogEntry', { limit: 100 })`
 */
export const useEvents: EventwireHooks<EventSchemas, 'auto'>['useEvents'] = untyped.useEvents;

const idle = (): ConnectionState => 'idle';
const none = (): undefined => undefined;
const EMPTY: readonly never[] = [];
const emptyList = () => EMPTY;
