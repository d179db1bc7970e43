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
import * as z from 'zod/mini';
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
const MAX_KEYS = 32;
const MAX_DEPTH = 8;
const MAX_CHOICES = 256;

const scalar = z.union([
  z.string(),
  z.number().check(z.refine(Number.isFinite, 'must be finite')),
  z.boolean(),
  z.null(),
]);

/**
 * The zod schema of {@link Filters}. Its messages name the offending key.
 * @example `FiltersSchema.safeParse({ level: 'ERROR' }).success // true`
 */
export const FiltersSchema = z
  .record(
    z.string().check(
      z.refine((key) => keyProblem(key) === undefined, {
        error: (issue) => `filter key ${JSON.stringify(issue.input)}: ${keyProblem(String(issue.input))}`,
      }),
    ),
    z.union([scalar, z.array(scalar).check(z.maxLength(MAX_CHOICES))], {
      error: `must be a string, finite number, boolean or null, or an array of at most ${MAX_CHOICES} of them`,
    }),
  )
  .check(
    z.refine((filters) => Object.keys(filters).length <= MAX_KEYS, `at most ${MAX_KEYS} filter keys`),
    z.refine((filters) => sinceProblem(filters) === undefined, {
      error: (issue) => `filter key "since": ${sinceProblem(issue.input as Record<string, unknown>)}`,
    }),
  );

function keyProblem(key: string): string | undefined {
  const segments = key.split('.');
  if (segments.length > MAX_DEPTH) return `a path has at most ${MAX_DEPTH} segments`;
  if (segments.some((s) => s.length === 0)) return 'empty path segment';
  const bad = segments.find((s) => FORBIDDEN.has(s));
  if (bad) return `${bad} is not allowed in a path`;
  return undefined;
}

function sinceProblem(filters: Record<string, unknown>): string | undefined {
  if (!Object.hasOwn(filters, 'since')) return undefined;
  const since = filters.since;
  if (typeof since === 'number')
    return Number.isInteger(since) && since >= 0 ? undefined : 'a seq must be an integer >= 0';
  if (typeof since === 'string') return Number.isNaN(Date.parse(since)) ? 'not an ISO 8601 time' : undefined;
  return 'must be an ISO time string or a seq number';
}

/**
 * Validates filters, throwing a {@link FilterError} that names the bad key.
 * @example `parseFilters({ 'metadata.region': 'eu' })`
 */
export function parseFilters(input: unknown): Filters {
  if (input === undefined) return {};
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    throw new FilterError('filters must be an object of key: value or key: [values]');
  }
  // Own keys first: a literal `__proto__` key is invisible to most checks.
  for (const key of Object.keys(input)) {
    const problem = keyProblem(key);
    if (problem) throw new FilterError(`filter key ${JSON.stringify(key)}: ${problem}`);
  }
  const result = FiltersSchema.safeParse(input);
  if (!result.success) {
    const issue = result.error.issues[0];
    const key = issue?.path[0];
    const message = issue?.message ?? 'invalid filters';
    throw new FilterError(
      key !== undefined && !message.startsWith('filter key')
        ? `filter key ${JSON.stringify(key)}: ${message}`
        : message,
    );
  }
  return result.data as Filters;
}

/** A compiled filter: one predicate, paths split once. */
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
