/**
 * A hint from the environment that affects the link.
 * - `online` / `offline`: the browser's network events.
 * - `visible`: the page became visible again (its timers may have been throttled).
 * @example `signals.subscribe((signal: NetworkSignal) => console.log(signal))`
 */
export type NetworkSignal = 'online' | 'offline' | 'visible';

/**
 * Where the client learns about network and visibility changes. Browsers get
 * {@link browserSignals} by default; Node has none.
 *
 * @example
 * ```ts
 * createClient({ url, signals: { isOnline: () => true, subscribe: () => () => {} } });
 * ```
 */
export interface NetworkSignals {
  /** Whether the environment believes it is online. */
  isOnline(): boolean;
  /** Calls `listener` on each change; returns the function that stops it. */
  subscribe(listener: (signal: NetworkSignal) => void): () => void;
}

interface BrowserGlobals {
  addEventListener?: (type: string, fn: () => void) => void;
  removeEventListener?: (type: string, fn: () => void) => void;
  navigator?: { onLine?: boolean };
  document?: {
    visibilityState?: string;
    addEventListener(type: string, fn: () => void): void;
    removeEventListener(type: string, fn: () => void): void;
  };
}

/**
 * The window's `online`/`offline` events and the document's `visibilitychange`, or
 * undefined outside a browser.
 *
 * @default used automatically when `window` exists
 * @example `createClient({ url, signals: browserSignals() })`
 */
export function browserSignals(g: BrowserGlobals = globalThis as BrowserGlobals): NetworkSignals | undefined {
  const add = g.addEventListener;
  const remove = g.removeEventListener;
  if (typeof add !== 'function' || typeof remove !== 'function') return undefined;
  // one for every client of the page (they hold no state), while the globals' functions are the same
  if (last?.[0] === g && last[1] === add && last[2] === remove) return last[3];
  const signals: NetworkSignals = {
    isOnline: () => g.navigator?.onLine !== false,
    subscribe(listener) {
      const online = () => listener('online');
      const offline = () => listener('offline');
      const visible = () => {
        if (g.document?.visibilityState === 'visible') listener('visible');
      };
      add.call(g, 'online', online);
      add.call(g, 'offline', offline);
      g.document?.addEventListener('visibilitychange', visible);
      return () => {
        remove.call(g, 'online', online);
        remove.call(g, 'offline', offline);
        g.document?.removeEventListener('visibilitychange', visible);
      };
    },
  };
  last = [g, add, remove, signals];
  return signals;
}

/** The last signals made, with the globals and functions they were made for. */
let last: [BrowserGlobals, unknown, unknown, NetworkSignals] | undefined;
