/**
 * The checks of option values, each throwing an `OptionsError` that names the option: used by
 * `resolveOptions` (src/options.ts), where the option types and their lists of known keys live.
 */
import { OptionsError } from './errors/errors.js';

/** The names of an options object's keys, every one present: a key the type lacks, or one left out, is a type error. */
export type KeysOf<T> = { readonly [K in keyof Required<T>]: true };

/**
 * Refuses keys that `known` does not list, naming them with their path (`heartbeat.intervl`): a misspelled option
 * is an error at any depth, never a default silently kept. Values that are not objects are left to the checks
 * that follow.
 */
export function refuseUnknown(path: string, value: unknown, known: Readonly<Record<string, true>>): void {
  if (typeof value !== 'object' || value === null) return;
  const unknown = Object.keys(value).filter((key) => !Object.hasOwn(known, key));
  if (unknown.length > 0)
    throw new OptionsError(
      `unknown option${unknown.length > 1 ? 's' : ''}: ${unknown.map((key) => path + key).join(', ')}`,
    );
}

/** A nested options object (`backoff`, `heartbeat`): undefined, or an object with known keys only. */
export function optionObject<T extends object>(
  name: string,
  value: T | undefined,
  known: Readonly<Record<string, true>>,
): T | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new OptionsError(`${name} must be an object, got ${JSON.stringify(value)}`);
  refuseUnknown(`${name}.`, value, known);
  return value;
}

export function checkHeaders(headers: unknown): Record<string, string> | undefined {
  if (headers === undefined) return undefined;
  if (typeof headers !== 'object' || headers === null || Object.values(headers).some((v) => typeof v !== 'string'))
    throw new OptionsError('headers must be an object of header name: string value');
  if (typeof process === 'undefined' || typeof process.versions?.node !== 'string')
    throw new OptionsError('headers are for Node (ws); browsers send their cookies by themselves');
  return headers as Record<string, string>;
}

export function parseUrl(input: unknown): string {
  let url: URL;
  try {
    url = new URL(String(input));
  } catch {
    throw new OptionsError(`url must be an absolute ws:// or wss:// URL, got ${JSON.stringify(String(input))}`);
  }
  if (url.protocol === 'http:') url.protocol = 'ws:';
  else if (url.protocol === 'https:') url.protocol = 'wss:';
  if (url.protocol !== 'ws:' && url.protocol !== 'wss:') {
    throw new OptionsError(`url must start with ws:// or wss://, got ${url.protocol}//`);
  }
  if (url.hash) throw new OptionsError(`url must not have a #fragment (WebSocket URLs cannot), got ${url.hash}`);
  return url.toString();
}

export function oneOf<T extends string>(name: string, value: T, allowed: readonly T[]): T {
  if (!allowed.includes(value))
    throw new OptionsError(
      `${name} must be ${allowed.map((a) => `'${a}'`).join(' or ')}, got ${JSON.stringify(value)}`,
    );
  return value;
}

export function nonNegative(name: string, value: number): number {
  if (typeof value !== 'number' || !(value >= 0)) throw new OptionsError(`${name} must be a number >= 0, got ${value}`);
  return value;
}

export function positive(name: string, value: number): number {
  if (typeof value !== 'number' || !(value > 0)) throw new OptionsError(`${name} must be a number > 0, got ${value}`);
  return value;
}
