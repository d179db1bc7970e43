/**
 * @internal `share: 'tabs'`: tabs of one origin hold one connection between them. Loaded on
 * demand (a dynamic import), so an app that never shares carries none of it.
 *
 * Every sharing tab asks for the Web Lock named after the share key and the channel protocol.
 * The tab holding it leads: it runs the {@link Hub}, the one real connection, and holds a
 * second lock named after the hub's id while it does. Every tab, the leader included, runs its
 * own client over a link to the hub ({@link TabLinker}), so each keeps the full API, its own
 * subscriptions, cursors and pending requests. When the leader's tab closes or crashes, the
 * browser releases its locks: the tabs linked to it see the hub's lock go, a waiting tab gets
 * the leader's lock, and every client reconnects and resubscribes from its cursor, as after
 * any reconnect.
 *
 * Tabs of another channel protocol (an older or newer eventwire) are heard on the rendezvous
 * channel; a tab that hears one stops sharing for good and runs a hub of its own, on a private
 * channel: its own socket, with `stats().share` saying why.
 */
import type { RequestOptions } from '../core/outbox/requests.js';
import type { EventwireError } from '../errors/base.js';
import type { QueueFullError } from '../errors/errors.js';
import type { ClientOptions, ResolvedOptions } from '../options.js';
import type { TransportFactory } from '../transport/transport.js';
import type { ConnectionState, EventSchemas, LifecycleEvents, SendResult, ShareStats } from '../types.js';
import { Hub } from './hub.js';
import type { HubClient, ShareKit, ShareKitList } from './hub-link.js';
import { TabOutbox } from './tab-outbox.js';
import { type LinkGroup, TabLinker } from './tab-transport.js';
import {
  type Hello,
  isId,
  linkLock,
  newId,
  readHello,
  readMessage,
  type ShareNames,
  shareNames,
  shareProtocol,
} from './wire.js';

/** @internal What the share needs of the tab's own client core. */
export interface TabCore {
  readonly state: ConnectionState;
  encode(message: object): string;
  report(error: EventwireError): void;
  /** `send()`, its frame given to `push` (where a sharing tab's sends go) instead of the core's outbox. */
  send(message: object, push: (frame: string) => SendResult): SendResult;
  /** A request with the id the share chose. */
  request(method: string, params: unknown, options: RequestOptions | undefined, id: string): Promise<unknown>;
  /** A listener of the client's state changes (the share follows them). */
  on(type: 'state', listener: (change: LifecycleEvents['state']) => void): () => void;
}

/** @internal What the share's code takes over once loaded: the sends accepted before, the tab's core. */
export interface Early {
  /** Sends accepted before the share loaded. */
  readonly frames: string[];
  core: TabCore | undefined;
}

/** @internal One tab's part in a share. */
export interface TabShare {
  /** The tab client's transport: a link to the hub. */
  readonly transport: TransportFactory;
  /** Follows the tab client's state: it joins the election when the client connects, leaves when it closes. */
  follow(to: ConnectionState): void;
  state(): ShareStats;
  /** A `send()` of the tab (its frame): `'queued'` within its share of the hub's outbox, else `'refused'`. */
  send(frame: string): SendResult;
  /** A `QueueFullError` when the hub refused request `id` for a full share, else undefined. */
  refused(id: string): QueueFullError | undefined;
}

/**
 * @internal What a tab's share is made from, handed over by the share's plan (a list, in this
 * order: the plan is in the first load, where an object's keys cost bytes that a list's places do not):
 * - `shareKey`: the option (default: the url and the dialect's name);
 * - `own`: the tab's own options (without `share`), as given, and `real`, resolved: those of the
 *   hub's client if it leads;
 * - `early`: the tab's client core, and the sends it accepted before the share loaded (the share takes them over);
 * - `prefix`: the start of the ids of the tab's requests;
 * - `kit`: what the share takes of the first load, the core's own parsers and the error classes;
 * - `makeClient`: makes a client of the real connection with these options (the hub's, if this tab
 *   leads or has its own socket).
 */
export type ShareConfig = readonly [
  shareKey: string | undefined,
  own: ClientOptions<EventSchemas>,
  real: ResolvedOptions,
  early: Early,
  prefix: string,
  kit: ShareKitList,
  makeClient: (options: ClientOptions<EventSchemas>) => HubClient,
];

