/**
 * The filter language of subscriptions, shared by the client (which routes each event to
 * the subscriptions it matches) and the reference server (which sends the union), so the
 * two agree by construction.
 *
 * - A key is a dot path into the event's `data` (`task.host`); a path that starts with
 *   `metadata.` reaches `metadata` instead.
 * - A scalar value (string, number, boolean, null) means equality.
 * - An array means "one of"; an empty one is refused (it would match nothing).
 * - The key `since` is a lower bound (inclusive): an ISO 8601 string bounds `timestamp`,
 *   a number bounds `seq`.
 * - Path segments `__proto__`, `constructor` and `prototype` are rejected, and lookups read
 *   own properties only, so a filter can neither reach nor pollute a prototype.
 */
import { words } from '#words';
import { FilterError } from '../errors/errors.js';
import type { StandardSchemaV1 } from './standard-schema.js';
import { closest } from './suggest.js';

/** A value a filter compares with. @example `'Running'` */
export type FilterScalar = string | number | boolean | null;

/**
 * Subscription filters. @example `{ status: ['Running', 'Failed'], level: 'ERROR', since: '2026-11-22T09:00:00Z' }`
 */
export type Filters = Record<string, FilterScalar | FilterScalar[]>;

/**
 * The filter keys of events whose data is `D`: the dot paths of its fields (objects nested up to 8 segments;
 * any sub-path of an array, a record or an `unknown` field), `metadata.…` and `since`. Any string when `D` is
 * `unknown` (no schema). `subscribe()` of a typed client takes these keys only, so a misspelled key is a
 * compile error.
 * @example `const key: FilterKey<{ level: string; task: { host: string } }> = 'task.host'`
 */
export type FilterKey<D> = unknown extends D
  ? string
  : DataPath<D, [0, 0, 0, 0, 0, 0, 0]> | `metadata.${string}` | 'since';

/** The dot paths into `D`, at most `Depth`'s length + 1 segments deep. */
type DataPath<D, Depth extends unknown[]> = D extends readonly unknown[]
  ? string
  : D extends object
    ? {
        [K in keyof D & string]-?: unknown extends D[K]
          ? K | `${K}.${string}`
          : K | (Depth extends [unknown, ...infer Rest] ? `${K}.${DataPath<NonNullable<D[K]>, Rest>}` : never);
      }[keyof D & string]
    : never;

/**
 * Filters whose keys are `Key`s (see {@link FilterKey}); {@link Filters} when any string is a key.
 * @example `const f: FiltersOf<'level' | 'since'> = { level: ['WARN', 'ERROR'] }`
 */
export type FiltersOf<Key extends string> = string extends Key
  ? Filters
  : { readonly [P in Key]?: FilterScalar | FilterScalar[] };

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
  if (segments.length > MAX_DEPTH)
    return words ? `a path has at most ${MAX_DEPTH} segments` : `over ${MAX_DEPTH} segments`;
  if (segments.some((s) => s.length === 0)) return 'empty path segment';
  const bad = segments.find((s) => FORBIDDEN.has(s));
  if (bad) return words ? `${bad} is not allowed in a path` : `${bad} in path`;
  return undefined;
}

/** @internal Why a filter's `since` is refused, if it is. */
export function sinceProblem(filters: Record<string, unknown>): string | undefined {
  if (!Object.hasOwn(filters, 'since')) return undefined;
  const since = filters.since;
  if (typeof since === 'number')
    return Number.isInteger(since) && since >= 0
      ? undefined
      : words
        ? 'a seq must be an integer >= 0'
        : 'seq: integer >= 0';
  if (typeof since === 'string') return Number.isNaN(Date.parse(since)) ? 'not an ISO 8601 time' : undefined;
  return words ? 'must be an ISO time string or a seq number' : 'ISO time or seq';
}

