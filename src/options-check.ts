/**
 * The checks of option values, each throwing an `OptionsError` that names the option: used by
 * `resolveOptions` (src/options.ts), where the client's option types and their lists of known
 * keys live, and by the client for the options of `subscribe()` and `request()` (listed here).
 * Every refusal of a value is `OptionsError(option, rule, got)`: one formatter, one wording.
 */
import { platform } from '#platform';
import { words } from '#words';
import type { RequestOptions } from './core/outbox/requests.js';
import type { SubscribeOptions } from './core/streams/subscription.js';
import { kind, shown } from './errors/base.js';
import { fail, num, oneOf, optionObject } from './protocol/option-rules.js';

export { fail, num, oneOf, optionObject, refuseUnknown, typed } from './protocol/option-rules.js';

/** The words of a space-separated list, as a union: `Words<'a b'>` is `'a' | 'b'`. */
type Words<S extends string> = S extends `${infer H} ${infer T}` ? H | Words<T> : S;

/**
 * `S` when its words are exactly the keys of `T` (with `Also`'s, listed elsewhere), else `never`: a list of known keys
 * checked by the compiler (`LIST satisfies KeyWords<ClientOptions, typeof LIST>`), so it cannot drift from the type.
 * A string costs the bundle fewer bytes than an object of `key: true`.
 */
export type KeyWords<T, S extends string, Also = never> = [Words<S> | Also] extends [keyof T]
  ? [Required<{ [K in keyof T]: K }>[keyof T]] extends [Words<S> | Also]
    ? S
    : never
  : never;

/** The keys of `subscribe()`'s and `request()`'s options, derived from their types (see {@link KeyWords}). */
const KNOWN_SUBSCRIBE = 'filters since bufferSize overflow';
KNOWN_SUBSCRIBE satisfies KeyWords<SubscribeOptions<string>, typeof KNOWN_SUBSCRIBE>;
const KNOWN_REQUEST = 'timeout signal';
KNOWN_REQUEST satisfies KeyWords<RequestOptions, typeof KNOWN_REQUEST>;

/** Throws an `OptionsError` naming an unknown key of `subscribe()`'s options, or a bad `since`, `bufferSize` or `overflow`. */
export function checkSubscribeOptions(options: SubscribeOptions<string>): void {
  const { since, bufferSize, overflow } =
    optionObject('subscribe options', options, KNOWN_SUBSCRIBE.split(' '), 'subscribe option') ?? {};
  if (since !== undefined) {
    const seq = typeof since === 'number' && Number.isSafeInteger(since) && since >= 0;
    const time = typeof since === 'string' && /^\d{4}-\d\d-\d\dT/.test(since) && !Number.isNaN(Date.parse(since));
    if (!seq && !time) fail('since', words ? 'a seq (an integer >= 0) or an ISO time' : 'a seq or an ISO time', since);
  }
  if (bufferSize !== undefined) num('bufferSize', bufferSize, 0, true, true);
  if (overflow !== undefined) oneOf('overflow', overflow, ['error', 'drop-oldest']);
}

/**
 * Throws an `OptionsError` naming an unknown key of `request()`'s options, or a `signal` that is not an
 * AbortSignal (was a TypeError, and then one for its answer too); `timeout` is checked where it is used.
 */
export function checkRequestOptions(options: RequestOptions | undefined): void {
  const { signal } = optionObject('request options', options, KNOWN_REQUEST.split(' '), 'request option') ?? {};
  withMethods('signal', signal, 'addEventListener', 'an AbortSignal');
}

/**
 * `headers`, each checked where `ws` would only throw a TypeError later: a name is an RFC 7230 token; a value is
 * visible ASCII, obs-text, space and tab (never CR, LF or NUL). The error names the header, never its value: it may
 * be a secret.
 */
export function checkHeaders(headers: unknown): Record<string, string> | undefined {
  if (headers === undefined) return undefined;
  // what it got by its kind only, like every header value: it may be a secret
  if (kind(headers) !== 'an object')
    fail(
      words
        ? `headers must be an object of header name: string value, got ${kind(headers)}`
        : `headers: ${kind(headers)}`,
    );
  for (const [name, value] of Object.entries(headers as object))
    if (typeof value !== 'string')
      fail(
        words
          ? `headers[${JSON.stringify(name)}] must be a string, got ${kind(value)}`
          : `headers[${JSON.stringify(name)}]: ${kind(value)}`,
      );
  // the names and values are checked where they can be sent: by `ws`, in Node (elsewhere, refused)
  const wrong = platform.checkHeaders(headers as Record<string, string>);
  if (wrong) fail(wrong);
  return headers as Record<string, string>;
}

/**
 * The url, http(s) turned into ws(s); else an `OptionsError` with what it got, and the fix when it is `host:port`
 * without a scheme (its host reads as one).
 */
export function parseUrl(input: unknown): string {
  if (input == null) fail(URL_REQUIRED);
  const text = String(input);
  let url: URL | undefined;
  try {
    url = new URL(text.replace(/^(\s*)http/i, '$1ws')); // the URL parser drops the spaces around it
  } catch {}
  if (!url || !/^wss?:$/.test(url.protocol) || url.hash)
    fail(
      words
        ? `url must be an absolute ws:// or wss:// URL without a #fragment, got ${shown(redacted(text))}${/^[\w.-]+:\d+(\/|$)/.test(text) ? ` (did you mean "ws://${redacted(text)}"?)` : ''}`
        : `url: ${shown(redacted(text))}`,
    );
  return url.toString();
}

/** A URL as a message may show it: its credentials and query (where tokens travel) left out. */
const redacted = (text: string): string => text.replace(/\/\/[^/?#]*@/, '//…@').replace(/\?[^#]*/, '?…');

/** The message of `createClient()` without options, or without a `url`. */
const URL_REQUIRED = words ? "url is required: createClient({ url: 'wss://…' })" : 'url is required';

/**
 * Refuses options that are not an object: nothing, or the URL alone as other SDKs take it (the fix shown, the URL
 * without its query: a token?).
 */
export function checkGiven(options: unknown): void {
  if (typeof options === 'string' || options instanceof URL) {
    const given = JSON.stringify(redacted(String(options)));
    fail(words ? `createClient takes options: createClient({ url: ${given} })` : `options: ${given}`);
  }
  if (typeof options !== 'object' || options === null) fail(URL_REQUIRED);
}

/**
 * `value` when it is absent (undefined or null) or has a function under each of `methods` (a clock, a codec, signals); else an
 * `OptionsError` naming them: `clock must be an object with now, setTimeout, clearTimeout, got 5` (was a
 * TypeError from deep inside at construction, or a DecodeError on every frame for a codec).
 */
export function withMethods<T>(name: string, value: T, methods: string, rule?: string): T {
  for (const method of methods.split(' '))
    if (value != null && typeof (value as Record<string, unknown>)[method] !== 'function')
      fail(name, rule ?? `an object with ${methods.replaceAll(' ', ', ')}`, value);
  return value;
}
