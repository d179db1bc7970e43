import type { EventwireError } from '../../errors/base.js';
import type { EventwireEvent } from '../../protocol/event.js';
import type { LifecycleEvents } from '../../types.js';

/**
 * @internal What the link tells the client core: what the server said for the client (events,
 * confirmations, responses, errors) and the link's lifecycle. Everything about the link itself
 * (greeting, credentials refused, pings and pongs, undecodable frames) stays in the link.
 */
export interface LinkHost {
  /** An event for listeners and subscriptions. */
  event(event: EventwireEvent): void;
  /** The server confirmed subscription `id` (with the stream head and any gap it could not replay). */
  subscribed(id: string, seq?: number, gap?: { from: number; to: number }): void;
  /** The server ended subscription `id`. */
  unsubscribed(id: string): void;
  /** The answer to a request (see `DialectSink.response`); false when no request waits for it. */
  response(
    key: string,
    byMethod: boolean,
    ok: boolean,
    result: unknown,
    error?: { code: string; message: string },
  ): boolean;
  /** An error the server reported, with the subscription or request it concerns, if any. */
  serverError(code: string, message: string, id?: string): void;
  /** The link went down (subscriptions fall back to pending). */
  linkLost(): void;
  /** The client stopped for good; `error` is what stopped it, undefined for `close()`. */
  stopped(error: EventwireError | undefined, code: number, reason: string): void;
  /** A lifecycle event, for the log and the listeners. */
  emit<K extends keyof LifecycleEvents>(type: K, payload: LifecycleEvents[K]): void;
  /**
   * An error for the `error` listeners. Without one it goes to the console, unless `quiet`
   * (another failed attempt of a run whose first one the console already showed).
   */
  report(error: EventwireError, quiet?: boolean): void;
  /** The event names the client listens to, or undefined for all (some dialects put them on the URL). */
  interest(): readonly string[] | undefined;
  /** What the client still loads before it may dial (a module its dialect needs), if anything. */
  readonly preparing?: Promise<unknown> | undefined;
}
