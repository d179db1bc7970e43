/**
 * The short chaos run per dialect (issue 18, item 1; `npm run chaos` runs the long one): the
 * dialect's emulator behind the fault proxy, two producers whose clocks disagree, bursts of
 * identical events, a seeded fault schedule. Where the server replays, nothing is lost or
 * doubled; where it cannot, every loss falls inside a reported `gap`; bursts no fault touched
 * arrive with their exact counts; order is kept.
 */
import { describe, expect, it } from 'vitest';
import {
  beforeFirstEventScenario,
  DIALECT_NAMES,
  lateProducerScenario,
  runDialectChaos,
} from './fixtures/chaos-dialects.js';

const seed = Number(process.env.CHAOS_SEED ?? 7);
const FAULTS = 8;

describe('a short chaos run per dialect', () => {
  for (const dialect of DIALECT_NAMES) {
    it(`${dialect}: every loss inside a reported gap (none where the server replays), no duplicate, bursts exact, order kept`, async () => {
      const r = await runDialectChaos({ dialect, seed, events: 600, faults: FAULTS, durationMs: 2_500 });
      const what = JSON.stringify({ ...r, gapReports: r.gapReports.slice(0, 5) });
      expect(
        Object.values(r.faults).reduce((a, b) => a + b, 0),
        what,
      ).toBe(FAULTS);
      expect(r.linksLost, what).toBeGreaterThan(0); // the schedule cut the link at least once
      expect(r.settled, what).toBe(true);
      expect(r.errors, what).toEqual({});
      expect({ duplicated: r.duplicated, unexpected: r.unexpected, ordered: r.ordered }, what).toEqual({
        duplicated: 0,
        unexpected: 0,
        ordered: true,
      });
      expect(r.lostOutsideGaps, what).toBe(0);
      expect(r.bursts.clean, what).toBeGreaterThan(0);
      expect(r.bursts.cleanExact, what).toBe(r.bursts.clean);
      if (r.replays) expect(r.lost, what).toBe(0); // and so every burst exact
      if (dialect === 'eventwire') expect(r.gaps, what).toBe(0); // the server's buffer held everything
      if (!r.replays && r.lost > 0) expect(r.gaps, what).toBeGreaterThan(0);
    }, 30_000);
  }
});

/**
 * Scenarios the chaos run led to (resume by time: src/core/streams/time-cursor.ts,
 * src/core/streams/subscription.ts), played deterministically: the event at stake is delivered, or a
 * `gap` is reported for it.
 */
describe('resume by time: the event at stake is delivered or reported', () => {
  it('provisioning-doc: an event from the producer whose clock is behind (seen before), published just after the last one delivered before a link loss', async () => {
    const r = await lateProducerScenario('provisioning-doc', { seen: true });
    expect(r.delivered || r.gaps > 1, JSON.stringify(r)).toBe(true); // gap 1: the first resume's precautionary one
  });

  for (const dialect of ['provisioning-doc', 'provisioning'] as const) {
    it(`${dialect}: an event published while the link was down, before the subscription delivered any`, async () => {
      const r = await beforeFirstEventScenario(dialect);
      expect(r.delivered || r.gaps > 0, JSON.stringify(r)).toBe(true);
    });
  }

  it('provisioning-doc: an event from the producer whose clock is behind (never seen before), published just after the last one delivered before a link loss', async () => {
    const r = await lateProducerScenario('provisioning-doc', { seen: false });
    expect(r.delivered || r.gaps > 1, JSON.stringify(r)).toBe(true); // gap 1: the first resume's precautionary one
  });
});
