/**
 * @internal What tabs say to each other on the share's `BroadcastChannel`. Every tab hears
 * every message; `to` names the tab a message is for. Between a tab and the hub, `frame`s are
 * protocol v1 frames, exactly what a server and a client would exchange.
 */
export type ShareMessage =
  /** A hub started (a new leader): links to any other hub are gone; pending opens go to it. */
  | { t: 'hub'; from: string }
  /** A tab asks the hub for a link. */
  | { t: 'open'; from: string }
  /** The hub accepted a tab's link (its own link to the server is open). */
  | { t: 'opened'; from: string; to: string }
  /** A v1 frame, tab to hub (`to` is the hub) or hub to tab. */
  | { t: 'frame'; from: string; to: string; data: string }
  /** The link ended: the tab left, or the hub's link to the server closed (with its code). */
  | { t: 'closed'; from: string; to: string; code: number; reason: string };

/** @internal The channel's and the Web Lock's name for a share key. */
export const channelName = (key: string) => `eventwire:share:${key}`;

/** @internal A random id for a tab (its links and its hub). */
export const tabId = () => Math.random().toString(36).slice(2, 10);

/** @internal Whether a value read from the channel is a share message (tabs of one origin, still checked). */
export function isShareMessage(value: unknown): value is ShareMessage {
  if (typeof value !== 'object' || value === null) return false;
  const m = value as { t?: unknown; from?: unknown };
  return typeof m.t === 'string' && typeof m.from === 'string';
}