/** @internal What a filter value may be. */
export const VALUE_RULE = words
  ? `must be a string, finite number, boolean or null, or an array of 1 to ${MAX_CHOICES} of them`
  : `scalar or 1 to ${MAX_CHOICES} scalars`;

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
    throw new FilterError(
      words ? 'filters must be an object of key: value or key: [values]' : 'filters: not an object',
    );
  }
  const keys = Object.keys(input);
  const filters: Filters = {};
  for (const key of keys) {
    const problem = keyProblem(key);
    if (problem) throw new FilterError(`filter key ${JSON.stringify(key)}: ${problem}`);
    const value = (input as Record<string, unknown>)[key];
    if (isScalar(value)) filters[key] = value;
    else if (Array.isArray(value) && value.length > 0 && value.length <= MAX_CHOICES && value.every(isScalar))
      filters[key] = [...value];
    else {
      // `[]` was kept, and no event ever matched it: a silent empty stream
      const rule =
        Array.isArray(value) && value.length === 0
          ? words
            ? '[] matches nothing: omit the key'
            : '[] matches nothing'
          : VALUE_RULE;
      throw new FilterError(`filter key ${JSON.stringify(key)}: ${rule}`);
    }
  }
  if (keys.length > MAX_KEYS)
    throw new FilterError(words ? `at most ${MAX_KEYS} filter keys` : `over ${MAX_KEYS} keys`);
  const since = sinceProblem(filters);
  if (since) throw new FilterError(`filter key "since": ${since}`);
  return filters;
}

/** What a JSON Schema (draft 2020-12 or 07) says of an object, as far as filter keys go. */
interface JsonShape {
  type?: unknown;
  properties?: Record<string, unknown>;
  additionalProperties?: unknown;
  patternProperties?: unknown;
  anyOf?: unknown;
  oneOf?: unknown;
}

/** The output JSON Schema of each Standard Schema, or null when it gives none (computed once per schema). */
const shapes = new WeakMap<object, JsonShape | null>();

function shapeOf(schema: StandardSchemaV1): JsonShape | null {
  let shape = shapes.get(schema);
  if (shape === undefined) {
    try {
      // Standard JSON Schema (standardschema.dev/json-schema): the validated data, the data filters read
      const convert = (schema['~standard'] as { jsonSchema?: { output?: (o: { target: string }) => unknown } })
        .jsonSchema?.output;
      const json = convert?.({ target: 'draft-2020-12' });
      shape = typeof json === 'object' && json !== null ? (json as JsonShape) : null;
    } catch {
      shape = null; // a schema with a transform, a date…: it has no JSON Schema, its keys go unchecked
    }
    shapes.set(schema, shape);
  }
  return shape;
}

/**
 * Where `path` leaves the fields a JSON Schema allows: the keys it could have meant there (`task.host` for
 * `task.hots`; none under a scalar), or undefined when the path may exist (a known field, an object open to
 * other keys, an array, a shape not known here).
 */
function strayFrom(shape: unknown, path: readonly string[], at: number): string[] | undefined {
  if (at === path.length || typeof shape !== 'object' || shape === null) return undefined;
  const { type, properties = {}, additionalProperties, patternProperties, anyOf, oneOf } = shape as JsonShape;
  const branches = anyOf ?? oneOf;
  if (Array.isArray(branches)) {
    const strays = branches.map((branch) => strayFrom(branch, path, at));
    return strays.includes(undefined) ? undefined : (strays.flat() as string[]);
  }
  const types: unknown[] = Array.isArray(type) ? type : [type];
  if (!types.includes('object')) return types.some((t) => t === undefined || t === 'array') ? undefined : [];
  const key = path[at] as string;
  if (Object.hasOwn(properties, key)) return strayFrom(properties[key], path, at + 1);
  if (additionalProperties !== false || patternProperties !== undefined) return undefined;
  return Object.keys(properties).map((field) => [...path.slice(0, at), field].join('.'));
}

/**
 * Throws a {@link FilterError} for a key that no event of `names` can have: one that is not a field of the
 * data of any of them (nor `metadata.…` or `since`), when every one has a schema that gives its JSON Schema
 * (Standard JSON Schema: `~standard.jsonSchema`, as zod 4's `zod` has; `zod/mini` has not). Otherwise the keys
 * are not checked at run time (a typed client's are at compile time, see {@link FilterKey}).
 *
 * @example `checkFilterKeys({ levle: 'ERROR' }, ['LogEntry'], schemas) // FilterError: … did you mean "level"?`
 */
