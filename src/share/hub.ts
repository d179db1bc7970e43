import type { EventwireError } from '../errors/base.js';
import { type HubClient, HubLink, type LinkHub, type ShareKit } from './hub-link.js';
import { FairOutbox, type RequestJob } from './hub-outbox.js';
import { linkLock, readMessage, type ShareMessage, type WireCaps } from './wire.js';

type Frame = Record<string, unknown>;

/** @internal A hub's settings. */
export interface HubConfig {
  readonly id: string;
  readonly channel: string;
  readonly client: HubClient;
  readonly kit: ShareKit;
  readonly caps: WireCaps;
  /** A message refused (malformed, forged, out of bounds): counted and reported by the tab. */
  rejected(what: string): void;
  /** An error of the hub's client that no tab hears of otherwise: reported by the leader tab's client. */
  report(error: EventwireError): void;
}

/** Links a hub serves at most (each holds subscriptions on its client). */
const MAX_TABS = 64;

/**
 * @internal The leader tab's side of a shared connection: one real client (the tab's own
 * options: url, token provider, dialect, heartbeat, rate limit) and, for every tab linked to
 * it over the channel, a protocol v1 server. A tab's subscribe becomes a subscription of the
 * hub's client (filters and resume point as the tab sent them), its requests and sends go
 * through the {@link FairOutbox}. When the hub's link to the server closes, every tab link
 * closes with the same code; the tabs reconnect and resubscribe from their own cursors, as
 * they would to a server. Every message it reads is checked ({@link readMessage}); one it
 * refuses is reported through `rejected`.
 */
export class Hub {
  readonly #client: HubClient;
  readonly #kit: ShareKit;
  readonly #id: string;
  readonly #channel: string;
  readonly #caps: WireCaps;
  readonly #rejected: (what: string) => void;
  readonly #report: (error: EventwireError) => void;
  readonly #port: BroadcastChannel;
  readonly #links = new Map<string, HubLink>();
  /** Relayed requests in flight: request id -> the link that asked. */
  readonly #requests = new Map<string, string>();
  readonly #outbox: FairOutbox;
  readonly #linkHub: LinkHub;
  #opened = 0;
  /** Opens whose link lock is being checked: id -> still wanted (false once the tab said bye). */
  readonly #checking = new Map<string, boolean>();
  /** Errors already sent to a tab (a subscription's): not reported again by the leader tab. */
  readonly #told = new WeakSet<EventwireError>();
  /** Listeners on the client while the hub runs (none once stopped). */
  #offs: Array<() => void> = [];
  /** `stop()` was called: opens still being checked open nothing. */
  #stopped = false;

