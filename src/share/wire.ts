/**
 * @internal What tabs say to each other when they share a connection, and how a message read
 * from a channel is checked. Any page of the origin can post on a `BroadcastChannel`, so every
 * message is untrusted input, read like a server frame: shape, bounds and ids first, nothing
 * else done with it before.
 *
 * Three names per share key: the rendezvous channel (`eventwire:share:<key>`, where every
 * version says which protocol it speaks, and where eventwire 0.1, protocol 1, sent its
 * messages), and the versioned channel and Web Lock (`eventwire:share:v2:<key>`), so that
 * tabs of different versions never read each other's messages.
 */

/** @internal The channel protocol this build speaks. 1 was eventwire 0.1's (no version in its messages). */
const PROTOCOL = 2;

/**
 * @internal Tests run a page as an older or newer build by setting this global (a number)
 * before creating the client. Nothing else reads it.
 */
const PROTOCOL_OVERRIDE = Symbol.for('eventwire.shareProtocol');

/** @internal The protocol a share created now speaks. */
export function shareProtocol(): number {
  const given = (globalThis as Record<symbol, unknown>)[PROTOCOL_OVERRIDE];
  return typeof given === 'number' && Number.isSafeInteger(given) && given > 0 ? given : PROTOCOL;
}

/** @internal The names a share key uses. */
export interface ShareNames {
  /** Where versions meet: hellos, and eventwire 0.1's own messages. */
  readonly rendezvous: string;
  /** The versioned channel, and the Web Lock whose holder leads. */
  readonly channel: string;
  /** The lock a hub holds while it runs: its tabs learn from it when the hub is gone. */
  hubLock(hub: string): string;
}

/** @internal The names of share `key` at protocol `version`. */
export function shareNames(key: string, version: number): ShareNames {
  const channel = `eventwire:share:v${version}:${key}`;
  return { rendezvous: `eventwire:share:${key}`, channel, hubLock: (hub) => `${channel}:hub:${hub}` };
}

/**
 * @internal The Web Lock a tab holds while its link to a hub is open (on `channel`, the
 * share's or a private one): the hub learns from it when the tab is gone, crashed or closed.
 */
export const linkLock = (channel: string, link: string): string => `${channel}:link:${link}`;

/** @internal A message of the versioned channel (each also carries `v`, the protocol). */
export type ShareMessage =
  /** A hub started: waiting tabs look for the leader again (in the Web Locks, not in this message). */
  | { t: 'hub'; hub: string }
  /** A tab asks hub `hub` for link `link` (a fresh random id: the link's secret). */
  | { t: 'open'; hub: string; link: string }
  /** A protocol v1 frame, tab to hub. */
  | { t: 'up'; hub: string; link: string; data: string }
  /** A tab's `send()`, its `n`th (counted from 1, in order). */
  | { t: 'send'; hub: string; link: string; n: number; data: string }
  /** The tab closed its link. */
  | { t: 'bye'; hub: string; link: string }
  /** The hub opened the link; `share`: how many messages the tab may have waiting in its outbox. */
  | { t: 'opened'; hub: string; link: string; share: number }
  /** A protocol v1 frame, hub to tab. */
  | { t: 'down'; hub: string; link: string; data: string }
  /** The tab's sends up to its `n`th were written to the server; its share now. */
  | { t: 'ack'; hub: string; link: string; n: number; share: number }
  /** The tab's share is full: request `id` (or send `n`, with `id` empty) was refused. */
  | { t: 'full'; hub: string; link: string; id: string; n: number; share: number }
  /** The hub closed the link, with the code the tab's client acts on. */
  | { t: 'closed'; hub: string; link: string; code: number; reason: string };

/**
 * @internal The hello every version posts on the rendezvous channel when a tab joins, and
 * (`reply`) in answer to the hello of another version: so that both learn of each other,
 * whichever came first. A reply is never answered.
 */