export function checkFilterKeys(
  filters: Filters,
  names: readonly string[],
  schemas: ReadonlyMap<string, StandardSchemaV1> | undefined,
): void {
  const known: JsonShape[] = [];
  for (const name of names) {
    const schema = name === '*' ? undefined : schemas?.get(name);
    const shape = schema && shapeOf(schema);
    if (!shape) return;
    known.push(shape);
  }
  if (known.length === 0) return;
  for (const key of Object.keys(filters)) {
    if (key === 'since' || key.startsWith('metadata.')) continue;
    const path = key.split('.');
    const strays = known.map((shape) => strayFrom(shape, path, 0));
    if (strays.includes(undefined)) continue;
    const near =
      path[0] === 'data' && known.some((shape) => !strayFrom(shape, path, 1))
        ? path.slice(1).join('.')
        : closest(key, strays.flat() as string[]);
    throw new FilterError(
      words
        ? `filter key ${JSON.stringify(key)} is not in the data of ${names.join(' or ')}${near ? ` (did you mean ${JSON.stringify(near)}?)` : ''}: a key is a path into data, metadata.… or since`
        : `filter key ${JSON.stringify(key)} not in ${names.join(' or ')}${near ? ` (${JSON.stringify(near)}?)` : ''}`,
    );
  }
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
  // one closure per key, each made apart: none holds this function's scope (nor `checks`)
  const checks = Object.keys(filters).map((key) =>
    key === 'since'
      ? sinceCheck(filters[key] as string | number)
      : fieldCheck(key, filters[key] as FilterScalar | FilterScalar[]),
  );
  if (checks.length === 0) return () => true;
  if (checks.length === 1) return checks[0] as FilterPredicate;
  return (event) => {
    for (const check of checks) if (!check(event)) return false;
    return true;
  };
}

/** Choices up to this many are looked up in their array (as fast, and no Set to keep per subscription). */
const FEW_CHOICES = 8;

/**
 * One key's check: a key of one segment (the common case) reads its field without a path walk.
 * The closure keeps only what it reads: the field's name alone for one segment, and a Set only
 * for many choices (a few are looked up in an array, as fast).
 */
function fieldCheck(key: string, expected: FilterScalar | FilterScalar[]): FilterPredicate {
  const segments = key.split('.');
  const metadata = segments[0] === 'metadata' && segments.length > 1;
  const path = metadata ? segments.slice(1) : segments;
  const where: string | string[] = path.length === 1 ? (path[0] as string) : path;
  // a copy either way: what the caller's arrays become later does not change what matches
  const choices = !Array.isArray(expected)
    ? undefined
    : expected.length > FEW_CHOICES
      ? new Set<unknown>(expected)
      : expected.slice();
  return (event) => {
    const root = metadata ? event.metadata : event.data;
    const value = typeof where === 'string' ? readField(root, where) : readPath(root, where);
    if (choices === undefined) return value === expected;
    return Array.isArray(choices) ? choices.includes(value as FilterScalar) : choices.has(value);
  };
}

function sinceCheck(since: string | number): FilterPredicate {
  if (typeof since === 'number') return (event) => typeof event.seq === 'number' && event.seq >= since;
  const bound = Date.parse(since);
  return (event) => typeof event.timestamp === 'string' && Date.parse(event.timestamp) >= bound;
}

function readPath(root: unknown, path: readonly string[]): unknown {
  let value = root;
  for (const segment of path) value = readField(value, segment);
  return value;
}

/** An own property of an object (never one of its prototype's), else undefined. */
function readField(value: unknown, key: string): unknown {
  return typeof value === 'object' && value !== null && Object.hasOwn(value, key)
    ? (value as Record<string, unknown>)[key]
    : undefined;
}

/**
 * Whether an event is one a subscription asked for: its name is in `events` (an empty list
 * or `'*'` means all) and it passes the filters.
 * @example `subscriptionMatches(new Set(['LogEntry']), compileFilters({}), ev.event_type, ev)`
 */
export function subscriptionMatches(
  events: ReadonlySet<string>,
  predicate: FilterPredicate,
  name: string,
  event: FilterableEvent,
): boolean {
  return (events.size === 0 || events.has('*') || events.has(name)) && predicate(event);
}
