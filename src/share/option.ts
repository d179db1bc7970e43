import { eventwire } from '../dialects/eventwire.js';
import { OptionsError } from '../errors/errors.js';
import type { ClientOptions, ResolvedOptions } from '../options.js';
import { resolveOptions } from '../options.js';
import type { Transport, TransportFactory } from '../transport/transport.js';
import type { EventSchemas, ShareStats } from '../types.js';
import type { HubClient } from './hub.js';

/** @internal What `createClient` does with `share`: the options its own core runs with, and the share's hooks. */
export interface SharePlan {
  /** The options of this tab's client core. */
  options: ResolvedOptions;
  /** Called on each state change of the tab's client: join the election when it connects, leave when it closes. */
  follow(to: string): void;
  stats(): ShareStats;
}

/** Why tabs cannot share here, or undefined when they can. */
function unsupported(): string | undefined {
  if (typeof BroadcastChannel !== 'function') return 'no BroadcastChannel';
  if (typeof navigator === 'undefined' || !(navigator as { locks?: unknown }).locks)
    return 'no Web Locks (navigator.locks)';
  return undefined;
}

/**
 * @internal Plans a client with `share: 'tabs'`. Where Web Locks or BroadcastChannel are
 * missing (Node, some workers) the client has its own socket and says so in `stats().share`.
 * Otherwise its core speaks protocol v1 over a link to the hub of whichever tab leads; its own
 * options (url, token, dialect…) serve the real connection if this tab becomes the leader.
 */
export function planShare(
  options: ClientOptions<EventSchemas> & { share?: unknown; shareKey?: unknown },
  makeClient: (options: ResolvedOptions) => HubClient,
): SharePlan {
  if (options.share !== 'tabs') throw new OptionsError(`share must be 'tabs', got ${JSON.stringify(options.share)}`);
  if (options.shareKey !== undefined && (typeof options.shareKey !== 'string' || options.shareKey === ''))
    throw new OptionsError('shareKey must be a non-empty string');
  const { share: _share, shareKey: _shareKey, ...own } = options;
  const real = resolveOptions(own);
  const reason = unsupported();
  if (reason) return { options: real, follow() {}, stats: () => ({ role: 'own socket', reason }) };

  const key = (options.shareKey as string | undefined) ?? `${real.url}|${real.dialect.name}`;
  // The hub's client: this tab's connection options, relaying without schemas or listeners.
  const hubClient = () =>
    makeClient(resolveOptions({ ...own, events: undefined, on: undefined, lazy: false, acks: 'auto' }));
  let share: import('./tabs.js').TabShare | undefined;
  const loading = import('./tabs.js').then((m) => {
    share = m.shareTabs(key, hubClient);
    return share;
  });
  const tab = resolveOptions({
    ...own,
    token: undefined,
    auth: undefined,
    headers: undefined,
    handshake: undefined,
    compression: false,
    batchSize: undefined,
    batchInterval: undefined,
    rateLimit: false,
    dialect: eventwire(),
    transport: lazyTransport(loading),
    heartbeat: { interval: 5_000, timeout: 2_000 }, // a frozen leader tab is noticed in seconds
    connectTimeout: 600_000, // between two leaders an open waits for the next hub
    backoff: { minDelay: 50, maxDelay: 1_000, maxRetries: Number.POSITIVE_INFINITY },
  });
  return {
    options: tab,
    follow(to) {
      if (to === 'connecting') void loading.then((s) => s.join());
      else if (to === 'closed') share?.leave();
    },
    stats: () => share?.state() ?? { role: 'follower' },
  };
}

/** A transport that loads the share module on first use, then is the tab's link to the hub. */
function lazyTransport(loading: Promise<{ transport: TransportFactory }>): TransportFactory {
  return (config, events) => {
    let inner: Transport | undefined;
    let wanted: string | undefined;
    void loading.then((share) => {
      inner = share.transport(config, events);
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
