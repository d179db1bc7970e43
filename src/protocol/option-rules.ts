/**
 * The rules every option check is written with, each throwing an `OptionsError` that names the
 * option: unknown keys with the nearest known one, an object, a number in range, and the one
 * formatter of a refusal. Here, below the dialects, so that a dialect's factory checks its
 * options (`querri({ pingIntervall })`) as the client checks its own (src/options-check.ts).
 */
import { words } from '#words';
import { kind } from '../errors/base.js';
import { OptionsError } from '../errors/errors.js';
import { closest } from './suggest.js';

/**
 * Refuses keys that `known` does not list, naming them with their path (`heartbeat.intervl`) and the nearest known
 * key (`did you mean heartbeat.interval?`): a misspelled option is an error at any depth, never a default silently
 * kept. Values that are not objects are left to the checks that follow.
 */
export function refuseUnknown(path: string, value: unknown, known: readonly string[], what = 'option'): void {
  if (typeof value !== 'object' || value === null) return;
  const unknown = Object.keys(value)
    .filter((key) => !known.includes(key))
    .map((key) => {
      // the nearest known key is a hint: a production bundle names the unknown one alone
      const near = words ? closest(key, known) : undefined;
      return path + key + (near === undefined ? '' : ` (did you mean ${path}${near}?)`);
    });
  if (unknown.length > 0) fail(`unknown ${what}${unknown.length > 1 ? 's' : ''}: ${unknown.join(', ')}`);
}

/** A nested options object (`backoff`, `heartbeat`): undefined, or an object with known keys only. */
export function optionObject<T extends object>(
  name: string,
  value: T | undefined,
  known: readonly string[],
  what?: string,
): T | undefined {
  if (value === undefined) return undefined;
  if (kind(value) !== 'an object') fail(name, 'an object', value);
  refuseUnknown(what ? '' : `${name}.`, value, known, what);
  return value;
}

/**
 * Throws an `OptionsError`: one place that says how every option check fails. With a rule, the
 * message is `option must be rule, got value` (see {@link OptionsError}).
 */
export function fail(message: string, rule?: string, got?: unknown): never {
  throw new OptionsError(message, rule, got);
}

/**
 * `value` when it is a number (an integer when `integer`) at least `min`, or over it when `over`; else an
 * `OptionsError` saying so: `maxDepth must be a number > 0, got -1`, `batchSize must be an integer >= 1, got 0`.
 */
export function num(name: string, value: unknown, min: number, over = false, integer = false): number {
  if (typeof value !== 'number' || !(over ? value > min : value >= min) || (integer && !Number.isInteger(value)))
    fail(name, `${integer ? 'an integer' : 'a number'} ${over ? '>' : '>='} ${min}`, value);
  return value as number;
}

/** `value` when it is one of `allowed`; else an `OptionsError` listing them (`acks must be 'auto' or 'manual', got "x"`). */
export function oneOf<T extends string>(name: string, value: T, allowed: readonly T[]): T {
  if (!allowed.includes(value)) fail(name, `'${allowed.join("' or '")}'`, value);
  return value;
}

/**
 * `value` when it is absent or of `type`; else an `OptionsError` saying so: `lazy must be a boolean,
 * got 1` (a `1` would have counted as true, a `'true'` for `compression` as false, without a word).
 */
export function typed<T>(name: string, value: T, type: 'boolean' | 'function'): T {
  if (value !== undefined && typeof value !== type) fail(name, `a ${type}`, value);
  return value;
}

/** @internal A string given as options is often the token meant for createClient(): its kind is said, never its text. */
export function secretless(name: string, options: unknown): void {
  if (typeof options === 'string')
    fail(
      words
        ? `${name}() options must be an object, got a string (the token is createClient()'s)`
        : `${name}() options: a string`,
    );
}
