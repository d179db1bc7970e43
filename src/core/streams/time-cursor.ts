import type { EventwireEvent } from '../../protocol/event.js';

/** How many delivered events the boundary record keeps (their hashes and times, a few bytes each). */
const RECORD = 512;
/** The most clock disagreement (ms) a resume reaches back for. */
const MAX_SKEW = 60_000;
/**
 * The least it reaches back (ms), even when the recorded events agree: a producer whose clock
 * is behind and whose first event comes just after the drop has not been seen yet.
 */
const MIN_REACH = 1_000;
/** The first time a `Date` holds (ms): a resume never reaches back before it. */
const EARLIEST = -8.64e15;

/**
 * @internal Resume by time, for servers that replay `since` a time and give no seq (Provisioning).
 *
 * Live delivery never drops an event for its timestamp: timestamps that go backwards (two
 * producers whose clocks disagree) and identical events stamped in the same millisecond are
 * all admitted, in arrival order. What the cursor keeps is a bounded record of the last
 * {@link RECORD} events delivered (a 64-bit hash of name, timestamp, data and metadata, and
 * the time).
 *
 * When the link drops, the next link asks from the last delivered timestamp, less the clock
 * disagreement seen among the recorded events, and at least {@link MIN_REACH} (a producer
 * whose clock is 40 ms behind may publish, just after the drop, an event stamped before the
 * last one delivered, whether or not one of its events was seen before). The replay
 * repeats every event stamped at or after that point that was already delivered; those are
 * taken from the record as a multiset (counted: two identical events delivered and replayed
 * are two, not one), and each replayed copy is removed once. Everything else is delivered.
 *
 * Where the record cannot vouch for the whole reach (it no longer holds an event stamped at or
 * after the wanted point), the resume starts later, and {@link covered} is false. Until a
 * server has been seen to replay ({@link replays}), or when the reach was not covered, the
 * subscription reports a `gap` with `since`, so nothing is lost without a trace.
 *
 * Pure (no clock, no I/O): tested as a table in `test/time-cursor.test.ts`.
 */
export class TimeCursor {
  /** Ring of delivered events, in delivery order: parallel arrays of times (ms) and hashes. */
  readonly #times: number[] = [];
  readonly #hashes: string[] = [];
  #next = 0;
  /** The newest time among the events the ring no longer holds (-Infinity: none evicted). */
  #evicted = Number.NEGATIVE_INFINITY;
  /** The last delivered event's time (ms) and its timestamp as the server wrote it. */
  #last: number | undefined;
  #lastText: string | undefined;
  /** The replay overlap expected on the current link: hash → copies still to remove. */
  #overlap: Map<string, number> | undefined;
  /** A replayed copy came once: the server replays `since`. */
  #replays = false;
  /** Where the current link resumes from, as sent, and whether the record covers the clock disagreement. */
  #from: string | undefined;
  #covered = true;

  /** Where the current link resumes from (what `since` sends), or undefined before anything was delivered. */
  since(): string | undefined {
    return this.#from;
  }

  /** Whether the resume reaches back over all the clock disagreement seen (false: a `gap` is due). */
  get covered(): boolean {
    return this.#covered;
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
   * The link dropped: work out where the next one resumes, and which delivered events a
   * replay from there repeats.
   */
  linkLost(): void {
    this.#overlap = undefined;
    const last = this.#last;
    if (last === undefined) return;
    const wanted = last - this.#skew();
    // not before the first time a Date holds (an event stamped near it would make toISOString throw)
    const from = Math.max(EARLIEST, Math.min(last, Math.max(wanted, this.#evicted + 1)));
    this.#covered = from <= wanted;
    this.#from = from === last ? this.#lastText : new Date(from).toISOString();
    for (let i = 0; i < this.#times.length; i++) {
      if (!((this.#times[i] as number) >= from)) continue;
      const hash = this.#hashes[i] as string;
      this.#overlap ??= new Map();
      this.#overlap.set(hash, (this.#overlap.get(hash) ?? 0) + 1);
    }
  }

  /** How far (ms) to reach back: recorded events stamped behind the newest before them, within {@link MIN_REACH}..{@link MAX_SKEW}. */
  #skew(): number {
    const times = this.#times;
    const size = times.length;
    let newest = Number.NEGATIVE_INFINITY;
    let skew = 0;
    for (let k = 0; k < size; k++) {
      const time = times[(this.#next + k) % size] as number; // oldest first
      if (time > newest) newest = time;
      else if (newest - time > skew) skew = newest - time;
    }
    return Math.min(Math.max(skew, MIN_REACH), MAX_SKEW);
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
    if (this.#times.length === RECORD) {
      const old = this.#times[this.#next] as number;
      if (old > this.#evicted) this.#evicted = old;
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
 * Two 32-bit FNV-1a-style hashes (different offsets) of name, timestamp, data and metadata: 16
 * hex digits, so the record's memory does not depend on the events' sizes.
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
