import { words } from '#words';
import { hasProtoKey } from '../codec/json.js';
import type { RequestOptions } from '../core/outbox/requests.js';
import { EVENTWIRE } from '../dialects/eventwire.js';
import { AuthError, DecodeError, QueueFullError, RequestError } from '../errors/errors.js';
import type { ClientOptions, ResolvedOptions } from '../options.js';
import { resolveOptions } from '../options.js';
import { parseFilters } from '../protocol/filters.js';
import type { Transport, TransportFactory } from '../transport/transport.js';
import type { EventSchemas, SendResult, ShareStats } from '../types.js';
import type { HubClient, ShareKitList } from './hub-link.js';
import type { Early, TabCore, TabShare } from './tabs.js';

/** @internal Where a sharing tab's `send()` and `request()` go: its share of the leading tab's outbox. */
export interface ShareCalls {
  send(message: object): SendResult;
  request(method: string, params: unknown, options: RequestOptions | undefined): Promise<unknown>;
}

/** @internal What `createClient` does with `share`: the options its own core runs with, and the share's hooks. */
export interface SharePlan {
  /** The options of this tab's client core. */
  options: ResolvedOptions;
  stats(): ShareStats;
  /**
   * Binds the tab's client core (the share follows its state: it joins the election when it
   * connects, leaves when it closes); returns where its sends and requests go (undefined: its
   * own socket, its core).
   */
  bind(core: TabCore): ShareCalls | undefined;
}

/** @internal The client options a share is planned from. */
export type ShareOptions = ClientOptions<EventSchemas> & { share?: unknown; shareKey?: unknown };

/**
 * @internal Plans a client with `share: 'tabs'`: what must be decided when `createClient()`
 * returns, and nothing more. The option is checked here (an `OptionsError`); where Web Locks
 * or BroadcastChannel are missing (Node, some workers) the client has its own socket and says
 * so in `stats().share`. Otherwise its core speaks protocol v1 over a link to the hub of
 * whichever tab leads, and the share itself (the tab's part of the hub's outbox, the election,
 * the hub) loads on demand ({@link TabShare}): an app that never shares carries none of it.
 * Until it has loaded, `send()` queues within the tab's own `outboxSize`, as the share does
 * until a hub grants one, and requests wait in the core, their timeout running.
 */
export function planShare(
  options: ShareOptions,
  makeClient: (options: ClientOptions<EventSchemas>) => HubClient,
): SharePlan {
  // checks share and shareKey too (an OptionsError), like every option
  const real = resolveOptions(options);
  const { share: _share, shareKey, ...own } = options;
  const reason =
    typeof BroadcastChannel !== 'function'
      ? 'no BroadcastChannel'
      : typeof navigator === 'undefined' || !(navigator as { locks?: unknown }).locks
        ? 'no Web Locks (navigator.locks)'
        : undefined;
  if (reason) return { options: real, stats: () => ({ role: 'own socket', reason }), bind: () => undefined };

  let tab: TabShare | undefined;
  const early: Early = { frames: [], core: undefined };
  const prefix = Math.random().toString(36).slice(2, 10);
  let counter = 0;
  const loading = import('./tabs.js').then(
    (m) => {
      // handed over, not imported there: see ShareKit
      const kit: ShareKitList = [hasProtoKey, parseFilters, DecodeError, QueueFullError, AuthError, RequestError];
      tab = m.shareTabs([shareKey as string | undefined, own, real, early, prefix, kit, makeClient]);
      return tab.transport;
    },
    // the code did not load: each attempt fails with the import's error (reported, retried)
    (error: unknown): TransportFactory =>
      (_config, events) => ({
        connect: () =>
          queueMicrotask(() =>
            events.onClose(1006, words ? 'the share code did not load' : 'share code not loaded', error),
          ),
        send: () => false,
        close() {},
      }),
  );
  return {
    options: resolveOptions({
      ...own,
      token: undefined,
      auth: undefined,
      headers: undefined,
      handshake: undefined,
      compression: false,
      batchSize: undefined,
      batchInterval: undefined,
      rateLimit: false,
      dialect: EVENTWIRE,
      transport: lazyTransport(loading),
      heartbeat: { interval: 5_000, timeout: 2_000 }, // a frozen leader tab is noticed in seconds
      connectTimeout: 600_000, // between two leaders an open waits for the next hub
      backoff: { minDelay: 50, maxDelay: 1_000, maxRetries: Number.POSITIVE_INFINITY },
    }),
    stats: () => tab?.state() ?? { role: 'follower', rejected: 0, queued: early.frames.length, share: real.outboxSize },
    bind(core) {
      early.core = core;
      // a close drops what waits; the share, once loaded, joins the election and leaves it
      core.on('state', ({ to }) => {
        if (to === 'closed') early.frames.length = 0;
        tab?.follow(to);
      });
      // where the core's send() puts a frame: the share's outbox, or until it loads, within the tab's own outboxSize
      const push = (frame: string): SendResult => {
        if (tab) return tab.send(frame);
        if (early.frames.length >= real.outboxSize || frame.length > real.maxPayload) return 'refused';
        early.frames.push(frame);
        return 'queued';
      };
      return {
        send: (message) => core.send(message, push),
        request(method, params, options) {
          const id = `${prefix}-${++counter}`;
          return core.request(method, params, options, id).catch((error: unknown) => {
            throw tab?.refused(id) ?? error;
          });
        },
      };
    },
  };
}

/** A transport that waits for the share's code, then is the tab's link to the hub. */
function lazyTransport(loading: Promise<TransportFactory>): TransportFactory {
  return (config, events) => {
    let inner: Transport | undefined;
    let wanted: string | undefined;
    void loading.then((factory) => {
      inner = factory(config, events);
      if (wanted !== undefined) inner.connect(wanted);
    });
    return {
      connect(url) {
        wanted = url;
        inner?.connect(url);
      },
      send: (data) => inner?.send(data) ?? false,
      close(code, reason) {
        wanted = undefined;
        inner?.close(code, reason);
      },
    };
  };
}
