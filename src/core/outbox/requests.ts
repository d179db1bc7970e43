import { words } from '#words';
import type { EventwireError } from '../../errors/base.js';
import type * as Errors from '../../errors/errors.js';
import type { Clock } from '../util/clock.js';
import type { Log } from '../util/logger.js';
import type { Held, Lane, Outbox } from './outbox.js';

/** `Lane.Request`, type-checked: importing the constant would put outbox.ts in a chunk of its own (see bundle-split.test.ts). */
const REQUEST: typeof Lane.Request = 3;
/** How many ids of requests given up (timed out, aborted) are remembered, so that their late answers are taken quietly. */
const GIVEN_UP = 256;

/**
 * @internal The error classes a request can end with, handed over by the core: this module loads
 * on demand and imports nothing of the first load's (its chunk would split the errors off). A list,
 * in this order: the core is in the first load, where an object's keys cost bytes that a list's places do not.
 */
export type RequestErrors = readonly [
  AbortError: typeof Errors.AbortError,
  OptionsError: typeof Errors.OptionsError,
  QueueFullError: typeof Errors.QueueFullError,
  RequestError: typeof Errors.RequestError,
  TimeoutError: typeof Errors.TimeoutError,
];

/**
 * @internal What the core gives the tracker, as a list (the core is in the first load, where an
 * object's keys cost bytes that a list's places do not): the clock, the default timeout
 * (`requestTimeout`), the outbox, the request's frame in the dialect's words (undefined when the
 * server takes no requests), the dialect's name (for that refusal), the outbox's limit, the errors,
 * the client's log (where a late answer is said).
 */
export type RequestDeps = readonly [
  clock: Clock,
  timeout: number,
  outbox: Outbox,
  frame: (id: string, method: string, params: unknown) => string | undefined,
  dialect: string,
  limit: number,
  errors: RequestErrors,
  log: Log | undefined,
];

/**
 * Options of `client.request()`.
 * @example `client.request('tasks.retry', { id: 7 }, { timeout: 5_000, signal: controller.signal })`
 */
export interface RequestOptions {
  /** Rejects with a `TimeoutError` after this many ms (queued time included). @default the client's requestTimeout (30000) */
  timeout?: number;
  /** Rejects with an `AbortError` when aborted, and forgets the request. */
  signal?: AbortSignal;
}

/** A request awaiting its answer: held in the outbox (lane Request) until then. */
class PendingRequest implements Held {
  link = 0;
  timer: unknown;
  constructor(
    readonly id: string,
    readonly method: string,
    readonly text: string,
    readonly resolve: (value: unknown) => void,
    readonly reject: (error: EventwireError) => void,
    readonly signal: AbortSignal | undefined,
    readonly onAbort: () => void,
  ) {}
  get lane(): typeof Lane.Request {
    return REQUEST;
  }
  frame(): string {
    return this.text;
  }
}

/**
 * @internal Correlates requests and responses by id, across reconnects. Each request waits in
 * the outbox, which sends it now or on the next link, and again with the same id on every
 * later link until it is answered, times out or is aborted.
 */
export class RequestTracker {
  readonly #pending = new Map<string, PendingRequest>();
  /**
   * The ids of the last {@link GIVEN_UP} requests that timed out or were aborted: the server may
   * still answer one (a normal race; the caller had its TimeoutError or AbortError). Such an
   * answer is taken once, said in the log (debug), and not reported as an error.
   */
  readonly #givenUp = new Set<string>();
  readonly #prefix = Math.random().toString(36).slice(2, 8);
  #counter = 0;

  private readonly deps: {
    clock: Clock;
    timeout: number;
    outbox: Outbox;
    /** The request's frame in the dialect's words, or undefined when the server takes no requests. */
    frame(id: string, method: string, params: unknown): string | undefined;
    /** The dialect's name, for the refusal. */
    dialect: string;
    limit: number;
    errors: RequestErrors;
    log: Log | undefined;
  };

  /** `deps` in the order of {@link RequestDeps}. */
  constructor(deps: RequestDeps) {
    const [clock, timeout, outbox, frame, dialect, limit, errors, log] = deps;
    this.deps = { clock, timeout, outbox, frame, dialect, limit, errors, log };
  }

