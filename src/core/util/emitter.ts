import { OptionsError } from '../../errors/errors.js';
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

type Entry = Listener<unknown>;

/**
 * @internal Refuses what is not a listener at the call, with an `OptionsError`, rather than as a
 * `HandlerError` at the first event (or never, for a name that is not a string).
 */
export function checkListener(type: unknown, listener: unknown): void {
  if (typeof type !== 'string') throw new OptionsError('an event name', 'a string', type);
  if (typeof listener !== 'function') throw new OptionsError(`the listener for "${type}"`, 'a function', listener);
}

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
 * The client's emitter. Listeners live in a Map of arrays, made on the first listener and
 * dropped with the last, with a guarantee a bare event bus does not give: a listener that
 * throws (or rejects) reaches `onListenerError` instead of breaking the emit loop or the socket
 * loop behind it. Listeners are kept as given (no closure each): `emit` catches, and allocates
 * nothing for a listener that returns.
 *
 * Why not mitt (the package first chosen): each mitt instance is four closures around a Map,
 * 480 bytes measured before any listener, against 193 for the Map alone, and every client and
 * subscription has an emitter. The idle-heap target (6 KB a client) could not afford it, and
 * mitt's `emit` swallows nothing, so its listeners needed a wrapper anyway.
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
  /** The listeners by type, made on the first listener and dropped with the last. */
  #listeners: Map<string, Entry[]> | undefined;

  constructor(sink: ListenerErrorSink) {
    this.#sink = sink;
  }

  on<K extends keyof Events & string>(type: K, listener: Listener<Events[K]>): () => void {
    checkListener(type, listener);
    this.#listeners ??= new Map();
    const list = this.#listeners.get(type);
    // Kept as given, no wrapper: emit catches. A listener added again for the same type gets a
    // wrapper, so that each registration's removal removes that one.
    const entry: Entry = list?.includes(listener as Entry)
      ? (payload) => (listener as Entry)(payload)
      : (listener as Entry);
    // Copy on write: an emit in progress keeps the array it started with, so a listener added
    // (or re-added) during an emit runs from the next emit on.
    this.#listeners.set(type, list ? [...list, entry] : [entry]);
    let registered = true; // a second call is a no-op, even once the same function is added again
    return () => {
      if (registered) this.off(type, entry);
      registered = false;
    };
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
    for (let i = 0; i < listeners.length; i++) {
      try {
        const result = (listeners[i] as Entry)(payload);
        // inside the try: a returned value whose `then` throws (a revoked Proxy) is the listener's failure too
        if (isThenable(result)) outcome = merge(outcome, this.settled(type, result));
      } catch (error) {
        this.#sink.listenerFailed(type, error);
        outcome = false;
      }
    }
    return outcome;
  }

  // `private`, not `#`: a class with a `#` method or accessor gives each instance a brand slot (8 bytes)
  /** An async listener's verdict: true when it resolves; false, its failure reported, when it rejects. */
  private settled(type: string, result: PromiseLike<unknown>): PromiseLike<boolean> {
    return result.then(succeeded, (error: unknown) => {
      this.#sink.listenerFailed(type, error);
      return false;
    });
  }

  count(type: keyof Events & string): number {
    return this.#listeners?.get(type)?.length ?? 0;
  }

  total(): number {
    let n = 0;
    if (this.#listeners) for (const list of this.#listeners.values()) n += list.length;
    return n;
  }

  private off(type: string, entry: Entry): void {
    const all = this.#listeners;
    const list = all?.get(type);
    if (!all || !list?.includes(entry)) return;
    if (list.length > 1)
      all.set(
        type,
        list.filter((l) => l !== entry),
      );
    else if (all.size > 1) all.delete(type);
    else this.#listeners = undefined; // the last one: the Map goes too
  }
}
