import type { EventwireError } from '../errors/base.js';
import { AbortError, QueueFullError, RequestError, TimeoutError } from '../errors/errors.js';
import type { ResponseMessage } from '../protocol/types.js';
import type { Clock } from './clock.js';

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

interface Pending {
  method: string;
  frame: string;
  sent: boolean;
  timer: unknown;
  resolve(value: unknown): void;
  reject(error: EventwireError): void;
  cleanup(): void;
}

/** @internal Correlates requests and responses by id, across reconnects. */
export interface RequestTracker {
  request(method: string, params: unknown, options?: RequestOptions): Promise<unknown>;
  /** Settles the request a response answers; false when no request waits for it. */
  response(message: ResponseMessage): boolean;
  /** Sends every pending request (unsent ones, and in-flight ones with their same id). */
  flush(): void;
  /** Rejects every pending request. */
  rejectAll(error: EventwireError): void;
  /** Requests waiting to be sent. */
  readonly unsent: number;
  /** All pending requests. */
  readonly size: number;
}

/** @internal */
export function createRequestTracker(deps: {
  clock: Clock;
  timeout: number;
  /** Whether the link is open now. */
  isOpen(): boolean;
  send(frame: string): boolean;
  encode(message: object): string;
  /** Room left in the outbox for one more unsent item. */
  hasRoom(): boolean;
  limit: number;
  onFirstUse(): void;
}): RequestTracker {
  const pending = new Map<string, Pending>();
  const prefix = Math.random().toString(36).slice(2, 8);
  let counter = 0;
  let unsent = 0;

  const settle = (id: string, entry: Pending) => {
    pending.delete(id);
    if (!entry.sent) unsent--;
    deps.clock.clearTimeout(entry.timer);
    entry.cleanup();
  };

  const transmit = (entry: Pending) => {
    if (!deps.send(entry.frame)) return;
    if (!entry.sent) unsent--;
    entry.sent = true;
  };

  return {
    request(method, params, options = {}) {
      deps.onFirstUse();
      return new Promise((resolve, reject) => {
        const { signal } = options;
        if (signal?.aborted) return reject(new AbortError(signal.reason));
        if (!deps.isOpen() && !deps.hasRoom()) return reject(new QueueFullError('the outbox', deps.limit));
        const id = `${prefix}-${++counter}`;
        const timeout = options.timeout ?? deps.timeout;
        const onAbort = () => {
          const entry = pending.get(id);
          if (!entry) return;
          settle(id, entry);
          reject(new AbortError(signal?.reason));
        };
        const entry: Pending = {
          method,
          frame: deps.encode(params === undefined ? { id, method } : { id, method, params }),
          sent: false,
          timer: deps.clock.setTimeout(() => {
            settle(id, entry);
            reject(new TimeoutError(`${method} got no response within ${timeout} ms`));
          }, timeout),
          resolve,
          reject,
          cleanup: () => signal?.removeEventListener('abort', onAbort),
        };
        signal?.addEventListener('abort', onAbort, { once: true });
        pending.set(id, entry);
        unsent++;
        if (deps.isOpen()) transmit(entry);
      });
    },
    response(message) {
      const entry = pending.get(message.id);
      if (!entry) return false;
      settle(message.id, entry);
      if (message.success) entry.resolve(message.result);
      else
        entry.reject(
          new RequestError(entry.method, message.error?.code ?? 'unknown', message.error?.message ?? 'request failed'),
        );
      return true;
    },
    flush() {
      for (const entry of pending.values()) transmit(entry);
    },
    rejectAll(error) {
      for (const [id, entry] of [...pending]) {
        settle(id, entry);
        entry.reject(error);
      }
    },
    get unsent() {
      return unsent;
    },
    get size() {
      return pending.size;
    },
  };
}
