import mitt from 'mitt';

/** A listener; it may return a promise, whose rejection is reported like a throw. */
export type Listener<T> = (payload: T) => unknown;

/**
 * A typed emitter whose `on()` returns its own unsubscribe function.
 *
 * @example
 * ```ts
 * const off = client.on('state', ({ from, to }) => console.log(from, '->', to));
 * off();
 * ```
 */
export interface TypedEmitter<Events extends Record<string, unknown>> {
  /** Adds a listener; returns the function that removes it. */
  on<K extends keyof Events & string>(type: K, listener: Listener<Events[K]>): () => void;
  /** Adds a listener that runs at most once; returns the function that removes it. */
  once<K extends keyof Events & string>(type: K, listener: Listener<Events[K]>): () => void;
}

type Wrapped = (payload: unknown) => PromiseLike<unknown> | undefined;

/** @internal The owner's side: emit and count. */
export interface EmitterHost<Events extends Record<string, unknown>> extends TypedEmitter<Events> {
  /**
   * Calls every listener of `type`. Returns a promise that settles when the async ones have
   * (never rejecting: their failures go to `onListenerError`), or undefined when all were sync.
   */
  emit<K extends keyof Events & string>(type: K, payload: Events[K]): Promise<unknown> | undefined;
  count(type: keyof Events & string): number;
  /** All listeners, every type. */
  total(): number;
}

const isThenable = (value: unknown): value is PromiseLike<unknown> =>
  value !== null && typeof value === 'object' && typeof (value as PromiseLike<unknown>).then === 'function';

/**
 * mitt stores the listeners, with two guarantees mitt does not give: a listener that throws
 * (or rejects) reaches `onListenerError` instead of breaking the emit loop or the socket
 * loop behind it, and each listener is wrapped once at registration, not per event.
 */
export function createEmitter<Events extends Record<string, unknown>>(
  onListenerError: (type: string, error: unknown) => void,
): EmitterHost<Events> {
  const bus = mitt<Record<string, unknown>>();
  const guard = (type: string, listener: Listener<never>): Wrapped => {
    const fail = (error: unknown) => onListenerError(type, error);
    return (payload) => {
      try {
        const result = (listener as Listener<unknown>)(payload);
        if (isThenable(result)) return result.then(undefined, fail);
      } catch (error) {
        fail(error);
      }
      return undefined;
    };
  };
  const host: EmitterHost<Events> = {
    on(type, listener) {
      const wrapped = guard(type, listener as Listener<never>);
      bus.on(type, wrapped);
      return () => bus.off(type, wrapped);
    },
    once(type, listener) {
      const off = host.on(type, (payload) => {
        off();
        return listener(payload);
      });
      return off;
    },
    emit(type, payload) {
      const listeners = bus.all.get(type) as Wrapped[] | undefined;
      if (!listeners || listeners.length === 0) return undefined;
      let pending: PromiseLike<unknown>[] | undefined;
      // A copy, as mitt does: a listener may add or remove listeners while we iterate.
      for (const listener of listeners.length === 1 ? listeners : listeners.slice()) {
        const result = listener(payload);
        pending = collect(pending, result);
      }
      if (!pending) return undefined;
      return pending.length === 1 ? Promise.resolve(pending[0]) : Promise.all(pending);
    },
    count(type) {
      return bus.all.get(type)?.length ?? 0;
    },
    total() {
      let n = 0;
      for (const list of bus.all.values()) n += list.length;
      return n;
    },
  };
  return host;
}

/** @internal Appends a promise to a lazily allocated list (no array for the sync case). */
export function collect(
  list: PromiseLike<unknown>[] | undefined,
  item: PromiseLike<unknown> | undefined,
): PromiseLike<unknown>[] | undefined {
  if (!item) return list;
  if (!list) return [item];
  list.push(item);
  return list;
}
