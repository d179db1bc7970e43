/**
 * The checks of option values, each throwing an `OptionsError` that names the option: used by
 * `resolveOptions` (src/options.ts), where the client's option types and their lists of known
 * keys live, and by the client for the options of `subscribe()` and `request()` (listed here).
 */
import { platform } from '#platform';
import type { RequestOptions } from './core/outbox/requests.js';
import type { SubscribeOptions } from './core/streams/subscription.js';
import { OptionsError } from './errors/errors.js';
import { closest } from './protocol/suggest.js';

/**
 * An options object's keys, every one present (their values are free: `true`, or a default): a key the type
 * lacks, or one left out, is a type error.
 */
export type KeysOf<T> = { readonly [K in keyof Required<T>]: unknown };

/**
 * Refuses keys that `known` does not list, naming them with their path (`heartbeat.intervl`) and the nearest known
 * key (`did you mean heartbeat.interval?`): a misspelled option is an error at any depth, never a default silently
 * kept. Values that are not objects are left to the checks that follow.
 */
export function refuseUnknown(
  path: string,
  value: unknown,
  known: Readonly<Record<string, unknown>>,
  what = 'option',
): void {
  if (typeof value !== 'object' || value === null) return;
  const keys = Object.keys(known);
  const unknown = Object.keys(value)
    .filter((key) => !Object.hasOwn(known, key))
    .map((key) => {
      const near = closest(key, keys);
      return path + key + (near === undefined ? '' : ` (did you mean ${path}${near}?)`);
    });
  if (unknown.length > 0) fail(`unknown ${what}${unknown.length > 1 ? 's' : ''}: ${unknown.join(', ')}`);
}

/** A nested options object (`backoff`, `heartbeat`): undefined, or an object with known keys only. */
export function optionObject<T extends object>(
  name: string,
  value: T | undefined,
  known: Readonly<Record<string, unknown>>,
  what?: string,
): T | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    fail(`${name} must be an object, got ${JSON.stringify(value)}`);
  refuseUnknown(what ? '' : `${name}.`, value, known, what);
  return value;
}

/** The keys of `subscribe()`'s and `request()`'s options, derived from their types (see {@link KeysOf}). */
const KNOWN_SUBSCRIBE = { filters: true, since: true, bufferSize: true, overflow: true } as const satisfies KeysOf<
  SubscribeOptions<string>
>;
const KNOWN_REQUEST = { timeout: true, signal: true } as const satisfies KeysOf<RequestOptions>;

/** Throws an `OptionsError` naming an unknown key of `subscribe()`'s options, or a bad `since`, `bufferSize` or `overflow`. */
export function checkSubscribeOptions(options: SubscribeOptions<string>): void {
  const { since, bufferSize, overflow } =
    optionObject('subscribe options', options, KNOWN_SUBSCRIBE, 'subscribe option') ?? {};
  if (since !== undefined) {
    const seq = typeof since === 'number' && Number.isSafeInteger(since) && since >= 0;
    const time = typeof since === 'string' && /^\d{4}-\d\d-\d\dT/.test(since) && !Number.isNaN(Date.parse(since));
    if (!seq && !time) fail(`since must be a seq (an integer >= 0) or an ISO time, got ${JSON.stringify(since)}`);
  }
  if (bufferSize !== undefined) num('bufferSize', bufferSize, 0, true, true);
  if (overflow !== undefined) oneOf('overflow', overflow, ['error', 'drop-oldest']);
}

/** Throws an `OptionsError` naming an unknown key of `request()`'s options (its values are checked where they are used). */
export function checkRequestOptions(options: RequestOptions | undefined): void {
  optionObject('request options', options, KNOWN_REQUEST, 'request option');
}

export function checkHeaders(headers: unknown): Record<string, string> | undefined {
  if (headers === undefined) return undefined;
  if (typeof headers !== 'object' || headers === null || Object.values(headers).some((v) => typeof v !== 'string'))
    fail('headers must be an object of header name: string value');
  // the names and values are checked where they can be sent: by `ws`, in Node
  const wrong = platform.checkHeaders
    ? platform.checkHeaders(headers as Record<string, string>)
    : 'headers are for Node (ws); browsers send their cookies by themselves';
  if (wrong) fail(wrong);
  return headers as Record<string, string>;
}

/** A refused url as given, with the fix when it is `host:port` without a scheme. */
const said = (input: unknown) => {
  const text = String(input);
  const bare = /^[\w.-]+:\d+(\/|$)/.test(text); // `localhost:8080`: its host reads as a scheme
  return `${JSON.stringify(text)}${bare ? ` (did you mean "ws://${text}"?)` : ''}`;
};

export function parseUrl(input: unknown): string {
  if (input === undefined || input === null) fail(URL_REQUIRED);
  let url: URL;
  try {
    url = new URL(String(input));
  } catch {
    fail(`url must be an absolute ws:// or wss:// URL, got ${said(input)}`);
  }
  if (url.protocol === 'http:') url.protocol = 'ws:';
  else if (url.protocol === 'https:') url.protocol = 'wss:';
  if (url.protocol !== 'ws:' && url.protocol !== 'wss:') {
    fail(`url must start with ws:// or wss://, got ${said(input)}`);
  }
  if (url.hash) fail(`url must not have a #fragment (WebSocket URLs cannot), got ${url.hash}`);
  return url.toString();
}

/** The message of `createClient()` without options, or without a `url`. */
export const URL_REQUIRED = "url is required: createClient({ url: 'wss://…' })";

/** Throws an `OptionsError` with this message: one place that says how every option check fails. */
export function fail(message: string): never {
  throw new OptionsError(message);
}

/** `value` when it is one of `allowed`; else an `OptionsError` listing them (`acks must be 'auto' or 'manual', got "x"`). */
export function oneOf<T extends string>(name: string, value: T, allowed: readonly T[]): T {
  if (!allowed.includes(value))
    fail(`${name} must be ${allowed.map((a) => `'${a}'`).join(' or ')}, got ${JSON.stringify(value)}`);
  return value;
}

/**
 * `value` when it is absent or of `type`; else an `OptionsError` saying so: `lazy must be a boolean,
 * got 1` (a `1` would have counted as true, a `'true'` for `compression` as false, without a word).
 */
export function typed<T>(name: string, value: T, type: 'boolean' | 'function'): T {
  if (value !== undefined && typeof value !== type) fail(`${name} must be a ${type}, got ${JSON.stringify(value)}`);
  return value;
}

/**
 * `value` when it is a number (an integer when `integer`) at least `min`, or over it when `over`; else an
 * `OptionsError` saying so: `maxDepth must be a number > 0, got -1`, `batchSize must be an integer >= 1, got 0`.
 */
export function num(name: string, value: unknown, min: number, over = false, integer = false): number {
  if (typeof value !== 'number' || !(over ? value > min : value >= min) || (integer && !Number.isInteger(value)))
    fail(`${name} must be ${integer ? 'an integer' : 'a number'} ${over ? '>' : '>='} ${min}, got ${String(value)}`);
  return value as number;
}
