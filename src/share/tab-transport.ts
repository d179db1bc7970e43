import type { TransportEvents, TransportFactory } from '../transport/transport.js';
import type { TabOutbox } from './tab-outbox.js';
import { newId, type ShareMessage } from './wire.js';

/**
 * @internal Where a tab's links go: the share's versioned channel (the hub found in the Web
 * Locks), or, once the tab stopped sharing, a private channel to a hub of its own.
 */
export interface LinkGroup {
  post(message: Record<string, unknown>): void;
  /** The hub to ask for a link now, or undefined while there is none. */
  findHub(): Promise<string | undefined>;
  /** Resolves true once `hub` is gone (its Web Lock released), false when `signal` aborts first. */
  watch(hub: string, signal: AbortSignal): Promise<boolean>;
  /** Takes the Web Lock of `link` (resolves once held) and holds it until `signal` aborts. */
  hold(link: string, signal: AbortSignal): Promise<void>;
}

/** @internal What the linker tells the share. */
export interface LinkerHooks {
  /** A message refused (for this tab's link, from a page that is not its hub; a forged announcement). */
  rejected(what: string): void;
  /** The hub refused the link for a reason that will not pass (it serves too many tabs). */
  refused(reason: string): void;
  /** A link opened in `group`. */
  opened(group: LinkGroup): void;
  /** Encodes a v1 frame the tab makes up itself (a refused request's answer). */
  encode(frame: object): string;
  /** The longest frame the channel carries (UTF-16 units). */
  readonly maxData: number;
  /** A frame of the tab's client too long for the channel was not sent (its request will time out). */
  oversized(length: number): void;
}

interface Current {
  readonly link: string;
  readonly events: TransportEvents;
  readonly group: LinkGroup;
  readonly abort: AbortController;
  hub: string | undefined;
  opened: boolean;
  seeking: boolean;
  again: boolean;
  /** While the link's `open` waits for the hub's answer: the timer that posts it again, and its next delay. */
  asking: ReturnType<typeof setTimeout> | undefined;
  wait: number;
}

/** The first and the longest wait before a link's unanswered `open` is posted again (ms). */
const ASK_AGAIN = 250;
const ASK_AGAIN_MAX = 2_000;

/**
 * @internal A tab's link to the hub (in whichever tab leads), as its client's transport: it
 * opens when the hub says its own link to the server is open, carries protocol v1 frames, and
 * closes when the hub closes it (with the server's code) or when the hub's tab is gone (its
 * Web Lock released). The hub is the one the Web Locks name, never one a message names: a
 * message claiming a hub only makes a waiting tab look again. Every message of a link names
 * its random id, which only the tab and its hub know; a message for the tab's link from any
 * other page is refused. The tab's sends go through its {@link TabOutbox}, within its share.
 */
export class TabLinker {
  readonly #outbox: TabOutbox;
  readonly #hooks: LinkerHooks;
  #group: LinkGroup;
  #current: Current | undefined;
  /** The link before the current one: its hub's last acks still count. */
  #previous: { link: string; hub: string | undefined } | undefined;
  /** Hub announcements heard and not yet checked against the Web Locks (at most 16). */
  readonly #claims = new Set<string>();
  #looking = false;
  #lookAgain = false;

  constructor(group: LinkGroup, outbox: TabOutbox, hooks: LinkerHooks) {
    this.#group = group;
    this.#outbox = outbox;
    this.#hooks = hooks;
  }

  /** Where links go now. */
  get group(): LinkGroup {
    return this.#group;
  }

  readonly transport: TransportFactory = (_config, events) => ({
    connect: () => {
      this.#end();
      this.#start(events);
    },
    send: (data) => {
      const c = this.#current;
      if (c?.events !== events || !c.opened) return false;
      if (data.length > this.#hooks.maxData) this.#hooks.oversized(data.length);
      else c.group.post({ t: 'up', hub: c.hub, link: c.link, data });
      return true;
    },
    close: () => {
      const c = this.#current;
      if (c?.events !== events) return;
      this.#bye(c);
      this.#end();
    },
  });

  /** A new link for the transport that reports to `events`, in the current group. */
  #start(events: TransportEvents): void {
    const c: Current = {
      link: newId(),
      events,
      group: this.#group,
      abort: new AbortController(),
      hub: undefined,
      opened: false,
      seeking: false,
      again: false,
      asking: undefined,
      wait: ASK_AGAIN,
    };
    this.#current = c;
    this.#seek(c);
  }

