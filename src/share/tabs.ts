/**
 * @internal `share: 'tabs'`: tabs of one origin hold one connection between them. Loaded on
 * demand (a dynamic import), so an app that never shares carries none of it.
 *
 * Every sharing tab asks for the Web Lock named after the share key. The tab holding it leads:
 * it runs the {@link Hub}, the one real connection. Every tab, the leader included, runs its
 * own client over a link to the hub (`createTabTransport`), so each keeps the full API, its own
 * subscriptions, cursors and pending requests. When the leader's tab closes or crashes, the
 * browser hands the lock to a waiting tab within moments; its hub announces itself, every tab's
 * link to the old hub closes, and each client reconnects and resubscribes from its cursor, as
 * after any reconnect.
 */
import type { TransportFactory } from '../transport/transport.js';
import type { ShareStats } from '../types.js';
import { Hub, type HubClient } from './hub.js';
import { createTabTransport } from './tab-transport.js';
import { channelName, tabId } from './wire.js';

/** @internal One tab's part in a share. */
export interface TabShare {
  /** The tab client's transport: a link to the hub. */
  readonly transport: TransportFactory;
  /** Enters the election (the tab client is connecting). */
  join(): void;
  /** Leaves it: releases the lock (and stops the hub) if this tab leads. */
  leave(): void;
  state(): ShareStats;
}

/**
 * @internal Joins the share `key`. `hubClient` makes this tab's client of the real
 * connection, used if it becomes the leader.
 */
export function shareTabs(key: string, hubClient: () => HubClient): TabShare {
  const id = tabId();
  const name = channelName(key);
  let hub: Hub | undefined;
  let release: (() => void) | undefined;
  let abort: AbortController | undefined;

  const join = () => {
    if (abort) return;
    const controller = new AbortController();
    abort = controller;
    navigator.locks
      .request(name, { signal: controller.signal }, () => {
        if (controller.signal.aborted) return undefined;
        hub = new Hub(id, name, hubClient());
        hub.start();
        return new Promise<void>((resolve) => {
          release = resolve;
        });
      })
      .catch(() => {
        // aborted while waiting for the lock: this tab left the share
      });
  };

  return {
    transport: createTabTransport(name, id),
    join,
    leave() {
      abort?.abort();
      abort = undefined;
      hub?.stop();
      hub = undefined;
      release?.();
      release = undefined;
    },
    state: () => (hub ? { role: 'leader', tabs: hub.tabs } : { role: 'follower' }),
  };
}
