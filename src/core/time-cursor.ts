import type { EventwireEvent } from '../protocol/event.js';

/** How many delivered events the boundary record keeps (their hashes and times, a few bytes each). */
const RECORD = 512;

/**
 * @internal Resume by time, for servers that replay `since` a time and give no seq (Provisioning).
 *
 * Live delivery never drops an event for its timestamp: timestamps that go backwards (two
 * producers whose clocks disagree) and identical events stamped in the same millisecond are
 * all admitted, in arrival order. What the cursor keeps is a bounded record of the last
 * {@link RECORD} events delivered (a 64-bit hash of name, timestamp, data and metadata, and the time).
 *
 * When the link drops, the next link asks from the last delivered timestamp ({@link since}).
 * The replay repeats every event stamped at or after it that was already delivered; those are
 * taken from the record as a multiset (counted: two identical events delivered and replayed
 * are two, not one), and each replayed copy is removed once. Everything else is delivered.
 * Until a server has been seen to replay ({@link replays}), every resumed link may miss what
 * was published while it was down: the subscription reports a `gap` with `since`, so nothing
 * is lost without a trace.
 *
 * Pure (no clock, no I/O): tested as a table in `test/time-cursor.test.ts`.
 */
export class TimeCursor {
  /** Ring of delivered events: parallel arrays of times (ms) and hashes. */
  readonly #times: number[] = [];
  readonly #hashes: string[] = [];
  #next = 0;
  /** The last delivered event's time (ms), the resume point, and its timestamp as the server wrote it. */
  #last: number | undefined;
  #lastText: string | undefined;
  /** The replay overlap expected on the current link: hash → copies still to remove. */
  #overlap: Map<string, number> | undefined;
  /** A replayed copy came once: the server replays `since`. */
  #replays = false;
  /** Where the current link resumed from, as the server wrote it. */
  #from: string | undefined;

  /** Where the next link resumes: the last delivered timestamp as the server wrote it, or undefined before any. */
  since(): string | undefined {
    return this.#lastText;
  }

  /** Where the current link resumed from (ISO), once a link was lost after an event. */
  resumedFrom(): string | undefined {
    return this.#from;
  }

  /**
   * The link dropped: the events delivered at or after the resume point are what a replay
   * from it repeats.
   */
  linkLost(): void {
    const from = this.#last;
    this.#from = this.#lastText;
    this.#overlap = undefined;
    if (from === undefined) return;
    for (let i = 0; i < this.#times.length; i++) {
      if (!((this.#times[i] as number) >= from)) continue;
      const hash = this.#hashes[i] as string;
      this.#overlap ??= new Map();
      this.#overlap.set(hash, (this.#overlap.get(hash) ?? 0) + 1);
    }
  }

  /**
   * Whether the server was seen to replay: a copy of a delivered event came after a resume.
   * Until then, a resumed link may be missing what was published while it was down (the
   * seed's Provisioning code never reads `since`), and the subscription says so with a `gap`.
   */
  get replays(): boolean {
    return this.#replays;
  }

  /**
   * What `event` is: `copy` for one copy of each event the replay repeats (delivered already);
   * `new` otherwise, recorded as delivered.
   */
  admit(event: EventwireEvent): 'new' | 'copy' {
    const time = Date.parse(event.timestamp);
    if (Number.isNaN(time)) return 'new'; // no time: nothing to resume from, nothing to compare
    const hash = hashEvent(event);
    const overlap = this.#overlap;
    if (overlap !== undefined) {
      const copies = overlap.get(hash);
      if (copies !== undefined) {
        if (copies > 1) overlap.set(hash, copies - 1);
        else if (overlap.delete(hash) && overlap.size === 0) this.#overlap = undefined;
        this.#replays = true;
        return 'copy';
      }
    }
    this.#times[this.#next] = time;
    this.#hashes[this.#next] = hash;
    this.#next = (this.#next + 1) % RECORD;
    this.#last = time;
    // the server's own words (microseconds kept), unless they are too long to be a timestamp
    this.#lastText = event.timestamp.length <= 64 ? event.timestamp : new Date(time).toISOString();
    return 'new';
  }
}

/**
 * Two 32-bit FNV-1a hashes (different offsets) of name, timestamp, data and metadata: 16 hex digits, so
 * the record's memory does not depend on the events' sizes.
 */
function hashEvent(event: EventwireEvent): string {
  const text = `${event.event_type}\u0000${event.timestamp}\u0000${JSON.stringify(event.data) ?? ''}\u0000${event.metadata === undefined ? '' : JSON.stringify(event.metadata)}`;
  let a = 0x811c9dc5;
  let b = 0x01000193 ^ 0x5bd1e995;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    a = Math.imul(a ^ c, 0x01000193);
    b = Math.imul(b ^ c, 0x01000193) ^ (b >>> 15);
  }
  return (a >>> 0).toString(16).padStart(8, '0') + (b >>> 0).toString(16).padStart(8, '0');
}
