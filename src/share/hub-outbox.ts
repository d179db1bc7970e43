import type { Held, Lane } from '../core/outbox/outbox.js';

/** `Lane.Send`, type-checked: importing the constant would put outbox.ts in a chunk of its own (see bundle-split.test.ts). */
const SEND: typeof Lane.Send = 4;

/** @internal The part of the hub client's outbox the hub uses: its count, and held entries. */
export interface HubOutbox {
  /** Counted messages not yet written on the current link. */
  readonly waiting: number;
  hold(entry: Held): boolean;
  release(entry: Held): void;
}

/** A tab's request waiting for its turn in the hub's outbox. */
export interface RequestJob {
  readonly id: string;
  readonly method: string;
  readonly params: unknown;
}

/** @internal What the fair outbox keeps of one tab's link. */
export interface OutboxTab {
  /** Messages waiting for their turn, oldest first. */
  readonly jobs: Array<SendEntry | RequestJob>;
  /** Sends not yet written (waiting their turn, or in the hub's outbox). */
  sends: number;
  /** Requests not yet known written. */
  requests: number;
  /** Requests handed to the hub's client since the outbox last drained. */
  moved: number;
  /** How many messages the tab may have waiting now: its share of the outbox. */
  share: number;
  /** The largest share granted on this link: sends the tab posted under it are taken. */
  granted: number;
  /** The last send taken (its number), and the last written. */
  lastN: number;
  written: number;
  /** Its sends held in the hub's outbox. */
  readonly held: Set<SendEntry>;
  /** In the round-robin ring. */
  queued: boolean;
}

/** A tab's `send()` in the hub's outbox; written at most once, then released. */
class SendEntry implements Held {
  link = 0;
  constructor(
    readonly owner: FairOutbox,
    readonly tab: OutboxTab,
    readonly n: number,
    readonly text: string,
  ) {}
  get lane(): typeof Lane.Send {
    return SEND;
  }
  frame(): string {
    return this.text;
  }
  sent(): void {
    this.owner.written(this);
  }
}

/** An entry that writes nothing: the outbox reaches it once everything held before it went out. */
class Probe implements Held {
  link = 0;
  constructor(readonly owner: FairOutbox) {}
  get lane(): typeof Lane.Send {
    return SEND;
  }
  frame(): undefined {
    return undefined;
  }
  sent(): void {
    this.owner.drained();
  }
}

/**
 * @internal The hub's outbox as the tabs see it: each tab may have its share (capacity /
 * tabs, at least 1) of sends and requests waiting, and they enter the hub client's outbox
 * in turns, one tab after the other. While the client's outbox flows (the link is open and
 * under its rate limit) every message goes out at once; when it does not, one message and a
 * probe wait in it and the rest wait here, so that one tab's flood delays the others by one
 * message at most. A send is reported written (`ack`) once the socket took it.
 */
export class FairOutbox {
  readonly #out: HubOutbox;
  readonly #relay: (tab: OutboxTab, job: RequestJob) => void;
  readonly #ack: (tab: OutboxTab) => void;
  readonly #ring: OutboxTab[] = [];
  /** Tabs with requests handed over and not yet known written. */
  readonly #moved: OutboxTab[] = [];
  /** Tabs owed an ack. */
  readonly #owed = new Set<OutboxTab>();
  readonly #probe = new Probe(this);
  #probing = false;
  #scheduled = false;
  #acking = false;
  #retry: ReturnType<typeof setTimeout> | undefined;

  constructor(out: HubOutbox, relay: (tab: OutboxTab, job: RequestJob) => void, ack: (tab: OutboxTab) => void) {
    this.#out = out;
    this.#relay = relay;
    this.#ack = ack;
  }

  /**
   * A tab's send `n`. False when it is beyond what the tab was granted (or out of order): a
   * tab that follows the protocol never sends one.
   */
  send(tab: OutboxTab, n: number, text: string): boolean {
    if (n <= tab.lastN || tab.sends >= tab.granted) return false;
    tab.lastN = n;
    tab.sends++;
    this.#enqueue(tab, new SendEntry(this, tab, n, text));
    return true;
  }

