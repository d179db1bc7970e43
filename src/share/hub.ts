import type { RequestOptions } from '../core/outbox/requests.js';
import type { SubscribeOptions, SubscriptionImpl } from '../core/streams/subscription.js';
import type { Listener } from '../core/util/emitter.js';
import type { EventwireError } from '../errors/base.js';
import { isAuthError, isRequestError } from '../errors/errors.js';
import type { EventwireEvent } from '../protocol/event.js';
import { type Filters, parseFilters } from '../protocol/filters.js';
import type { ConnectionState, LifecycleEvents, SendResult } from '../types.js';
import { isShareMessage, type ShareMessage } from './wire.js';

/** A tab linked to the hub: its subscriptions on the hub's client, by the tab's ids. */
interface TabLink {
  id: string;
  /** The hub said `opened` (its own link was open). */
  opened: boolean;
  subs: Map<string, SubscriptionImpl>;
  /** The event last forwarded: an event two of the tab's subscriptions match goes once. */
  last: EventwireEvent | undefined;
}

type Frame = Record<string, unknown>;

/**
 * @internal What the hub needs of the client that holds the real connection: its link's state
 * and lifecycle, and the client calls a tab's frames turn into. The client core satisfies it;
 * the hub knows nothing else of it (not its link, outbox or emitter).
 */
export interface HubClient {
  readonly state: ConnectionState;
  readonly sessionId: string | undefined;
  connect(): void;
  close(code: number, reason: string): void;
  on<K extends keyof LifecycleEvents>(type: K, listener: Listener<LifecycleEvents[K]>): () => void;
  /** What stopped the client (once closed): its fatal error, or a `ClosedError` for `close()`. */
  stoppedBy(): EventwireError;
  subscribe(names: string[], filters: Filters, options: SubscribeOptions): SubscriptionImpl;
  /** A tab's request, relayed with the tab's own `id`. */
  request(method: string, params: unknown, options: RequestOptions | undefined, id: string): Promise<unknown>;
  send(message: object): SendResult;
}

/**
 * @internal The leader tab's side of a shared connection: one real client (the tab's own
 * options: url, token provider, dialect, heartbeat, rate limit) and, for every tab linked to
 * it over the channel, a protocol v1 server. A tab's subscribe becomes a subscription of the
 * hub's client (filters and resume point as the tab sent them), its requests go out with
 * their own ids, its other messages as they are. When the hub's link to the server closes,
 * every tab link closes with the same code; the tabs reconnect and resubscribe from their
 * own cursors, as they would to a server.
 */
export class Hub {
  readonly #client: HubClient;
  readonly #id: string;
  readonly #port: BroadcastChannel;
  readonly #links = new Map<string, TabLink>();
  /** Relayed requests in flight: request id -> the tab that asked. */
  readonly #requests = new Map<string, string>();
  #offs: Array<() => void> = [];

  constructor(id: string, channel: string, client: HubClient) {
    this.#id = id;
    this.#client = client;
    this.#port = new BroadcastChannel(channel);
  }

