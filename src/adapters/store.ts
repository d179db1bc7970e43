import type { Client } from '../client.js';
import type { AckMode } from '../core/streams/delivery.js';
import type { Subscription } from '../core/streams/subscription.js';
import { fail, num, optionObject } from '../options-check.js';
import { type Filters, parseFilters } from '../protocol/filters.js';
import type { ConnectionState, EventSchemas, ServerEvent, ServerEventName } from '../types.js';

/**
 * A readable store: the Svelte store contract (`subscribe(run)` calls `run` at once with the
 * current value and returns the unsubscriber) plus `get()` for `useSyncExternalStore`.
 *
 * @example
 * ```ts
 * const state = connectionState(client);
 * const stop = state.subscribe((s) => console.log(s));
 * ```
 */
export interface ReadableStore<T> {
  subscribe(run: (value: T) => void): () => void;
  /** The current value, without subscribing. */
  get(): T;
}

/** Options shared by the stores. @example `connectionState(client, { releaseDelay: 1000 })` */
export interface StoreOptions {
  /** How long (ms) a store keeps its subscription after its last subscriber leaves. @default 100 */
  releaseDelay?: number;
}

/**
 * A store's client and options, refused at its creation with an `OptionsError`: a client that is
 * not one (undefined before it is made), an unknown key (`filter` for
 * `filters` matched every event, `max` for `limit` kept 100), a `releaseDelay` that is not a number
 * >= 0, a `limit` that is not an integer >= 1 (`NaN` let the list grow for ever).
 */
function checkStoreOptions<T extends EventListOptions>(
  client: unknown,
  options: T | undefined,
  keys: string,
): T | undefined {
  // a client not yet made, or its options given for it: a TypeError when the store was first read
  if (typeof (client as Partial<Client> | undefined)?.subscribe !== 'function')
    fail('client', 'a Client (createClient())', client);
  const checked = optionObject('store options', options, keys.split(' '), 'store option');
  if (checked?.releaseDelay !== undefined) num('releaseDelay', checked.releaseDelay, 0);
  if (checked?.limit !== undefined) num('limit', checked.limit, 1, false, true);
  parseFilters(checked?.filters); // a FilterError now, not at the first subscriber (in a component, at mount)
  return checked;
}

/** What a store of `name` subscribes to: `'message'` is every event, as it is for `client.on`. */
const eventsOf = (name: string): string | readonly string[] => (name === 'message' ? [] : name);

/**
 * A store that starts its source on the first subscriber and stops it
 * `releaseDelay` ms after the last one leaves (a resubscribe in between cancels the stop,
 * which is what keeps React StrictMode's mount-unmount-mount on one subscription).
 */
function createStore<T>(
  initial: T,
  start: (set: (value: T) => void) => () => void,
  { releaseDelay = 100 }: StoreOptions = {},
): ReadableStore<T> {
  let value = initial;
  const runs = new Set<(value: T) => void>();
  let stop: (() => void) | undefined;
  let releaseTimer: ReturnType<typeof setTimeout> | undefined;
  const set = (next: T) => {
    if (Object.is(next, value)) return;
    value = next;
    for (const run of [...runs]) run(value);
  };
  return {
    get: () => value,
    subscribe(run) {
      if (typeof run !== 'function') fail('subscribe', 'a function', run);
      clearTimeout(releaseTimer);
      releaseTimer = undefined;
      if (!stop) stop = start(set);
      runs.add(run);
      run(value);
      return () => {
        if (!runs.delete(run) || runs.size > 0) return;
        releaseTimer = setTimeout(() => {
          releaseTimer = undefined;
          if (runs.size > 0) return;
          stop?.();
          stop = undefined;
        }, releaseDelay);
      };
    },
  };
}

/**
 * The client's connection state as a store. The first subscriber connects an idle (lazy)
 * client.
 * @example `$: badge = $state` with `const state = connectionState(client)`
 */
export function connectionState<E extends EventSchemas, M extends AckMode>(
  client: Client<E, M>,
  options?: StoreOptions,
): ReadableStore<ConnectionState> {
  checkStoreOptions(client, options, 'releaseDelay');
  return createStore<ConnectionState>(
    client.state,
    (set) => {
      const off = client.on('state', ({ to }) => set(to));
      set(client.state);
      if (client.state === 'idle') client.connect();
      return off;
    },
    options,
  );
}

/** Options of the event stores. @example `{ filters: { status: 'Failed' }, releaseDelay: 500 }` */
export interface EventStoreOptions extends StoreOptions {
  /** Subscription filters (PROTOCOL.md §6). @default {} */
  filters?: Filters;
}

/**
 * The latest event of a name (`'message'`: of every event) matching the filters, or undefined before the first. It
 * subscribes on its first subscriber and unsubscribes after its last. The name and the
 * event's data are typed by the client's schemas.
 * @example `const task = latestEvent(client, 'TaskStatusChanged', { filters: { status: 'Failed' } })`
 */
export function latestEvent<E extends EventSchemas, M extends AckMode, K extends ServerEventName<E>>(
  client: Client<E, M>,
  name: K,
  options: EventStoreOptions = {},
): ReadableStore<ServerEvent<E, K, M> | undefined> {
  checkStoreOptions(client, options, 'releaseDelay filters');
  const events = eventsOf(name);
  return createStore<ServerEvent<E, K, M> | undefined>(
    undefined,
    (set) => {
      const sub = client.subscribe(events, { filters: options.filters }) as Subscription<ServerEvent<E, K, M>>;
      sub.on((ev) => set(ev));
      return () => sub.unsubscribe();
    },
    options,
  );
}

/** Options of {@link eventList}. @example `{ limit: 200, filters: { level: 'ERROR' } }` */
export interface EventListOptions extends EventStoreOptions {
  /** How many events the rolling list keeps (the newest last). @default 100 */
  limit?: number;
}

/**
 * A bounded rolling list of the events of a name (`'message'`: every event) matching the filters, newest last. Each
 * change is a new array, so identity comparisons (React, Svelte) see it.
 * @example `const logs = eventList(client, 'LogEntry', { limit: 200, filters: { level: 'ERROR' } })`
 */
export function eventList<E extends EventSchemas, M extends AckMode, K extends ServerEventName<E>>(
  client: Client<E, M>,
  name: K,
  options: EventListOptions = {},
): ReadableStore<readonly ServerEvent<E, K, M>[]> {
  type Ev = ServerEvent<E, K, M>;
  checkStoreOptions(client, options, 'releaseDelay filters limit');
  const events = eventsOf(name);
  const limit = options.limit ?? 100;
  const empty: readonly Ev[] = [];
  return createStore<readonly Ev[]>(
    empty,
    (set) => {
      let list = empty;
      const sub = client.subscribe(events, { filters: options.filters }) as Subscription<Ev>;
      sub.on((ev) => {
        list = list.length >= limit ? [...list.slice(list.length - limit + 1), ev] : [...list, ev];
        set(list);
      });
      return () => sub.unsubscribe();
    },
    options,
  );
}
