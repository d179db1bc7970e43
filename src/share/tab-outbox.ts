import type { EventwireError } from '../errors/base.js';
import type { QueueFullError } from '../errors/errors.js';
import type { SendResult } from '../types.js';

/** Past this many acknowledged frames at its head, the queue's array is compacted. */
const COMPACT = 512;

/**
 * @internal A sharing tab's `send()` and requests, held to its share of the leading tab's
 * outbox. `send()` is synchronous and the hub is in another tab, so the tab keeps the count
 * itself: the hub grants each tab a share (its outbox's capacity / tabs, at least 1), the tab
 * accepts a send (`'queued'`) while fewer than that many of its sends wait, and posts them to
 * the hub within the share; the hub acks each once the socket took it. A send is never
 * `'sent'`: the tab cannot know when the hub writes it. Sends the hub has not acked when a link
 * ends are posted again on the next one (the hub forgets what it had not written), so a
 * `'queued'` send goes out unless the client is closed. Requests the hub refuses for a full
 * share reject with a `QueueFullError`, as a full outbox rejects them in a client of its own
 * (the tab's requests are its client's, asked with ids that start with `prefix`).
 */
export class TabOutbox {
  readonly #frames: string[] = [];
  /** Index in `#frames` of the oldest send not acked, and its number (sends count from 1). */
  #head = 0;
  #base = 1;
  /** The last send posted on the current link. */
  #posted = 0;
  #share: number;
  readonly #maxData: number;
  #post: ((n: number, data: string) => void) | undefined;
  readonly #report: (error: EventwireError) => void;
  /** Requests of this tab the hub refused for a full share, until their rejection is told. */
  readonly #refused = new Set<string>();
  /** What the ids of this tab's requests start with. */
  readonly #prefix: string;

  /**
   * `share`: the limit until a hub grants one (the tab's own `outboxSize`); `maxData`: the
   * longest frame the channel carries (a longer send is refused: no hub would take it);
   * `prefix`: the start of this tab's request ids (`<prefix>-<n>`).
   */
  /** The class of its refusals, handed over (this chunk imports nothing of the first load's: see ShareKit). */
  readonly #QueueFullError: typeof QueueFullError;

  constructor(
    share: number,
    maxData: number,
    prefix: string,
    report: (error: EventwireError) => void,
    Refusal: typeof QueueFullError,
  ) {
    this.#QueueFullError = Refusal;
    this.#share = share;
    this.#maxData = maxData;
    this.#prefix = prefix;
    this.#report = report;
  }

  /** Sends accepted and not yet written by a hub. */
  get waiting(): number {
    return this.#frames.length - this.#head;
  }

  /** How many sends may wait: the share the hub granted. */
  get share(): number {
    return this.#share;
  }

  send(frame: string): SendResult {
    if (this.waiting >= this.#share || frame.length > this.#maxData) return 'refused';
    this.#frames.push(frame);
    this.#flush();
    return 'queued';
  }

  /** A link to a hub opened with `share`: what waits is posted (again) through `post`. */
  linked(share: number, post: (n: number, data: string) => void): void {
    this.#share = share;
    this.#post = post;
    this.#posted = this.#base - 1;
    this.#flush();
  }

  unlinked(): void {
    this.#post = undefined;
  }

  /** The client closed for good: what waits is dropped, as a client of its own drops its queue. */
  clear(): void {
    this.#frames.length = 0;
    this.#head = 0;
    this.#base = this.#posted + 1;
  }

  /** The hub wrote the sends up to the `n`th; the tab's share is now `share` (when given). */
  ack(n: number, share: number | undefined): void {
    const done = Math.min(n - this.#base + 1, this.waiting);
    if (done > 0) {
      this.#head += done;
      this.#base += done;
      this.#posted = Math.max(this.#posted, this.#base - 1);
      if (this.#head > COMPACT && this.#head * 2 > this.#frames.length) {
        this.#frames.splice(0, this.#head);
        this.#head = 0;
      }
    }
    if (share !== undefined) this.#share = share;
    this.#flush();
  }

  /** Posts what waits and is not posted yet, while fewer than the share are in flight. */
  #flush(): void {
    const post = this.#post;
    if (!post) return;
    const last = this.#base - 1 + this.waiting;
    while (this.#posted < last && this.#posted - this.#base + 1 < this.#share) {
      this.#posted++;
      post(this.#posted, this.#frames[this.#head + this.#posted - this.#base] as string);
    }
  }

  /**
   * The hub refused request `id` for a full share: true when it is one of this tab's (then its
   * client is told, and its rejection becomes a `QueueFullError` through {@link refused}).
   */
  refuse(id: string, share: number): boolean {
    this.#share = share;
    if (!id.startsWith(`${this.#prefix}-`)) return false;
    this.#refused.add(id);
    // its rejection is told at once (a microtask); a request no longer pending leaves nothing behind
    setTimeout(() => this.#refused.delete(id), 0);
    return true;
  }

  /** A `QueueFullError` when request `id` was refused by the hub, else undefined (its own error stands). */
  refused(id: string): QueueFullError | undefined {
    return this.#refused.delete(id)
      ? new this.#QueueFullError("this tab's share of the leading tab's outbox", this.#share)
      : undefined;
  }

  /** The hub refused send `n` (a tab that keeps to its share never sees this): said, not silent. */
  dropped(n: number): void {
    this.#report(new this.#QueueFullError(`the leading tab's outbox (it refused send ${n})`, this.#share));
  }
}