  #bye(c: Current): void {
    if (c.hub !== undefined) c.group.post({ t: 'bye', hub: c.hub, link: c.link });
  }

  /**
   * Links go to `group` from now on. An open link ends (its client reconnects there); one
   * still opening starts again there, unseen by its client.
   */
  moveTo(group: LinkGroup, reason: string): void {
    this.#group = group;
    const c = this.#current;
    if (!c) return;
    this.#bye(c);
    this.#end();
    if (c.opened) c.events.onClose(1006, reason);
    else this.#start(c.events);
  }

  /**
   * A hub announced itself: a tab waiting for one looks again (the Web Locks say which hub
   * leads), and the claim is checked against them: one that does not lead is refused.
   */
  announced(hub: string): void {
    const c = this.#current;
    if (c && c.hub === undefined) this.#seek(c);
    if (c?.hub === hub) {
      // its hub listens now: an open it posted before then was not heard
      if (c.asking !== undefined) this.#ask(c);
      return;
    }
    if (this.#claims.size >= 16) this.#hooks.rejected('one hub announcement too many while checking others');
    else {
      this.#claims.add(hub);
      this.#verify();
    }
  }

  /** Checks the claims heard so far against the Web Locks (one look at a time; the ones heard during it get their own). */
  #verify(): void {
    if (this.#looking) {
      this.#lookAgain = true;
      return;
    }
    this.#looking = true;
    const judged = [...this.#claims];
    this.#claims.clear();
    const done = () => {
      this.#looking = false;
      if (this.#lookAgain) {
        this.#lookAgain = false;
        if (this.#claims.size > 0) this.#verify();
      }
    };
    this.#group.findHub().then((found) => {
      for (const claim of judged)
        if (claim !== found) this.#hooks.rejected('a hub announcement from a page that does not lead');
      done();
    }, done);
  }

  /** A message a hub posts (validated), for this tab's link or another's. */
  receive(m: Exclude<ShareMessage, { t: 'hub' | 'open' | 'up' | 'send' | 'bye' }>, group: LinkGroup): void {
    const c = this.#current;
    if (!c || c.link !== m.link || c.group !== group) {
      const p = this.#previous;
      if (m.t === 'ack' && p?.link === m.link && p.hub === m.hub) this.#outbox.ack(m.n, undefined);
      return; // another tab's link
    }
    if (c.hub !== m.hub) {
      this.#hooks.rejected(`a "${m.t}" message for this tab's link from a page that is not its hub`);
      return;
    }
    switch (m.t) {
      case 'opened':
        if (c.opened) return;
        c.opened = true;
        this.#stopAsking(c);
        this.#outbox.linked(m.share, (n, data) => c.group.post({ t: 'send', hub: c.hub, link: c.link, n, data }));
        this.#hooks.opened(c.group);
        c.events.onOpen();
        return;
      case 'down':
        if (c.opened) c.events.onMessage(m.data, true);
        return;
      case 'ack':
        this.#outbox.ack(m.n, m.share);
        return;
      case 'full':
        if (m.id === '') this.#outbox.dropped(m.n);
        else if (this.#outbox.refuse(m.id, m.share) && c.opened) {
          const error = { code: 'ERR_QUEUE_FULL', message: "this tab's share of the leading tab's outbox is full" };
          c.events.onMessage(this.#hooks.encode({ id: m.id, success: false, error }), true);
        }
        return;
      case 'closed':
        // a hub that serves too many tabs: this one stops sharing (its link starts again on its own hub)
        if (m.code === 1013 && !c.opened) this.#hooks.refused(m.reason);
        if (this.#current !== c) return;
        this.#end();
        c.events.onClose(m.code, m.reason);
        return;
    }
  }

  /** Finds the hub (one look at a time; an announcement during it makes one more). */
  #seek(c: Current): void {
    if (c.seeking) {
      c.again = true;
      return;
    }
    c.seeking = true;
    c.group.findHub().then(
      (hub) => {
        c.seeking = false;
        if (this.#current !== c || c.hub !== undefined) return;
        if (hub !== undefined) {
          c.hub = hub;
          // the link's lock first: the hub holds the link open while the lock is held
          void c.group.hold(c.link, c.abort.signal).then(() => {
            this.#ask(c);
          });
          // the hub's lock goes with its tab: an open link closes, one still opening looks again
          void c.group.watch(hub, c.abort.signal).then((gone) => {
            if (!gone || this.#current !== c) return;
            this.#end();
            if (c.opened) c.events.onClose(1006, 'the leading tab is gone');
            else this.#start(c.events);
          });
        } else if (c.again) {
          c.again = false;
          this.#seek(c);
        }
      },
      () => {
        c.seeking = false;
      },
    );
  }

  /**
   * Posts the link's `open` to its hub, and again at growing intervals until the hub answers
   * (or the link ends): an open is not lost to a hub that was not listening yet (the Web Locks
   * name a hub a moment before its channel hears anything) or to a message the channel dropped.
   * The hub takes an open it has heard already as nothing.
   */
  #ask(c: Current): void {
    this.#stopAsking(c);
    if (this.#current !== c || c.opened || c.hub === undefined) return;
    c.group.post({ t: 'open', hub: c.hub, link: c.link });
    c.asking = setTimeout(() => this.#ask(c), c.wait);
    c.wait = Math.min(c.wait * 2, ASK_AGAIN_MAX);
  }

  #stopAsking(c: Current): void {
    if (c.asking === undefined) return;
    clearTimeout(c.asking);
    c.asking = undefined;
  }

  /** Ends the current link (nothing more is reported for it). */
  #end(): void {
    const c = this.#current;
    if (!c) return;
    this.#current = undefined;
    this.#stopAsking(c);
    this.#previous = { link: c.link, hub: c.hub };
    c.abort.abort();
    if (c.opened) this.#outbox.unlinked();
  }
}
