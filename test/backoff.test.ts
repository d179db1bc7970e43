import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { backoff, backoffCeiling, DEFAULT_BACKOFF } from '../src/advanced.js';

const policyArb = fc
  .record({
    minDelay: fc.double({ min: 0, max: 60_000, noNaN: true }),
    span: fc.double({ min: 0, max: 600_000, noNaN: true }),
    factor: fc.double({ min: 1, max: 10, noNaN: true }),
    jitter: fc.constantFrom('full' as const, 'equal' as const, 'none' as const),
  })
  .map(({ minDelay, span, factor, jitter }) => ({ minDelay, maxDelay: minDelay + span, factor, jitter }));

describe('backoff()', () => {
  it('stays inside its bounds for every policy, attempt and random value', () => {
    fc.assert(
      fc.property(
        policyArb,
        fc.integer({ min: 1, max: 10_000 }),
        fc.double({ min: 0, max: 1, noNaN: true, maxExcluded: true }),
        (policy, attempt, r) => {
          const d = backoff(attempt, policy, () => r);
          const ceiling =
            policy.minDelay === 0 ? 0 : Math.min(policy.maxDelay, policy.minDelay * policy.factor ** (attempt - 1));
          expect(Number.isFinite(d)).toBe(true);
          expect(d).toBeLessThanOrEqual(policy.maxDelay);
          expect(d).toBeLessThanOrEqual(ceiling + 1e-9);
          if (policy.jitter === 'full') expect(d).toBeGreaterThanOrEqual(0);
          if (policy.jitter === 'equal') expect(d).toBeGreaterThanOrEqual(ceiling / 2 - 1e-9);
          if (policy.jitter === 'none') expect(d).toBe(backoffCeiling(attempt, policy));
        },
      ),
      { numRuns: 5_000 },
    );
  });

  it('tolerates a random source outside [0, 1)', () => {
    for (const r of [-1, 1, 2, Number.NaN]) {
      const d = backoff(3, DEFAULT_BACKOFF, () => r);
      expect(d).toBeGreaterThanOrEqual(0);
      expect(d).toBeLessThanOrEqual(2000);
    }
  });

  it('a random source that gives no number (NaN, a string) waits the full delay, never none', () => {
    for (const r of [Number.NaN, 'x', undefined]) {
      expect(backoff(3, DEFAULT_BACKOFF, () => r as number)).toBe(2000); // was 0: ~500 attempts a second
      expect(backoff(3, { ...DEFAULT_BACKOFF, jitter: 'equal' }, () => r as number)).toBe(2000);
    }
  });

  it('grows by factor up to maxDelay (defaults: 500 ms x2 up to 30 s)', () => {
    const none = { ...DEFAULT_BACKOFF, jitter: 'none' as const };
    expect([1, 2, 3, 4, 7, 20, 5000].map((a) => backoff(a, none))).toEqual([
      500, 1000, 2000, 4000, 30_000, 30_000, 30_000,
    ]);
  });

  it('full jitter spreads the first retry over [0, minDelay]', () => {
    expect(backoff(1, DEFAULT_BACKOFF, () => 0)).toBe(0);
    expect(backoff(1, DEFAULT_BACKOFF, () => 0.5)).toBe(250);
    expect(backoff(1, { ...DEFAULT_BACKOFF, jitter: 'equal' }, () => 0)).toBe(250);
  });
});
