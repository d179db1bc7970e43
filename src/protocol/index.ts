/**
 * `eventwire/protocol`: the wire protocol's zod schemas and types, for server authors and
 * for tests. Kept off the main entry so that browser bundles do not carry zod for it.
 */
export * from './close-codes.js';
export type { EventwireEvent } from './event.js';
export {
  type FilterPredicate,
  type FilterScalar,
  type Filters,
  parseFilters,
} from './filters.js';
export { compileFilters } from './filters-checked.js';
export * from './schemas.js';
export type { StandardSchemaV1 } from './standard-schema.js';
export type * from './types.js';