export interface Hello {
  eventwire: 'share';
  v: number;
  reply?: true;
}

/** @internal Caps of a share's messages. */
export interface WireCaps {
  /** The protocol spoken: a message of any other is refused. */
  readonly version: number;
  /** The longest `data` (UTF-16 units; a string longer than N units holds more than N UTF-8 bytes). */
  readonly maxData: number;
}

/** The largest share a hub may grant (an outbox of at most this many messages per tab). */
const MAX_SHARE = 1_000_000;
const ID = /^[0-9a-f]{32}$/;

/** @internal A fresh random id (128 bits, hex): a hub's, a tab's, a link's. */
export function newId(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  let id = '';
  for (const byte of bytes) id += (byte < 16 ? '0' : '') + byte.toString(16);
  return id;
}

/** @internal Whether a value is an id of {@link newId}'s form. */
export const isId = (value: unknown): value is string => typeof value === 'string' && ID.test(value);
const isCount = (value: unknown, max: number): value is number =>
  typeof value === 'number' && Number.isSafeInteger(value) && value >= 0 && value <= max;
const isText = (value: unknown, max: number): value is string => typeof value === 'string' && value.length <= max;

/**
 * @internal Reads a message from the versioned channel: the message, or why it is refused.
 * Only the fields of its type are read; the rest of the object is never walked.
 */
export function readMessage(value: unknown, caps: WireCaps): ShareMessage | string {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return 'not an object';
  const m = value as Record<string, unknown>;
  if (m.v !== caps.version)
    return `a message of protocol ${typeof m.v === 'number' ? m.v : `(${typeof m.v})`} on the protocol ${caps.version} channel`;
  const { t } = m;
  if (!isId(m.hub)) return 'a bad hub id';
  if (t === 'hub') return m as ShareMessage;
  if (!isId(m.link)) return 'a bad link id';
  switch (t) {
    case 'open':
    case 'bye':
      return m as ShareMessage;
    case 'up':
    case 'down':
      return isText(m.data, caps.maxData) ? (m as ShareMessage) : `a bad or oversized ${t} frame`;
    case 'send':
      return isCount(m.n, Number.MAX_SAFE_INTEGER) && m.n > 0 && isText(m.data, caps.maxData)
        ? (m as ShareMessage)
        : 'a bad or oversized send';
    case 'opened':
      return isCount(m.share, MAX_SHARE) ? (m as ShareMessage) : 'a bad share';
    case 'ack':
      return isCount(m.n, Number.MAX_SAFE_INTEGER) && isCount(m.share, MAX_SHARE) ? (m as ShareMessage) : 'a bad ack';
    case 'full':
      return isText(m.id, 256) && isCount(m.n, Number.MAX_SAFE_INTEGER) && isCount(m.share, MAX_SHARE)
        ? (m as ShareMessage)
        : 'a bad refusal';
    case 'closed':
      return isCount(m.code, 4999) && m.code >= 1000 && isText(m.reason, 123) ? (m as ShareMessage) : 'a bad close';
    default:
      return `an unknown type ${typeof t === 'string' ? JSON.stringify(t.slice(0, 20)) : `(${typeof t})`}`;
  }
}

/**
 * @internal What a message on the rendezvous channel says of the tab that posted it: its
 * protocol, and whether it awaits an answer (a hello that is not a reply). A message of
 * eventwire 0.1 (`{ t, from }`) says protocol 1 and awaits none (that version answers
 * nothing). Undefined for anything else: refused.
 */
export function readHello(value: unknown): { v: number; answer: boolean } | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const m = value as Record<string, unknown>;
  if (m.eventwire === 'share')
    return isCount(m.v, 1_000_000) && m.v > 0 && (m.reply === undefined || m.reply === true)
      ? { v: m.v, answer: m.reply === undefined }
      : undefined;
  return typeof m.t === 'string' && typeof m.from === 'string' ? { v: 1, answer: false } : undefined;
}
