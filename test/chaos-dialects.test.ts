/**
 * The short chaos run per dialect (issue 18, item 1; `npm run chaos` runs the long one): the
 * dialect's emulator behind the fault proxy, two producers whose clocks disagree, bursts of
 * identical events, a seeded fault schedule. Where the server replays, nothing is lost or
 * doubled; where it cannot, every loss falls inside a reported `gap`; bursts no fault touched
 * arrive with their exact counts; order is kept.
 */
import { describe, expect, it } from 'vitest';
import { type ChaosDialect, DIALECT_NAMES, type Rig, runDialectChaos, startRig } from './fixtures/chaos-dialects.js';

const seed = Number(process.env.CHAOS_SEED ?? 7);
const FAULTS = 8;

/**
 * Provisioning-doc runs here with producers whose clocks agree: with clocks 40 ms apart a
 * replay from the last delivered timestamp misses what the late producer published right after
 * it (the known bug below), which a seeded schedule hits only now and then. CHAOS.md has both.
 */
const skewOf = (dialect: ChaosDialect) => (dialect === 'provisioning-doc' ? 0 : undefined);

describe('a short chaos run per dialect', () => {
  for (const dialect of DIALECT_NAMES) {
    it(`${dialect}: every loss inside a reported gap (none where the server replays), no duplicate, bursts exact, order kept`, async () => {
      const skewMs = skewOf(dialect);
      const r = await runDialectChaos({
        dialect,
        seed,
        events: 600,
        faults: FAULTS,
        durationMs: 2_500,
        ...(skewMs === undefined ? {} : { skewMs }),
      });
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
      if (r.replays) {
        expect(r.lost, what).toBe(0);
        expect(r.bursts.cleanExact, what).toBe(r.bursts.total);
      }
      if (dialect === 'eventwire') expect(r.gaps, what).toBe(0); // the server's buffer held everything
      if (!r.replays && r.lost > 0) expect(r.gaps, what).toBeGreaterThan(0);
    }, 30_000);
  }
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** Resets the link at the proxy and resolves once the client has seen it close. */
async function cut(rig: Rig): Promise<void> {
  const closes = rig.closes.length;
  rig.proxy.inject('rst');
  while (rig.closes.length === closes) await sleep(2);
}

/**
 * Found by the chaos run and reported to the lead (resume by time: src/core/time-cursor.ts,
 * src/core/subscription.ts), kept as deterministic reproductions. Each asserts today's
 * outcome, an event lost with no gap reported: when the bug is fixed it fails, and its
 * expectation flips to "delivered, or inside a reported gap".
 */
describe('resume by time against a server that replays `since`: known silent losses', () => {
  it('KNOWN BUG: an event from a producer whose clock is behind, published just after the last one delivered, is lost with no gap', async () => {
    const rig = await startRig('provisioning-doc', { skewMs: 40 });
    try {
      expect(await rig.delivery(rig.unique(0))).toBe(true);
      await cut(rig); // the first resume: a precautionary gap {since}, then the replay shows the server replays
      expect(await rig.settle()).toBe(true);
      expect(rig.gaps).toHaveLength(1);
      expect(await rig.delivery(rig.unique(0))).toBe(true); // producer A, stamped t
      await cut(rig);
      const late = rig.unique(1); // producer B, stamped about t - 40 ms: before `since`, so not replayed
      expect(await rig.settle()).toBe(true);
      const delivered = await rig.delivery(late, 300);
      expect({ delivered, gaps: rig.gaps.length }).toEqual({ delivered: false, gaps: 1 }); // lost, unreported
    } finally {
      await rig.close();
    }
  });

  for (const dialect of ['provisioning-doc', 'provisioning'] as const) {
    it(`KNOWN BUG (${dialect}): an event published while the link was down, before any event was delivered, is lost with no gap`, async () => {
      const rig = await startRig(dialect);
      try {
        await cut(rig); // nothing delivered yet: no resume point, so no `since`, no replay, no gap
        const missed = rig.unique(0);
        expect(await rig.settle()).toBe(true);
        const delivered = await rig.delivery(missed, 300);
        expect({ delivered, gaps: rig.gaps.length }).toEqual({ delivered: false, gaps: 0 }); // lost, unreported
      } finally {
        await rig.close();
      }
    });
  }
});
