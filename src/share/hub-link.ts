import type { Codec, DecodeFlags } from '../codec/codec.js';
import type { RequestOptions } from '../core/outbox/requests.js';
import type { SubscribeOptions, SubscriptionImpl } from '../core/streams/subscription.js';
import type { Listener } from '../core/util/emitter.js';
import type { EventwireError } from '../errors/base.js';
import type * as Errors from '../errors/errors.js';
import type { EventwireEvent } from '../protocol/event.js';
import type { Filters } from '../protocol/filters.js';
import type { ConnectionState, LifecycleEvents } from '../types.js';
import type { HubOutbox, OutboxTab } from './hub-outbox.js';

/**
 * @internal What the hub needs of the client that holds the real connection: its link's state
 * and lifecycle, the client calls a tab's frames turn into, its codec and its outbox (where
 * the tabs' sends wait their turn). The client core satisfies it; the hub knows nothing else
 * of it.
 */
export interface HubClient {
  readonly state: ConnectionState;
  readonly sessionId: string | undefined;
  readonly outbox: HubOutbox;
  readonly options: { readonly codec: Codec; readonly outboxSize: number };
  connect(): void;
  close(code: number, reason: string): void;
  on<K extends keyof LifecycleEvents>(type: K, listener: Listener<LifecycleEvents[K]>): () => void;
  /** What stopped the client (once closed): its fatal error, or a `ClosedError` for `close()`. */
  stoppedBy(): EventwireError;
  subscribe(names: string[], filters: Filters, options: SubscribeOptions): SubscriptionImpl;
  /** A tab's request, relayed with the tab's own `id`. */
  request(method: string, params: unknown, options: RequestOptions | undefined, id: string): Promise<unknown>;
  encode(message: object): string;
}

/**
 * @internal What the share's code takes of the first load, handed over by the share's plan: the
 * core's own checks of what a tab sends, and the error classes and guards. Imported here, the
 * modules that hold them would leave the first load's chunk for one of their own, shared with
 * this lazy chunk (see bundle-split.test.ts).
 */
export interface ShareKit {
  /** `hasProtoKey` of codec/json.ts: whether a decoded frame has a `__proto__` key anywhere. */
  hasProtoKey(value: unknown): boolean;
  /** `parseFilters` of protocol/filters.ts: the validated filters, or a `FilterError`. */
  parseFilters(value: unknown): Filters;
  readonly DecodeError: typeof Errors.DecodeError;
  /**
   * The classes the hub tells apart by `instanceof`: the errors it sees are its own client's, of
   * this copy of the package (the `isXError` guards, which also know other copies, would keep
   * themselves and `isEventwireError` in the first load for the share alone).
   */
  readonly QueueFullError: typeof Errors.QueueFullError;
  readonly AuthError: typeof Errors.AuthError;
  readonly RequestError: typeof Errors.RequestError;
}

/**
 * @internal The {@link ShareKit} as the share's plan hands it over, in this order: a list, since
 * the plan is in the first load, where an object's keys cost bytes that a list's places do not.
 */
export type ShareKitList = readonly [
  hasProtoKey: ShareKit['hasProtoKey'],
  parseFilters: ShareKit['parseFilters'],
  DecodeError: ShareKit['DecodeError'],
  QueueFullError: ShareKit['QueueFullError'],
  AuthError: ShareKit['AuthError'],
  RequestError: ShareKit['RequestError'],
];

/** @internal What a link needs of its hub. */
export interface LinkHub {
  readonly client: HubClient;
  readonly kit: ShareKit;
  /** Sends a v1 frame to the link's tab. */
  down(link: HubLink, frame: object): void;
  /** A tab's request, with its id. */
  request(link: HubLink, id: string, method: string, params: unknown): void;
  /** Something the tab sent was refused. */
  rejected(what: string): void;
  /** An error sent to the tab (its subscription's), which the hub need not report again. */
  told(error: EventwireError): void;
}

type Frame = Record<string, unknown>;

/** Subscriptions a tab may hold through the hub, and event names in one of them. */
const MAX_SUBSCRIPTIONS = 1024;
const MAX_NAMES = 1024;
/** The longest id (of a subscription or a request) or event name taken from a tab. */
const MAX_ID = 256;

const isName = (value: unknown): value is string => typeof value === 'string' && value.length <= MAX_ID;

/**
 * @internal A tab linked to the hub, served as a protocol v1 server would: its subscriptions
 * on the hub's client (by the tab's ids, with their filters and resume points), its pings
 * answered, its requests handed to the hub. Its part of the {@link FairOutbox} rides on it.
 * Every frame is decoded with the hub client's codec (its size and depth caps) and checked
 * before anything is done with it. The fields above `opened` are the fair outbox's bookkeeping.
 */
