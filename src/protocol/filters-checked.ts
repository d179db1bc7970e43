import { compileFilters as compile, type FilterPredicate, type Filters, parseFilters } from './filters.js';

/**
 * Compiles filters into a predicate, after checking them as `subscribe()` does (a `FilterError`
 * naming the bad key; it was a TypeError for null, and a predicate for a string or a nested
 * object). An empty object matches everything.
 * @example
 * ```ts
 * const match = compileFilters({ status: ['Running', 'Failed'] });
 * match({ data: { status: 'Failed' } }); // true
 * ```
 */
export const compileFilters = (filters: Filters): FilterPredicate => compile(parseFilters(filters ?? undefined));