/** The hub the Web Locks name: the one holding `<channel>:hub:<id>` in the page that holds the leader's lock. */
async function findHub(names: ShareNames): Promise<string | undefined> {
  const { held = [] } = await navigator.locks.query();
  const leader = held.find((lock) => lock.name === names.channel);
  if (!leader) return undefined;
  const prefix = names.hubLock('');
  let hub: string | undefined;
  for (const lock of held) {
    const id = lock.name?.startsWith(prefix) ? lock.name.slice(prefix.length) : undefined;
    if (id !== undefined && isId(id) && lock.clientId === leader.clientId) hub = id;
  }
  return hub;
}

/** Takes the Web Lock of `link` on `channel`; resolves once held, holds it until `signal` aborts. */
const holdLink = (channel: string, link: string, signal: AbortSignal) =>
  new Promise<void>((held) => {
    navigator.locks
      .request(linkLock(channel, link), { signal }, () => {
        held();
        return new Promise<void>((release) => signal.addEventListener('abort', () => release(), { once: true }));
      })
      .catch(() => {
        // aborted before it was granted: the link ended
      });
  });

/** Takes Web Lock `name` when free; resolves with its release. */
const holdLock = (name: string) =>
  new Promise<() => void>((resolve) => {
    void navigator.locks.request(name, () => new Promise<void>((release) => resolve(release)));
  });

