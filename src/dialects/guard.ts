import type { EventwireError } from '../errors/base.js';
import { HookError } from '../errors/errors.js';
import type { Dialect } from './dialect.js';

const BUILTIN = new WeakSet<Dialect>();
/** Built-in dialects that keep state of their client's link, and how to make one per client. */
const FRESH = new WeakMap<Dialect, () => Dialect>();

/**
 * @internal Marks a dialect of `eventwire/dialects` (trusted: it is not wrapped). `fresh`, for
 * a dialect that keeps state of its client's link (mdb's awaited echoes), makes the copy each
 * client gets, so one `mdb()` given to two clients is two dialects.
 */
export function builtin(dialect: Dialect, fresh?: () => Dialect): Dialect {
  BUILTIN.add(dialect);
  if (fresh) FRESH.set(dialect, fresh);
  return dialect;
}

/** @internal Whether `dialect` is one of `eventwire/dialects` (a custom one is wrapped: never). */
export const isBuiltin = (dialect: Dialect): boolean => BUILTIN.has(dialect);

/** @internal The dialect a new client uses: its own copy of a stateful built-in, else the one given. */
export function forClient(dialect: Dialect): Dialect {
  return FRESH.get(dialect)?.() ?? dialect;
}

/**
 * @internal A custom dialect with every hook guarded: one that throws is reported as a
 * `HookError` (its result falls back to "no message"), and the client goes on. Its `read`
 * is guarded where frames are read.
 */
export function guardDialect(dialect: Dialect, report: (error: EventwireError) => void): Dialect {
  if (BUILTIN.has(dialect)) return dialect;
  const safe =
    <A extends unknown[], R>(hook: string, fn: (...args: A) => R, fallback: R) =>
    (...args: A): R => {
      try {
        return fn.apply(dialect, args);
      } catch (cause) {
        report(new HookError(hook, cause, dialect.name));
        return fallback;
      }
    };
  return {
    name: dialect.name,
    tokenIn: dialect.tokenIn,
    ...(dialect.protocols ? { protocols: dialect.protocols } : {}),
    greeting: dialect.greeting,
    greetingGrace: dialect.greetingGrace,
    liveness: dialect.liveness,
    confirms: dialect.confirms,
    resume: dialect.resume,
    read: (value, sink) => dialect.read(value, sink),
    // an object for its list of [name, value] pairs: a TypeError where the URL is made, which no listener caught
    params: safe('params', (context) => [...dialect.params(context)], []),
    auth: safe('auth', dialect.auth, {}),
    subscribe: safe('subscribe', dialect.subscribe, undefined),
    unsubscribe: safe('unsubscribe', dialect.unsubscribe, undefined),
    ping: safe('ping', dialect.ping, undefined),
    ...(dialect.checkName ? { checkName: safe('checkName', dialect.checkName, undefined) } : {}),
    ack: safe('ack', dialect.ack, undefined),
    request: safe('request', dialect.request, undefined),
    close: safe('close', dialect.close, 'retry'),
  };
}
