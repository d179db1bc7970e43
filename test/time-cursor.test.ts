/** Resume by time (`TimeCursor`), as a table: what live delivery admits, where a link resumes, what a replay repeats. */
import { describe, expect, it } from 'vitest';
import { TimeCursor } from '../src/core/streams/time-cursor.js';
import type { EventwireEvent } from '../src/protocol/event.js';

const at = (ms: number, data: unknown = {}, name = 'LogEntry'): EventwireEvent => ({
  event_type: name,
  timestamp: new Date(Date.UTC(2026, 0, 1, 0, 0, 0, ms)).toISOString(),
  data,
});

/** Runs `events` through a cursor, with `|` marking a dropped link; returns what it admitted (by index). */
function run(steps: Array<EventwireEvent | '|'>, cursor = new TimeCursor()): number[] {
  const admitted: number[] = [];
  steps.forEach((step, i) => {
    if (step === '|') cursor.linkLost();
    else if (cursor.admit(step) !== 'copy') admitted.push(i);
  });
  return admitted;
}

describe('TimeCursor', () => {
  const a = at(100, { n: 'a' });
  const b = at(60, { n: 'b' }); // a producer whose clock is 40 ms behind
  const c = at(140, { n: 'c' });
  const c2 = at(140, { n: 'c2' });
  const same = at(200, { cpu: 10 }, 'MetricUpdate');

  it.each([
    ['timestamps that go backwards are all delivered live', [a, b, c, b], [0, 1, 2, 3]],
    ['identical events in one millisecond are all delivered live', [same, same, same], [0, 1, 2]],
    ['a replay after the link dropped removes what was delivered at or after the resume point', [a, c, '|', c], [0, 1]],
    [
      "events older than the resume point's reach are new when the server sends them",
      [at(0, { n: 'old' }), at(5_000, { n: 'late' }), '|', at(0, { n: 'old' }), b],
      [0, 1, 3, 4],
    ],
    [
      'two identical events replayed are two: each delivered copy removes one replayed copy',
      [same, same, '|', same, same, same],
      [0, 1, 5],
    ],
    ['a replay removes the overlap once: later identical copies are new', [c, '|', c, c], [0, 3]],
    ['an event with the same time but other data is new', [c, '|', at(140, { n: 'other' })], [0, 2]],
    [
      'an event with the same data but other metadata is new',
      [same, '|', { ...same, metadata: { host: 'h2' } }],
      [0, 2],
    ],
    ['a second drop before the replay ended rebuilds the whole overlap', [c, c2, '|', c, '|', c, c2], [0, 1]],
    [
      'an event whose timestamp does not parse is delivered, and not recorded',
      [{ ...a, timestamp: 'soon' }, '|', { ...a, timestamp: 'soon' }],
      [0, 2],
    ],
  ] as const)('%s', (_name, steps, admitted) => {
    expect(run([...steps])).toEqual([...admitted]);
  });

  it('learns that the server replays from the first replayed copy', () => {
    const cursor = new TimeCursor();
    run([a, c, '|', at(150)], cursor);
    expect(cursor.replays).toBe(false); // something new first: no sign of a replay yet
    run(['|', at(150)], cursor);
    expect(cursor.replays).toBe(true);
  });

  it('reaches back one second before the last delivered time when the clocks agree (a lagging producer not seen yet)', () => {
    const cursor = new TimeCursor();
    expect(cursor.since()).toBeUndefined();
    run([a, c, '|'], cursor);
    expect(cursor.since()).toBe(at(140 - 1_000).timestamp);
    expect(cursor.covered).toBe(true);
  });

  it('reaches back over a larger clock disagreement seen: a lagging producer just after the drop is replayed, nothing twice', () => {
    const cursor = new TimeCursor();
    // a producer 3 s behind the others: the resume asks from the last delivered time less 3 s
    run([at(5_000, { n: 'a' }), at(2_000, { n: 'late' }), at(5_100, { n: 'c' })], cursor);
    cursor.linkLost();
    expect(cursor.since()).toBe(at(2_100).timestamp);
    // the replay: a and c again (removed), then an event the lagging producer stamped 2.5 s (new)
    const replay = [at(5_000, { n: 'a' }), at(5_100, { n: 'c' }), at(2_500, { n: 'lagging' })];
    expect(replay.map((e) => cursor.admit(e))).toEqual(['copy', 'copy', 'new']);
  });

  it("uses the server's own timestamp text when the resume point is the last delivered event", () => {
    const cursor = new TimeCursor();
    for (let i = 0; i < 600; i++) cursor.admit(at(6_000, { i })); // 88 evicted at the same time: the reach is clamped to it
    const micro = { ...at(6_000), timestamp: '2026-01-01T00:00:06.000001Z' };
    cursor.admit(micro);
    cursor.linkLost();
    expect(cursor.since()).toBe(micro.timestamp); // microseconds kept
  });

  it('a reach the record cannot vouch for starts later and is not covered (the subscription reports a gap)', () => {
    const cursor = new TimeCursor();
    for (let i = 0; i < 600; i++) cursor.admit(at(i * 10)); // 600 events, in order: 88 evicted
    cursor.admit(at(100, { n: 'late' })); // 5,890 ms behind the newest
    cursor.linkLost();
    expect(cursor.covered).toBe(false);
    expect(cursor.since()).toBe(at(100, { n: 'late' }).timestamp); // no earlier than the record vouches for
  });

  it('after a replay from the last delivered time, the newer events delivered before are removed, the unseen ones kept', () => {
    // a (100) and c (140) delivered, then b (60): the link resumes from 60, and the server
    // replays b, a, c and a new event d (80) that a lagging producer published meanwhile
    const d = at(80, { n: 'd' });
    expect(run([a, c, b, '|', b, a, d, c])).toEqual([0, 1, 2, 6]);
  });

  it('keeps a bounded record (the last 512 events): memory does not grow with the events delivered', () => {
    const cursor = new TimeCursor();
    // times that go down, so every event delivered is at or after the resume point
    for (let i = 5_000; i > 0; i--) cursor.admit(at(i, { i }));
    cursor.linkLost();
    expect(cursor.admit(at(1, { i: 1 }))).toBe('copy'); // recent: recorded, so its replay is removed
    expect(cursor.admit(at(512, { i: 512 }))).toBe('copy'); // the oldest still recorded
    expect(cursor.admit(at(513, { i: 513 }))).toBe('new'); // older than the record holds: delivered again
    expect(cursor.covered).toBe(false); // and the resume could not reach back over the disagreement seen
  });
});