export class HubLink implements OutboxTab {
  readonly jobs: OutboxTab['jobs'] = [];
  sends = 0;
  requests = 0;
  moved = 0;
  share = 0;
  granted = 0;
  lastN = 0;
  written = 0;
  readonly held: OutboxTab['held'] = new Set();
  queued = false;
  /** The hub said `opened` (its own link was open). */
  opened = false;
  readonly subs = new Map<string, SubscriptionImpl>();
  /** The event last forwarded: an event two of the tab's subscriptions match goes once. */
  #last: EventwireEvent | undefined;
  /** Ends the wait for the tab's link lock. */
  readonly watch = new AbortController();
  readonly #hub: LinkHub;
  readonly #flags: DecodeFlags = { text: true, suspect: false };

  /** `id`: the link's id, a secret between the tab and the hub (every message of the link names it). */
  constructor(
    readonly id: string,
    hub: LinkHub,
  ) {
    this.#hub = hub;
  }

  /** The link ended: its subscriptions end on the hub's client. */
  end(): void {
    this.watch.abort();
    for (const sub of this.subs.values()) sub.unsubscribe();
    this.subs.clear();
  }

  /** One v1 frame from the tab, answered as a v1 server would. */
  frame(data: string): void {
    const hub = this.#hub;
    const flags = this.#flags;
    flags.suspect = false;
    let msg: unknown;
    try {
      msg = hub.client.options.codec.decode(data, flags);
    } catch {
      msg = undefined;
    }
    if (typeof msg !== 'object' || msg === null || Array.isArray(msg) || msg instanceof Error)
      hub.rejected('an unreadable frame from a tab');
    else if (flags.suspect && hub.kit.hasProtoKey(msg)) hub.rejected('a frame with a __proto__ key from a tab');
    else this.#serve(msg as Frame);
  }

  #serve(m: Frame): void {
    const hub = this.#hub;
    if (m.type === 'ping') hub.down(this, { type: 'pong', ts: typeof m.ts === 'number' ? m.ts : undefined });
    else if (m.type === 'subscribe') this.#subscribe(m);
    else if (m.type === 'unsubscribe' && isName(m.id)) {
      this.subs.get(m.id)?.unsubscribe();
      this.subs.delete(m.id);
      hub.down(this, { type: 'unsubscribed', id: m.id });
    } else if (m.type === 'ack' || m.type === 'auth') {
      // the hub's client acks what it relays; the hub holds the token
    } else if (m.type === undefined && isName(m.id) && isName(m.method)) hub.request(this, m.id, m.method, m.params);
    else hub.rejected('a frame the hub does not relay');
  }

  #subscribe(msg: Frame): void {
    const hub = this.#hub;
    const { id, events = [], since } = msg;
    if (!isName(id) || !Array.isArray(events) || events.length > MAX_NAMES || !events.every(isName)) {
      hub.rejected('a subscribe with a bad id or event names');
      return;
    }
    this.subs.get(id)?.unsubscribe();
    this.subs.delete(id);
    if (this.subs.size >= MAX_SUBSCRIPTIONS) {
      const message = `a tab holds ${MAX_SUBSCRIPTIONS} subscriptions at most through the leading tab`;
      hub.down(this, { type: 'error', code: 'too_many_subscriptions', message, id });
      return;
    }
    let sub: SubscriptionImpl;
    try {
      const from = (typeof since === 'number' && since >= 0) || (typeof since === 'string' && since.length <= 64);
      sub = hub.client.subscribe(events, hub.kit.parseFilters(msg.filters ?? {}), {
        since: from ? since : undefined,
      });
    } catch (error) {
      hub.down(this, { type: 'error', code: 'bad_filter', message: (error as Error).message, id });
      return;
    }
    this.subs.set(id, sub);
    let gap: { from?: number; to?: number } | undefined;
    sub.on((event) => {
      if (this.#last === event) return;
      this.#last = event;
      hub.down(this, event);
    });
    sub.on('gap', (g) => {
      gap = g;
    });
    sub.on('state', ({ to }) => {
      if (to !== 'active') return;
      const answer: Frame = { type: 'subscribed', id, events, seq: sub.cursor ?? 0 };
      if (gap?.from !== undefined) answer.gap = gap;
      gap = undefined;
      hub.down(this, answer);
    });
    sub.on('error', (error: EventwireError) => {
      hub.told(error);
      hub.down(this, { type: 'error', code: error.code, message: error.message, id });
    });
  }
}
