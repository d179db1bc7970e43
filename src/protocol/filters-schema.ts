/**
 * The zod schema of subscription filters, for server authors (`eventwire/protocol`). The
 * client validates filters with the hand-written `parseFilters`, which a property test keeps
 * equal to this schema, so that the core carries no zod.
 */
import * as z from 'zod/v4/mini'; // zod 4, or zod 3.25's copy of it: the peer range takes both
import { keyProblem, MAX_CHOICES, MAX_KEYS, sinceProblem, VALUE_RULE } from './filters.js';

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
    z.union([scalar, z.array(scalar).check(z.minLength(1), z.maxLength(MAX_CHOICES))], {
      error: VALUE_RULE,
    }),
  )
  .check(
    z.refine((filters) => Object.keys(filters).length <= MAX_KEYS, `at most ${MAX_KEYS} filter keys`),
    z.refine((filters) => sinceProblem(filters) === undefined, {
      error: (issue) => `filter key "since": ${sinceProblem(issue.input as Record<string, unknown>)}`,
    }),
  );
