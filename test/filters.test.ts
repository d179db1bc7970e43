import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compileFilters, parseFilters } from '../src/protocol/filters.js';
import { FiltersSchema } from '../src/protocol/filters-schema.js';

const ev = (data: unknown, extra: Record<string, unknown> = {}) => ({
  timestamp: '2026-11-22T10:00:00.000Z',
  seq: 10,
  data,
  metadata: { region: 'eu', tier: { name: 'gold' } },
  ...extra,
});

describe('filter language', () => {
  it('scalar equality, one-of arrays, dot paths, metadata paths', () => {
    const match = compileFilters(
      parseFilters({ status: ['Running', 'Failed'], 'task.host': 'db-01', 'metadata.tier.name': 'gold' }),
    );
    expect(match(ev({ status: 'Failed', task: { host: 'db-01' } }))).toBe(true);
    expect(match(ev({ status: 'Done', task: { host: 'db-01' } }))).toBe(false);
    expect(match(ev({ status: 'Failed', task: { host: 'web-02' } }))).toBe(false);
    expect(match(ev({ status: 'Failed' }))).toBe(false); // a missing path matches nothing
    expect(match(ev({ status: 'Failed', task: { host: 'db-01' } }, { metadata: { tier: { name: 'free' } } }))).toBe(
      false,
    );
  });

  it('equality is strict: 1 is not "1", null matches only null', () => {
    expect(compileFilters({ n: 1 })(ev({ n: '1' }))).toBe(false);
    expect(compileFilters({ n: null })(ev({ n: null }))).toBe(true);
    expect(compileFilters({ n: null })(ev({}))).toBe(false);
  });

  it('since bounds the timestamp (ISO) or the seq (number), inclusively', () => {
    expect(compileFilters({ since: '2026-11-22T10:00:00Z' })(ev({}))).toBe(true);
    expect(compileFilters({ since: '2026-11-22T10:00:01Z' })(ev({}))).toBe(false);
    expect(compileFilters({ since: 10 })(ev({}))).toBe(true);
    expect(compileFilters({ since: 11 })(ev({}))).toBe(false);
  });

  it('reads own properties only: no prototype is reachable', () => {
    expect(compileFilters({ 'a.toString': 'x' })(ev({ a: {} }))).toBe(false);
    expect(compileFilters({ hasOwnProperty: 'x' })(ev({}))).toBe(false);
  });

  it('an empty filter matches everything', () => {
    expect(compileFilters(parseFilters(undefined))(ev(null))).toBe(true);
  });

  it('parseFilters and the zod schema agree on every input', () => {
    const value = fc.oneof(
      fc.string(),
      fc.double(),
      fc.boolean(),
      fc.constant(null),
      fc.array(fc.string(), { maxLength: 3 }),
      fc.object(),
    );
    const key = fc.oneof(fc.string(), fc.constantFrom('__proto__', 'a.constructor', 'since', 'a..b', 'metadata.x'));
    fc.assert(
      fc.property(fc.dictionary(key, value, { maxKeys: 4 }), (filters) => {
        let accepted = true;
        try {
          parseFilters(filters);
        } catch {
          accepted = false;
        }
        const schemaAccepts = FiltersSchema.safeParse(filters).success;
        // parseFilters is the schema plus an own-key check (a literal __proto__ key is invisible to the schema)
        if (accepted) expect(schemaAccepts).toBe(true);
        if (schemaAccepts && !Object.keys(filters).some((k) => k.split('.').includes('__proto__')))
          expect(accepted).toBe(true);
      }),
      { numRuns: 2_000 },
    );
  });
});
