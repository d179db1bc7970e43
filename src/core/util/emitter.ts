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

/** Registrations made so far, in every emitter: each one's number (a small integer, stored unboxed). */
let registrations = 0;

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
  /** Removes the first registration of `listener` for `type` (by `on` or `once`). */
  off(type: string, listener: Listener<never>): void;
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
  /** A listener of `type` was removed (by its removal function or `off`). */
  listenerRemoved?(type: string): void;
}

class Emitter<Events extends Record<string, unknown>> implements EmitterHost<Events> {
  readonly #sink: ListenerErrorSink;
  /**
   * The listeners by type, made on the first listener and dropped with the last: each registration is three
   * entries, what `emit` calls, the function given (for `off`) and its number (which no other registration
   * ever has: the function `on` returned removes that one, or nothing), with no object of its own.
   */
  #listeners: Map<string, Entry[]> | undefined;

  constructor(sink: ListenerErrorSink) {
    this.#sink = sink;
  }

  on<K extends keyof Events & string>(type: K, listener: Listener<Events[K]>): () => void {
    checkListener(type, listener);
    // kept as given, no wrapper: emit catches, and each registration has a removal of its own
    return this.add(type, listener as Entry, listener as Entry);
  }

  once<K extends keyof Events & string>(type: K, listener: Listener<Events[K]>): () => void {
    checkListener(type, listener);
    const off = this.add(
      type,
      // called only if this removed it: an emit begun before (or around) the one that ran it finds it gone
      (payload) => (off() ? (listener as Entry)(payload) : undefined),
      listener as Entry,
    );
    return off;
  }

  /** Removes the first registration of `listener` for `type` (by `on` or `once`), as socket.io's `off` does. */
  off(type: string, listener: Listener<never>): void {
    const list = this.#listeners?.get(type);
    // a function given sits at 1 mod 3, its registration's number just after it
    for (
      let i = list ? list.indexOf(listener as Entry) : -1;
      list && i !== -1;
      i = list.indexOf(listener as Entry, i + 1)
    )
      if (i % 3 === 1) return void this.remove(type, list[i + 1]);
  }

  emit<K extends keyof Events & string>(type: K, payload: Events[K]): Outcome {
    const listeners = this.#listeners?.get(type);
    if (!listeners) return undefined;
    let outcome: Outcome;
    for (let i = 0; i < listeners.length; i += 3) {
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
    return (this.#listeners?.get(type)?.length ?? 0) / 3;
  }

  total(): number {
    let n = 0;
    if (this.#listeners) for (const list of this.#listeners.values()) n += list.length / 3;
    return n;
  }

  /** Registers `entry` (called by `emit`) for `given`; returns the registration's removal. */
  private add(type: string, entry: Entry, given: Entry): () => boolean {
    this.#listeners ??= new Map();
    const list = this.#listeners.get(type);
    const id = ++registrations as unknown as Entry;
    // Copy on write: an emit in progress keeps the array it started with, so a listener added
    // (or re-added) during an emit runs from the next emit on.
    this.#listeners.set(type, list ? [...list, entry, given, id] : [entry, given, id]);
    // kept only as long as the caller keeps it; a second call finds nothing (and says so)
    return () => this.remove(type, id);
  }

  /** Removes the registration numbered `id`, if it is still there; whether it was. */
  private remove(type: string, id: unknown): boolean {
    const all = this.#listeners;
    const list = all?.get(type);
    const at = list ? list.indexOf(id as Entry) - 2 : -3;
    if (!all || !list || at < 0) return false;
    if (list.length > 3)
      all.set(
        type,
        list.filter((_, i) => i < at || i > at + 2),
      );
    else if (all.size > 1) all.delete(type);
    else this.#listeners = undefined; // the last one: the Map goes too
    this.#sink.listenerRemoved?.(type);
    return true;
  }
}