  constructor(config: HubConfig) {
    this.#id = config.id;
    this.#channel = config.channel;
    this.#client = config.client;
    this.#kit = config.kit;
    this.#caps = config.caps;
    this.#rejected = config.rejected;
    this.#report = config.report;
    this.#port = new BroadcastChannel(config.channel);
    this.#outbox = new FairOutbox(
      config.client.outbox,
      (tab, job) => this.#relay(tab as HubLink, job),
      (tab) => {
        const link = tab as HubLink;
        if (this.#links.get(link.id) === link) this.#post(link, { t: 'ack', n: link.written, share: link.share });
      },
    );
    this.#linkHub = {
      client: config.client,
      kit: config.kit,
      down: (link, frame) => this.#down(link, frame),
      request: (link, id, method, params) => this.#request(link, id, method, params),
      rejected: config.rejected,
      told: (error) => this.#told.add(error),
    };
    // listening from the start: a tab may ask for a link as soon as the hub's lock names it
    this.#port.onmessage = ({ data }: MessageEvent) => this.#receive(data);
  }

  /** Tabs linked now. */
  get tabs(): number {
    return this.#opened;
  }

  /**
   * Announces the hub and connects its client. It listens from its construction on, before
   * its Web Lock names it to the tabs: an open asked then waits for the client's link.
   */
  start(): void {
    const client = this.#client;
    this.#offs = [
      client.on('open', () => {
        for (const link of this.#links.values()) this.#open(link);
      }),
      client.on('close', ({ code, reason, willReconnect }) => {
        if (willReconnect) this.#closeAll(1006, reason || `server link closed (${code})`);
      }),
      // a stop is known (and its error) only once the client is closed: then the tabs stop too
      client.on('state', ({ to }) => {
        if (to === 'closed') this.#closeAll(this.#fatalCode(), client.stoppedBy().message);
      }),
      // A frame of the server the hub refused, a failed token provider...: the leader tab says it.
      // Not a refused token (every tab stops with its own AuthError) nor a subscription's error
      // (the tab that subscribed gets it).
      client.on('error', (error) => {
        if (!(error instanceof this.#kit.AuthError) && !this.#told.has(error)) this.#report(error);
      }),
    ];
    this.#port.postMessage({ v: this.#caps.version, t: 'hub', hub: this.#id });
    client.connect();
  }

  stop(): void {
    this.#stopped = true;
    for (const off of this.#offs) off();
    this.#offs = [];
    this.#closeAll(1001, 'the leading tab left');
    this.#outbox.stop();
    this.#client.close(1000, '');
    this.#port.onmessage = null;
    this.#port.close();
  }

  /** Posts a message of `link` (the hub's id, the link's and the protocol added). */
  #post(link: HubLink | string, message: Record<string, unknown>): void {
    message.v = this.#caps.version;
    message.hub = this.#id;
    message.link = typeof link === 'string' ? link : link.id;
    this.#port.postMessage(message);
  }

  #down(link: HubLink, frame: object): void {
    this.#post(link, { t: 'down', data: this.#client.encode(frame) });
  }

  /** The code tabs get when the hub's client stopped for good: their v1 table then stops them too. */
  #fatalCode(): number {
    return this.#client.stoppedBy() instanceof this.#kit.AuthError ? 4003 : 4400;
  }

  #receive(value: unknown): void {
    // A malformed message or a hub announcement is counted by the tab's own port on the same
    // channel (in this page), not twice.
    const m = readMessage(value, this.#caps);
    if (typeof m === 'string') return;
    switch (m.t) {
      case 'hub':
        return;
      case 'open':
      case 'bye':
      case 'up':
      case 'send':
        if (m.hub === this.#id) this.#fromTab(m);
        return; // else for a hub gone before this one
      default:
        // only this hub posts these on the channel, and it does not hear its own messages
        this.#rejected(`a "${m.t}" message posted by another page than the hub`);
    }
  }

  #fromTab(m: Extract<ShareMessage, { t: 'open' | 'bye' | 'up' | 'send' }>): void {
    const link = this.#links.get(m.link);
    switch (m.t) {
      case 'open':
        if (!link) this.#add(m.link);
        return;
      case 'bye':
        if (link) this.#drop(link, true);
        else if (this.#checking.has(m.link)) this.#checking.set(m.link, false);
        return;
      case 'up':
        if (link?.opened) link.frame(m.data);
        return;
      case 'send':
        if (!link?.opened) return;
        if (!this.#outbox.send(link, m.n, m.data)) {
          this.#rejected(`send ${m.n} of a tab, beyond its share or out of order`);
          this.#post(link, { t: 'full', id: '', n: m.n, share: link.share });
        }
        return;
    }
  }

  /**
   * A tab asks for link `id`. It holds the link's Web Lock first: an open whose lock nobody
   * holds (a page that made the id up, or a tab gone since) opens nothing.
   */
  #add(id: string): void {
    if (this.#client.state === 'closed') {
      this.#post(id, { t: 'closed', code: this.#fatalCode(), reason: 'stopped' });
      return;
    }
    if (this.#checking.has(id)) return; // an open said again (the tab asks until the hub answers)
    if (this.#links.size + this.#checking.size >= MAX_TABS) {
      this.#post(id, { t: 'closed', code: 1013, reason: `a leading tab serves ${MAX_TABS} tabs at most` });
      return;
    }
    this.#checking.set(id, true);
    const name = linkLock(this.#channel, id);
    // with ifAvailable, the callback gets null when another holds the lock
    void navigator.locks
      .request(name, { ifAvailable: true }, (lock) => lock === null)
      .then((held) => {
        const wanted = this.#checking.get(id);
        this.#checking.delete(id);
        if (this.#stopped || this.#links.has(id) || !wanted) return; // stopped, said twice, or left
        if (!held) {
          this.#rejected("an open from a page that does not hold the link's lock");
          return;
        }
        const link = new HubLink(id, this.#linkHub);
        this.#links.set(id, link);
        // granted once the tab lets the lock go: closed or crashed, the tab is gone
        navigator.locks
          .request(name, { signal: link.watch.signal }, () => this.#drop(link, true))
          .catch(() => {
            // the link ended first
          });
        if (this.#client.state === 'open') this.#open(link);
      });
  }

  /** Each tab's share of the outbox: capacity / tabs, at least 1 (0 for an outbox of 0). */
  #share(): number {
    const capacity = this.#client.options.outboxSize;
    return capacity === 0 ? 0 : Math.max(1, Math.floor(capacity / Math.max(1, this.#opened)));
  }

  /** Tells every open link its share, where it changed. */
  #reshare(): void {
    const share = this.#share();
    for (const link of this.#links.values()) {
      if (!link.opened || link.share === share) continue;
      link.share = share;
      link.granted = Math.max(link.granted, share);
      this.#post(link, { t: 'ack', n: link.written, share });
    }
  }

  #open(link: HubLink): void {
    if (link.opened) return;
    link.opened = true;
    this.#opened++;
    link.share = link.granted = this.#share();
    this.#post(link, { t: 'opened', share: link.share });
    this.#down(link, { type: 'welcome', session_id: this.#client.sessionId ?? `shared-${this.#id}` });
    this.#reshare();
  }

  #closeAll(code: number, reason: string): void {
    for (const link of [...this.#links.values()]) {
      this.#outbox.settle(link);
      this.#drop(link, false);
      this.#post(link, { t: 'closed', code, reason: reason.slice(0, 123) });
    }
  }

  /** Forgets a tab's link: its subscriptions end on the hub's client, its waiting messages go. */
  #drop(link: HubLink, reshare: boolean): void {
    if (this.#links.get(link.id) !== link) return;
    this.#links.delete(link.id);
    if (link.opened) this.#opened--;
    this.#outbox.drop(link);
    link.end();
    if (reshare) this.#reshare();
  }

  #request(link: HubLink, id: string, method: string, params: unknown): void {
    if (this.#requests.has(id)) {
      this.#requests.set(id, link.id); // re-sent on a new link: the answer goes to it
      return;
    }
    if (!this.#outbox.request(link, { id, method, params }))
      this.#post(link, { t: 'full', id, n: 0, share: link.share });
  }

  /** A request's turn came: the hub's client sends it (with the tab's id) and the answer goes back. */
  #relay(link: HubLink, job: RequestJob): void {
    const { id } = job;
    this.#requests.set(id, link.id);
    const answer = (frame: Frame | undefined) => {
      const to = this.#links.get(this.#requests.get(id) ?? '');
      this.#requests.delete(id);
      if (!to) return;
      if (frame) this.#down(to, frame);
      else this.#post(to, { t: 'full', id, n: 0, share: to.share });
    };
    this.#client.request(job.method, job.params, undefined, id).then(
      (result) => answer({ id, success: true, result }),
      (error: EventwireError) =>
        answer(
          error instanceof this.#kit.QueueFullError
            ? undefined
            : {
                id,
                success: false,
                error:
                  error instanceof this.#kit.RequestError
                    ? { code: error.serverCode, message: error.message }
                    : { code: error.code, message: error.message },
              },
        ),
    );
  }
}
