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

/** @internal The owner's side: emit and count. */
export interface EmitterHost<Events extends Record<string, unknown>> extends TypedEmitter<Events> {
  emit<K extends keyof Events & string>(type: K, payload: Events[K]): void;
  count(type: keyof Events & string): number;
  clear(): void;
}

/**
 * mitt underneath, with two guarantees mitt does not give: a listener that throws (or
 * rejects) reaches `onListenerError` instead of breaking the emit loop or the socket loop
 * behind it, and each listener is wrapped once at registration, not per event.
 */
export function createEmitter<Events extends Record<string, unknown>>(
  onListenerError: (type: string, error: unknown) => void,
): EmitterHost<Events> {
  const bus = mitt<Events>();
  const guard = <K extends keyof Events & string>(type: K, listener: Listener<Events[K]>) => {
    const fail = (error: unknown) => onListenerError(type, error);
    return (payload: Events[K]) => {
      try {
        const result = listener(payload);
        if (
          result !== null &&
          typeof result === 'object' &&
          typeof (result as PromiseLike<unknown>).then === 'function'
        ) {
          (result as PromiseLike<unknown>).then(undefined, fail);
        }
      } catch (error) {
        fail(error);
      }
    };
  };
  const host: EmitterHost<Events> = {
    on(type, listener) {
      const wrapped = guard(type, listener);
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
      bus.emit(type, payload);
    },
    count(type) {
      return bus.all.get(type)?.length ?? 0;
    },
    clear() {
      bus.all.clear();
    },
  };
  return host;
}
