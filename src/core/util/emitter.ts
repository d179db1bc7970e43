import { merge, type Outcome } from './outcome.js';

/** A listener; it may return a promise, whose rejection is reported like a throw. @example `const log: Listener<EventwireEvent> = (ev) => console.log(ev)` */
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

type Wrapped = (payload: unknown) => Outcome;

const succeeded = () => true;

/** @internal The owner's side: emit and count. */
export interface EmitterHost<Events extends Record<string, unknown>> extends TypedEmitter<Events> {
  /**
   * Calls every listener of `type`. Returns how they took it (see {@link Outcome}): undefined
   * when all returned, false when one threw, or a promise of the verdict when some are async
   * (it never rejects: failures go to `onListenerError`).
   */
  emit<K extends keyof Events & string>(type: K, payload: Events[K]): Outcome;
  count(type: keyof Events & string): number;
  /** All listeners, every type. */
  total(): number;
}

const isThenable = (value: unknown): value is PromiseLike<unknown> =>
  value !== null && typeof value === 'object' && typeof (value as PromiseLike<unknown>).then === 'function';

/**
 * The client's emitter. Listeners live in a Map of arrays made on the first listener (and dropped with the last), with
 * two guarantees a bare event bus does not give: a listener that throws (or rejects) reaches
 * `onListenerError` instead of breaking the emit loop or the socket loop behind it, and each
 * listener is wrapped once at registration, not per event.
 *
 * Why not mitt (the package first chosen): each mitt instance is four closures around a Map,
 * 480 bytes measured before any listener, against 193 for the Map alone, and every client and
 * subscription has an emitter. The idle-heap target (8 KB a client) could not afford it, and
 * mitt's `emit` swallows nothing, so its listeners needed this wrapper anyway.
 *
 * @example
 * ```ts
 * const emitter = createEmitter((type, error) => console.error(type, error));
 * emitter.on('tick', (n) => console.log(n));
 * emitter.emit('tick', 1);
 * ```
 */
export function createEmitter<Events extends Record<string, unknown>>(
  onListenerError: ListenerErrorSink | ((type: string, error: unknown) => void),
): EmitterHost<Events> {
  return new Emitter<Events>(
    typeof onListenerError === 'function' ? { listenerFailed: onListenerError } : onListenerError,
  );
}

/** @internal Where listener failures go (an object, so an owner can be its own sink). */
export interface ListenerErrorSink {
  listenerFailed(type: string, error: unknown): void;
}

class Emitter<Events extends Record<string, unknown>> implements EmitterHost<Events> {
  readonly #sink: ListenerErrorSink;
  #listeners: Map<string, Wrapped[]> | undefined;

  constructor(sink: ListenerErrorSink) {
    this.#sink = sink;
  }

  on<K extends keyof Events & string>(type: K, listener: Listener<Events[K]>): () => void {
    const sink = this.#sink;
    const failed = (error: unknown): false => {
      sink.listenerFailed(type, error);
      return false;
    };
    const wrapped: Wrapped = (payload) => {
      try {
        const result = (listener as Listener<unknown>)(payload);
        if (isThenable(result)) return result.then(succeeded, failed);
      } catch (error) {
        return failed(error);
      }
      return undefined;
    };
    // Copy on write: an emit in progress keeps the array it started with, so a listener added
    // (or re-added) during an emit runs from the next emit on.
    this.#listeners ??= new Map();
    const list = this.#listeners.get(type);
    this.#listeners.set(type, list ? [...list, wrapped] : [wrapped]);
    return () => this.#off(type, wrapped);
  }

  once<K extends keyof Events & string>(type: K, listener: Listener<Events[K]>): () => void {
    const off = this.on(type, (payload) => {
      off();
      return listener(payload);
    });
    return off;
  }

  emit<K extends keyof Events & string>(type: K, payload: Events[K]): Outcome {
    const listeners = this.#listeners?.get(type);
    if (!listeners) return undefined;
    let outcome: Outcome;
    for (const listener of listeners) outcome = merge(outcome, listener(payload));
    return outcome;
  }

  count(type: keyof Events & string): number {
    return this.#listeners?.get(type)?.length ?? 0;
  }

  total(): number {
    let n = 0;
    if (this.#listeners) for (const list of this.#listeners.values()) n += list.length;
    return n;
  }

  #off(type: string, wrapped: Wrapped): void {
    const list = this.#listeners?.get(type);
    if (!list?.includes(wrapped)) return;
    if (list.length > 1)
      this.#listeners?.set(
        type,
        list.filter((l) => l !== wrapped),
      );
    else if (this.#listeners?.size === 1)
      this.#listeners = undefined; // the last one: the Map goes too
    else this.#listeners?.delete(type);
  }
}