  /** All pending requests. */
  get size(): number {
    return this.#pending.size;
  }

  request(method: string, params: unknown, options: RequestOptions = {}, given?: string): Promise<unknown> {
    const { deps } = this;
    const [AbortError, OptionsError, QueueFullError, RequestError, TimeoutError] = deps.errors;
    return new Promise((resolve, reject) => {
      const { signal } = options;
      if (signal?.aborted) return reject(new AbortError(signal.reason));
      const id = given ?? `${this.#prefix}-${++this.#counter}`;
      const timeout = options.timeout ?? deps.timeout;
      if (!(typeof timeout === 'number' && timeout > 0)) {
        return reject(new OptionsError('timeout', 'a number of ms > 0', timeout));
      }
      const onAbort = () => {
        const entry = this.#pending.get(id);
        if (!entry) return;
        this.#settle(entry, true);
        reject(new AbortError(signal?.reason));
      };
      const text = deps.frame(id, method, params);
      if (text === undefined) {
        return reject(
          new RequestError(method, 'unsupported', words ? `the ${deps.dialect} dialect has no requests` : deps.dialect),
        );
      }
      const entry = new PendingRequest(id, method, text, resolve, reject, signal, onAbort);
      this.#pending.set(id, entry);
      if (!deps.outbox.hold(entry)) {
        this.#pending.delete(id);
        return reject(new QueueFullError('the outbox', deps.limit));
      }
      // Infinity: no timer at all (an injected clock's setTimeout may not hold it). At the deadline,
      // a grace of 50 ms (at most the timeout) first, as the link's (GRACE in core/link/phase-timer.ts;
      // this chunk loads on demand and keeps its own): Node runs due timers before it reads sockets,
      // so after a long synchronous job the response may be waiting unread (or, from a server in the
      // same process, one loop turn from being written)
      if (timeout !== Number.POSITIVE_INFINITY)
        entry.timer = deps.clock.setTimeout(() => {
          entry.timer = deps.clock.setTimeout(
            () => {
              this.#settle(entry, true);
              reject(
                new TimeoutError(words ? `${method} got no response within ${timeout} ms` : `${method}: ${timeout} ms`),
              );
            },
            Math.min(50, timeout),
          );
        }, timeout);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  /**
   * Settles the request a response answers, found by its id, or (`byMethod`, for dialects
   * without ids) the oldest pending request for that method. False when none waits for it, nor
   * (by id) was given up lately: a late answer to one that timed out or was aborted is taken
   * (true) and said in the log (debug) alone.
   */
  response(
    key: string,
    byMethod: boolean,
    ok: boolean,
    result: unknown,
    error: { code: string; message: string } | undefined,
  ): boolean {
    const entry = byMethod ? this.#oldest(key) : this.#pending.get(key);
    if (!entry) {
      if (byMethod || !this.#givenUp.delete(key)) return false;
      this.deps.log?.write('debug', `late response to request ${key} (timed out or aborted) ignored`);
      return true;
    }
    this.#settle(entry);
    const RequestError = this.deps.errors[3];
    if (ok) entry.resolve(result);
    else entry.reject(new RequestError(entry.method, error?.code ?? 'unknown', error?.message ?? 'request failed'));
    return true;
  }

  #oldest(method: string): PendingRequest | undefined {
    for (const entry of this.#pending.values()) if (entry.method === method) return entry;
    return undefined;
  }

  /** Rejects every pending request. */
  rejectAll(error: EventwireError): void {
    for (const entry of [...this.#pending.values()]) {
      this.#settle(entry);
      entry.reject(error);
    }
  }

  /** `givenUp`: it timed out or was aborted, and the server may answer it still. */
  #settle(entry: PendingRequest, givenUp = false): void {
    this.#pending.delete(entry.id);
    if (givenUp) {
      const ids = this.#givenUp;
      ids.add(entry.id);
      if (ids.size > GIVEN_UP) ids.delete(ids.values().next().value as string);
    }
    this.deps.outbox.release(entry);
    this.deps.clock.clearTimeout(entry.timer);
    entry.signal?.removeEventListener('abort', entry.onAbort);
  }
}