  /** Tabs linked now. */
  get tabs(): number {
    return this.#links.size;
  }

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
        if (to !== 'closed') return;
        this.#closeAll(this.#fatalCode(), client.stoppedBy().message);
      }),
      client.on('error', () => {}), // the tabs' own clients report what concerns them
    ];
    this.#port.onmessage = ({ data }: MessageEvent) => {
      if (isShareMessage(data)) this.#receive(data);
    };
    this.#post({ t: 'hub', from: this.#id });
    this.#client.connect();
  }

  stop(): void {
    for (const off of this.#offs) off();
    this.#closeAll(1001, 'the leading tab left');
    this.#client.close(1000, '');
    this.#port.onmessage = null;
    this.#port.close();
  }

  #post(message: ShareMessage): void {
    this.#port.postMessage(message);
  }

  #send(link: TabLink, frame: Frame): void {
    this.#post({ t: 'frame', from: this.#id, to: link.id, data: JSON.stringify(frame) });
  }

  /** The code tabs get when the hub's client stopped for good: their v1 table then stops them too. */
  #fatalCode(): number {
    return isAuthError(this.#client.stoppedBy()) ? 4003 : 4400;
  }

  #receive(message: ShareMessage): void {
    switch (message.t) {
      case 'open': {
        const link: TabLink = { id: message.from, opened: false, subs: new Map(), last: undefined };
        this.#drop(message.from);
        this.#links.set(message.from, link);
        if (this.#client.state === 'open') this.#open(link);
        else if (this.#client.state === 'closed') {
          this.#links.delete(link.id);
          this.#post({ t: 'closed', from: this.#id, to: link.id, code: this.#fatalCode(), reason: 'stopped' });
        }
        return;
      }
      case 'frame': {
        const link = message.to === this.#id ? this.#links.get(message.from) : undefined;
        if (link?.opened) this.#frame(link, message.data);
        return;
      }
      case 'closed':
        if (message.to === this.#id) this.#drop(message.from);
        return;
      default:
        return;
    }
  }

  #open(link: TabLink): void {
    if (link.opened) return;
    link.opened = true;
    this.#post({ t: 'opened', from: this.#id, to: link.id });
    this.#send(link, { type: 'welcome', session_id: this.#client.sessionId ?? `shared-${this.#id}` });
  }

  #closeAll(code: number, reason: string): void {
    for (const link of [...this.#links.values()]) {
      this.#drop(link.id);
      this.#post({ t: 'closed', from: this.#id, to: link.id, code, reason });
    }
  }

  /** Forgets a tab's link: its subscriptions end on the hub's client. */
  #drop(id: string): void {
    const link = this.#links.get(id);
    if (!link) return;
    this.#links.delete(id);
    for (const sub of link.subs.values()) sub.unsubscribe();
  }

  /** One v1 frame from a tab, answered as a v1 server would. */
  #frame(link: TabLink, data: string): void {
    let msg: Frame;
    try {
      msg = JSON.parse(data) as Frame;
    } catch {
      return;
    }
    if (typeof msg !== 'object' || msg === null) return;
    if (msg.type === 'ping') this.#send(link, { type: 'pong', ts: msg.ts });
    else if (msg.type === 'subscribe') this.#subscribe(link, msg);
    else if (msg.type === 'unsubscribe') {
      const id = String(msg.id);
      link.subs.get(id)?.unsubscribe();
      link.subs.delete(id);
      this.#send(link, { type: 'unsubscribed', id });
    } else if (msg.type === 'ack' || msg.type === 'auth') {
      // the hub's client acks what it relays; the hub holds the token
    } else if (msg.type === undefined && typeof msg.id === 'string' && typeof msg.method === 'string') {
      this.#request(link, msg.id, msg.method, msg.params);
    } else this.#client.send(msg);
  }

  #subscribe(link: TabLink, msg: Frame): void {
    const id = String(msg.id);
    const events = Array.isArray(msg.events) ? msg.events.map(String) : [];
    link.subs.get(id)?.unsubscribe();
    let sub: SubscriptionImpl;
    try {
      const since = typeof msg.since === 'number' || typeof msg.since === 'string' ? msg.since : undefined;
      sub = this.#client.subscribe(events, parseFilters(msg.filters ?? {}), { since });
    } catch (error) {
      this.#send(link, { type: 'error', code: 'bad_filter', message: (error as Error).message, id });
      return;
    }
    link.subs.set(id, sub);
    let gap: { from?: number; to?: number } | undefined;
    sub.on((event) => {
      if (link.last === event) return;
      link.last = event;
      this.#send(link, event as unknown as Frame);
    });
    sub.on('gap', (g) => {
      gap = g;
    });
    sub.on('state', ({ to }) => {
      if (to !== 'active') return;
      const answer: Frame = { type: 'subscribed', id, events, seq: sub.cursor ?? 0 };
      if (gap?.from !== undefined) answer.gap = gap;
      gap = undefined;
      this.#send(link, answer);
    });
    sub.on('error', (error: EventwireError) =>
      this.#send(link, { type: 'error', code: error.code, message: error.message, id }),
    );
  }

  #request(link: TabLink, id: string, method: string, params: unknown): void {
    const asked = this.#requests.has(id);
    this.#requests.set(id, link.id); // a re-sent request: the answer goes to the tab's new link
    if (asked) return;
    const answer = (frame: Frame) => {
      const to = this.#links.get(this.#requests.get(id) ?? '');
      this.#requests.delete(id);
      if (to) this.#send(to, frame);
    };
    this.#client.request(method, params, undefined, id).then(
      (result) => answer({ id, success: true, result }),
      (error: EventwireError) =>
        answer({
          id,
          success: false,
          error: isRequestError(error)
            ? { code: error.serverCode, message: error.message }
            : { code: error.code, message: error.message },
        }),
    );
  }
}