/** @internal Joins the share of `shareKey` (see {@link ShareConfig}). */
export function shareTabs(config: ShareConfig): TabShare {
  const [shareKey, ownOptions, real, early, prefix, kitList, makeClient] = config;
  const [hasProtoKey, parseFilters, DecodeError, QueueFullError, AuthError, RequestError] = kitList;
  const kit: ShareKit = { hasProtoKey, parseFilters, DecodeError, QueueFullError, AuthError, RequestError };
  const report = (error: EventwireError) => early.core?.report(error);
  // The channel's coarse cap on a frame (UTF-16 units), as the socket's (`maxPayload`): a frame
  // re-encoded by the hub may be a little longer than it came; the codecs cap the bytes.
  const maxData = real.maxPayload;
  const outbox = new TabOutbox(real.outboxSize, maxData, prefix, report, QueueFullError);
  for (const frame of early.frames.splice(0)) outbox.send(frame);
  const encode = (frame: object) => early.core?.encode(frame) ?? JSON.stringify(frame);
  const version = shareProtocol();
  const names = shareNames(shareKey ?? `${real.url}|${real.dialect.name}`, version);
  const caps = { version, maxData };
  let rejected = 0;
  /** Counts a refused message; reports the 1st, 2nd, 4th, 8th…: never silent, never a flood of errors. */
  const reject = (what: string) => {
    rejected++;
    if ((rejected & (rejected - 1)) === 0)
      report(
        new DecodeError({
          reason: 'invalid_message',
          message: `share: refused ${what} (${rejected} so far, see stats().share.rejected)`,
        }),
      );
  };
  /** Why this tab stopped sharing; undefined while it shares. */
  let reason: string | undefined;
  /** The tab's client is connecting or open (between `join()` and `leave()`). */
  let active = false;
  let hub: Hub | undefined;
  let release: (() => void) | undefined;
  let abort: AbortController | undefined;
  /** Once it stopped sharing: its own hub, on a private channel. */
  let own: { group: LinkGroup; id: string; channel: string; hub: Hub | undefined } | undefined;
  /** The channels, open while the client is active: the versioned one (until the tab stops sharing), its own, the rendezvous. */
  let port: BroadcastChannel | undefined;
  let ownPort: BroadcastChannel | undefined;
  let rendezvous: BroadcastChannel | undefined;

  const listen = (channel: string, group: LinkGroup) => {
    const opened = new BroadcastChannel(channel);
    opened.onmessage = ({ data }: MessageEvent) => {
      const m = readMessage(data, caps);
      if (typeof m === 'string') return reject(m);
      switch (m.t) {
        case 'hub':
          if (group === linker.group) linker.announced(m.hub);
          return;
        case 'open':
        case 'up':
        case 'send':
        case 'bye':
          return; // for the hub, in whichever tab leads
        default:
          return linker.receive(m, group);
      }
    };
    return opened;
  };
  /** Versions meet on the rendezvous channel: each says which protocol it speaks. */
  const hello = ({ data }: MessageEvent) => {
    const said = readHello(data);
    if (!said) return reject('a message on the rendezvous channel that no eventwire sends');
    if (said.v === version) return;
    if (said.answer) rendezvous?.postMessage({ eventwire: 'share', v: version, reply: true } satisfies Hello);
    stopSharing(
      `a tab of this origin speaks share protocol ${said.v} and this one ${version}: they share nothing, each has its own socket`,
    );
  };
  /** Opens the channels this tab listens to now. */
  const ensure = () => {
    if (!rendezvous) {
      rendezvous = new BroadcastChannel(names.rendezvous);
      rendezvous.onmessage = hello;
      rendezvous.postMessage({ eventwire: 'share', v: version } satisfies Hello);
    }
    if (reason === undefined) port ??= listen(names.channel, shared);
    if (own) ownPort ??= listen(own.channel, own.group);
  };
  const shut = (channel: BroadcastChannel | undefined) => {
    if (!channel) return undefined;
    channel.onmessage = null;
    channel.close();
    return undefined;
  };

  const shared: LinkGroup = {
    post(message) {
      ensure();
      message.v = version;
      port?.postMessage(message);
    },
    findHub: () => findHub(names),
    hold: (link, signal) => holdLink(names.channel, link, signal),
    watch: (id, signal) =>
      navigator.locks
        .request(names.hubLock(id), { signal }, () => true)
        .then(
          () => true,
          () => false,
        ),
  };
  const linker = new TabLinker(shared, outbox, {
    rejected: reject,
    refused: (why) => stopSharing(why),
    opened(group) {
      if (group !== shared) port = shut(port); // the shared hub's last acks came before this
    },
    encode,
    maxData,
    oversized: (length) =>
      report(
        new DecodeError({
          reason: 'too_large',
          message: `share: a frame of ${length} characters is over what the channel carries (${maxData}): not sent`,
        }),
      ),
  });

  const newHub = (id: string, channel: string) =>
    new Hub({ id, channel, client: hubClient(), kit, caps, rejected: reject, report });
  // the hub's client: this tab's connection options, relaying without schemas or listeners
  const hubClient = () => makeClient({ ...ownOptions, events: undefined, on: undefined, lazy: false, acks: 'auto' });

  const leaveElection = () => {
    abort?.abort();
    abort = undefined;
    hub?.stop();
    hub = undefined;
    release?.();
    release = undefined;
  };

  const join = () => {
    active = true;
    ensure();
    if (own) {
      if (!own.hub) {
        own.hub = newHub(own.id, own.channel);
        own.hub.start();
      }
      return;
    }
    if (abort) return;
    const controller = new AbortController();
    abort = controller;
    navigator.locks
      .request(names.channel, { signal: controller.signal }, async () => {
        if (controller.signal.aborted) return;
        const id = newId();
        // the hub listens before its lock names it to the tabs, and announces itself once it holds it
        const next = newHub(id, names.channel);
        const releaseHub = await holdLock(names.hubLock(id));
        if (controller.signal.aborted) {
          next.stop();
          return releaseHub();
        }
        hub = next;
        hub.start();
        await new Promise<void>((resolve) => {
          release = () => {
            releaseHub();
            resolve();
          };
        });
      })
      .catch(() => {
        // aborted while waiting for the lock: this tab left the share
      });
  };

  /** Stops sharing for good: this tab's client gets a hub (and a socket) of its own. */
  const stopSharing = (why: string) => {
    if (reason !== undefined) return;
    reason = why;
    leaveElection();
    const id = newId();
    const channel = `${names.channel}:own:${newId()}`;
    const group: LinkGroup = {
      post(message) {
        ensure();
        message.v = version;
        ownPort?.postMessage(message);
      },
      findHub: async () => (own?.hub ? id : undefined),
      hold: (link, signal) => holdLink(channel, link, signal),
      watch: (_hub, signal) =>
        new Promise<boolean>((resolve) => signal.addEventListener('abort', () => resolve(false), { once: true })),
    };
    own = { group, id, channel, hub: undefined };
    if (active) join();
    linker.moveTo(group, `sharing stopped: ${why}`);
  };

  /** Leaves the election (the tab client closed): releases the locks (and stops the hub) if this tab leads; drops what waits. */
  const leave = () => {
    active = false;
    leaveElection();
    own?.hub?.stop();
    if (own) own.hub = undefined;
    port = shut(port);
    ownPort = shut(ownPort);
    rendezvous = shut(rendezvous);
    outbox.clear();
  };
  // the tab's client is connecting or open: it joins the election
  const state = early.core?.state;
  if (state && state !== 'idle' && state !== 'closed') join();

  return {
    transport: linker.transport,
    follow(to) {
      if (to === 'connecting') join();
      else if (to === 'closed') leave();
    },
    send: (frame) => outbox.send(frame),
    refused: (id) => outbox.refused(id),
    state() {
      const figures = { rejected, queued: outbox.waiting, share: outbox.share };
      if (reason !== undefined) return { role: 'own socket', reason, ...figures };
      return hub ? { role: 'leader', tabs: hub.tabs, ...figures } : { role: 'follower', ...figures };
    },
  };
}
