/**
 * The filter language of subscriptions, shared by the client (which routes each event to
 * the subscriptions it matches) and the reference server (which sends the union), so the
 * two agree by construction.
 *
 * - A key is a dot path into the event's `data` (`task.host`); a path that starts with
 *   `metadata.` reaches `metadata` instead.
 * - A scalar value (string, number, boolean, null) means equality.
 * - An array means "one of".
 * - The key `since` is a lower bound (inclusive): an ISO 8601 string bounds `timestamp`,
 *   a number bounds `seq`.
 * - Path segments `__proto__`, `constructor` and `prototype` are rejected, and lookups read
 *   own properties only, so a filter can neither reach nor pollute a prototype.
 */
import { FilterError } from '../errors/errors.js';

/** A value a filter compares with. @example `'Running'` */
export type FilterScalar = string | number | boolean | null;

/**
 * Subscription filters. @example `{ status: ['Running', 'Failed'], level: 'ERROR', since: '2026-11-22T09:00:00Z' }`
 */
export type Filters = Record<string, FilterScalar | FilterScalar[]>;

/** The parts of an event a filter reads. */
export interface FilterableEvent {
  timestamp?: unknown;
  seq?: unknown;
  data?: unknown;
  metadata?: unknown;
}

const FORBIDDEN = new Set(['__proto__', 'constructor', 'prototype']);
/** @internal Limits of a filter object, shared with the zod schema in `eventwire/protocol`. */
export const MAX_KEYS = 32;
const MAX_DEPTH = 8;
/** @internal */
export const MAX_CHOICES = 256;

/** @internal Why a filter key is refused, if it is. */
export function keyProblem(key: string): string | undefined {
  const segments = key.split('.');
  if (segments.length > MAX_DEPTH) return `a path has at most ${MAX_DEPTH} segments`;
  if (segments.some((s) => s.length === 0)) return 'empty path segment';
  const bad = segments.find((s) => FORBIDDEN.has(s));
  if (bad) return `${bad} is not allowed in a path`;
  return undefined;
}

/** @internal Why a filter's `since` is refused, if it is. */
export function sinceProblem(filters: Record<string, unknown>): string | undefined {
  if (!Object.hasOwn(filters, 'since')) return undefined;
  const since = filters.since;
  if (typeof since === 'number')
    return Number.isInteger(since) && since >= 0 ? undefined : 'a seq must be an integer >= 0';
  if (typeof since === 'string') return Number.isNaN(Date.parse(since)) ? 'not an ISO 8601 time' : undefined;
  return 'must be an ISO time string or a seq number';
}

/** @internal What a filter value may be. */
export const VALUE_RULE = `must be a string, finite number, boolean or null, or an array of at most ${MAX_CHOICES} of them`;

const isScalar = (v: unknown): v is FilterScalar =>
  typeof v === 'string' || typeof v === 'boolean' || v === null || (typeof v === 'number' && Number.isFinite(v));

/**
 * Validates filters, throwing a {@link FilterError} that names the bad key, and returns a
 * copy (later changes to the caller's object do not reach the subscription). Hand-written,
 * so that the core carries no schema library; a property test keeps it equal to
 * `FiltersSchema` of `eventwire/protocol`.
 *
 * @example `parseFilters({ 'metadata.region': 'eu' })`
 */
export function parseFilters(input: unknown): Filters {
  if (input === undefined) return {};
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    throw new FilterError('filters must be an object of key: value or key: [values]');
  }
  const keys = Object.keys(input);
  const filters: Filters = {};
  for (const key of keys) {
    const problem = keyProblem(key);
    if (problem) throw new FilterError(`filter key ${JSON.stringify(key)}: ${problem}`);
    const value = (input as Record<string, unknown>)[key];
    if (isScalar(value)) filters[key] = value;
    else if (Array.isArray(value) && value.length <= MAX_CHOICES && value.every(isScalar)) filters[key] = [...value];
    else throw new FilterError(`filter key ${JSON.stringify(key)}: ${VALUE_RULE}`);
  }
  if (keys.length > MAX_KEYS) throw new FilterError(`at most ${MAX_KEYS} filter keys`);
  const since = sinceProblem(filters);
  if (since) throw new FilterError(`filter key "since": ${since}`);
  return filters;
}

/** A compiled filter: one predicate, paths split once. @example `const match: FilterPredicate = compileFilters({ level: 'ERROR' })` */
export type FilterPredicate = (event: FilterableEvent) => boolean;

/**
 * Compiles validated filters into a predicate. An empty object matches everything.
 * @example
 * ```ts
 * const match = compileFilters({ status: ['Running', 'Failed'] });
 * match({ data: { status: 'Failed' } }); // true
 * ```
 */
export function compileFilters(filters: Filters): FilterPredicate {
  const checks: FilterPredicate[] = [];
  for (const key of Object.keys(filters)) {
    const expected = filters[key] as FilterScalar | FilterScalar[];
    if (key === 'since') {
      checks.push(sinceCheck(expected as string | number));
      continue;
    }
    const segments = key.split('.');
    const root = segments[0] === 'metadata' && segments.length > 1 ? 'metadata' : 'data';
    const path = root === 'metadata' ? segments.slice(1) : segments;
    const choices = Array.isArray(expected) ? new Set<unknown>(expected) : undefined;
    checks.push((event) => {
      const value = readPath(root === 'metadata' ? event.metadata : event.data, path);
      return choices ? choices.has(value) : value === expected;
    });
  }
  if (checks.length === 0) return () => true;
  if (checks.length === 1) return checks[0] as FilterPredicate;
  return (event) => {
    for (const check of checks) if (!check(event)) return false;
    return true;
  };
}

function sinceCheck(since: string | number): FilterPredicate {
  if (typeof since === 'number') return (event) => typeof event.seq === 'number' && event.seq >= since;
  const bound = Date.parse(since);
  return (event) => typeof event.timestamp === 'string' && Date.parse(event.timestamp) >= bound;
}

function readPath(root: unknown, path: readonly string[]): unknown {
  let value = root;
  for (const segment of path) {
    if (typeof value !== 'object' || value === null || !Object.hasOwn(value, segment)) return undefined;
    value = (value as Record<string, unknown>)[segment];
  }
  return value;
}

/**
 * Whether an event is one a subscription asked for: its name is in `events` (an empty list
 * or `'*'` means all) and it passes the filters.
 * @example `subscriptionMatches(['LogEntry'], compileFilters({}), ev)`
 */
export function subscriptionMatches(
  events: ReadonlySet<string>,
  predicate: FilterPredicate,
  name: string,
  event: FilterableEvent,
): boolean {
  return (events.size === 0 || events.has('*') || events.has(name)) && predicate(event);
}
