/**
 * Stable machine-readable codes carried by every error eventwire emits or throws.
 *
 * Why: messages change between releases; codes do not, so `switch (err.code)` is safe
 * to write in application code and in log alerting rules.
 *
 * @example
 * ```ts
 * client.on('error', (err) => {
 *   if (err.code === 'ERR_AUTH') redirectToLogin();
 * });
 * ```
 */
export type ErrorCode =
  | 'ERR_OPTIONS'
  | 'ERR_AUTH'
  | 'ERR_TOKEN_PROVIDER'
  | 'ERR_RECONNECT_EXHAUSTED'
  | 'ERR_CLOSED'
  | 'ERR_TIMEOUT'
  | 'ERR_VALIDATION'
  | 'ERR_DECODE'
  | 'ERR_HANDLER'
  | 'ERR_HOOK'
  | 'ERR_SUBSCRIPTION_ENDED'
  | 'ERR_SERVER'
  | 'ERR_FILTER'
  | 'ERR_REQUEST'
  | 'ERR_ABORTED'
  | 'ERR_QUEUE_FULL'
  | 'ERR_ENCODE'
  | 'ERR_CONNECTION'
  | 'ERR_DIALECT_MISMATCH';

const MARK = Symbol.for('eventwire.error');

/**
 * The base class of every eventwire error.
 *
 * Why: one `instanceof` (or {@link isEventwireError}, which also works across bundle
 * copies) separates SDK failures from everything else, and `code` is stable.
 * `cause` carries the underlying error when there is one.
 *
 * @example
 * ```ts
 * import { isEventwireError } from 'eventwire';
 * client.on('error', (err) => isEventwireError(err) && console.warn(err.code, err.message));
 * ```
 */
export class EventwireError extends Error {
  override name = 'EventwireError';
  /** @internal Recognises errors made by another copy of the package. */
  readonly [MARK] = true;
  /** Stable code for this kind of failure. @default set by each subclass */
  readonly code: ErrorCode;

  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
}

/**
 * True for any eventwire error, also one created by another copy of the package
 * (it compares `name` and `code`, not only the prototype chain).
 *
 * @example
 * ```ts
 * try { createClient({ url: 'nope' }) } catch (e) { if (isEventwireError(e)) console.log(e.code) }
 * ```
 */
export function isEventwireError(value: unknown): value is EventwireError {
  return (
    value instanceof EventwireError ||
    (value instanceof Error && (value as unknown as Record<symbol, unknown>)[MARK] === true)
  );
}

/** @internal Builds an `isXError` guard that checks both the class and the `name`. */
export function guardFor<T extends EventwireError>(
  ctor: abstract new (...args: never[]) => T,
  name: string,
): (value: unknown) => value is T {
  return (value: unknown): value is T => value instanceof ctor || (isEventwireError(value) && value.name === name);
}

/**
 * @internal What a value is, in words, never the value itself (it may be a secret, or huge): `null`, `nothing`,
 * `an array`, `an object`, `a string`, `a number`... One wording for every message that says what it got.
 */
export const kind = (value: unknown): string =>
  value == null
    ? value === null
      ? 'null'
      : 'nothing'
    : Array.isArray(value)
      ? 'an array'
      : typeof value === 'object'
        ? 'an object'
        : `a ${typeof value}`;

/**
 * @internal What a thrown value says: an Error's message (`named`: with its name, as `String()` gives it), anything
 * else as `String()` makes it. A value `String()` cannot convert (`Object.create(null)`, a revoked proxy, a
 * `toString` that throws) is named as such: a listener that throws one is reported like any other, the reporting
 * itself never throws.
 */
export function describe(cause: unknown, named = false): string {
  try {
    return cause instanceof Error && !named ? String(cause.message) : String(cause);
  } catch {
    return 'a value String() cannot convert';
  }
}

/**
 * @internal A server's own words (an error's code and message) cut to `max` characters: a server may send
 * megabytes of them, which an error would carry into every log line that prints it.
 */
export function clipped(value: unknown, max: number): string {
  const text = typeof value === 'string' ? value : describe(value); // a custom dialect's undefined...
  return text.length > max ? `${text.slice(0, max)}… (${text.length - max} more characters)` : text;
}

/**
 * @internal A refused option value as a message shows it: a string quoted, a number, boolean or bigint as
 * written, an object or function by its {@link kind} (`JSON.stringify` would throw on a cycle or a bigint).
 */
export const shown = (value: unknown): string =>
  typeof value === 'string'
    ? JSON.stringify(value)
    : Object(value) === value
      ? kind(value)
      : `${String(value)}${typeof value === 'bigint' ? 'n' : ''}`;