  /** A tab's request; false when its share is full. */
  request(tab: OutboxTab, job: RequestJob): boolean {
    if (tab.sends + tab.requests >= tab.share) return false;
    tab.requests++;
    this.#enqueue(tab, job);
    return true;
  }

  /** A tab's link ended: what it had waiting is forgotten (the tab posts its sends again on its next link). */
  drop(tab: OutboxTab): void {
    for (const entry of tab.held) this.#out.release(entry);
    tab.held.clear();
    tab.jobs.length = 0;
    tab.queued = false;
    const at = this.#ring.indexOf(tab);
    if (at !== -1) this.#ring.splice(at, 1);
    this.#owed.delete(tab);
  }

  /** Posts the ack a tab is owed now (before its link closes). */
  settle(tab: OutboxTab): void {
    if (this.#owed.delete(tab)) this.#ack(tab);
  }

  stop(): void {
    clearTimeout(this.#retry);
    this.#out.release(this.#probe);
    for (const tab of [...this.#ring]) this.drop(tab);
  }

  /** A send went out (the outbox calls this from its flush): the tab is acked soon after. */
  written(entry: SendEntry): void {
    this.#out.release(entry);
    const { tab } = entry;
    if (!tab.held.delete(entry)) return;
    tab.sends--;
    tab.written = entry.n;
    this.#owed.add(tab);
    if (!this.#acking) {
      this.#acking = true;
      queueMicrotask(() => {
        this.#acking = false;
        for (const owed of this.#owed) this.#ack(owed);
        this.#owed.clear();
      });
    }
  }

  /** The probe went out: everything handed over before it was written. */
  drained(): void {
    this.#out.release(this.#probe);
    this.#probing = false;
    this.#settleMoved();
    this.#schedule();
  }

  #enqueue(tab: OutboxTab, job: SendEntry | RequestJob): void {
    tab.jobs.push(job);
    if (!tab.queued) {
      tab.queued = true;
      this.#ring.push(tab);
    }
    this.#schedule();
  }

  #schedule(): void {
    if (this.#scheduled) return;
    this.#scheduled = true;
    queueMicrotask(() => this.#pump());
  }

  #settleMoved(): void {
    for (const tab of this.#moved) {
      tab.requests -= tab.moved;
      tab.moved = 0;
    }
    this.#moved.length = 0;
  }

  /** Hands waiting messages to the client's outbox, one tab after the other, while it flows. */
  #pump(): void {
    this.#scheduled = false;
    if (!this.#probing && this.#out.waiting === 0) this.#settleMoved();
    while (!this.#probing && this.#ring.length > 0) {
      const tab = this.#ring.shift() as OutboxTab;
      const job = tab.jobs.shift() as SendEntry | RequestJob;
      if (tab.jobs.length > 0) this.#ring.push(tab);
      else tab.queued = false;
      if (job instanceof SendEntry) {
        tab.held.add(job);
        if (!this.#out.hold(job)) {
          // the client's outbox is full of its own acks: try again shortly
          tab.held.delete(job);
          this.#putBack(tab, job);
          this.#retryLater();
          return;
        }
      } else {
        if (tab.moved === 0) this.#moved.push(tab);
        tab.moved++;
        this.#relay(tab, job);
      }
      if (this.#out.waiting === 0) this.#settleMoved();
      else if (this.#out.hold(this.#probe)) this.#probing = true;
      else {
        this.#retryLater();
        return;
      }
    }
  }

  #putBack(tab: OutboxTab, job: SendEntry): void {
    tab.jobs.unshift(job);
    if (!tab.queued) {
      tab.queued = true;
      this.#ring.unshift(tab);
    }
  }

  #retryLater(): void {
    if (this.#retry !== undefined) return;
    this.#retry = setTimeout(() => {
      this.#retry = undefined;
      this.#pump();
    }, 50);
  }
}
