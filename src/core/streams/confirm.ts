import { words } from '#words';
import type { EventwireError } from '../../errors/base.js';
import { TimeoutError } from '../../errors/errors.js';
import type { Clock } from '../util/clock.js';

/** What the watch reads of a subscription, and how it reports. */
interface Watched {
  readonly id: string;
  readonly state: string;
  fail(error: EventwireError): void;
}

/**
 * @internal Watches a subscribe sent to a server that confirms subscriptions (`subscribed`): still pending
 * `requestTimeout` ms later, the subscription reports a `TimeoutError` (on itself and the client) and goes on
 * waiting. Why: until it is confirmed its events are left to its replay, so a server that never confirms
 * would have them dropped without a word. Returns the watch's stop; nothing for a timeout of Infinity.
 */
export function watchConfirm(
  sub: Watched,
  options: { clock: Clock; requestTimeout: number },
): (() => void) | undefined {
  const { clock, requestTimeout: ms } = options;
  if (!(ms < Number.POSITIVE_INFINITY)) return undefined; // no timer: a platform fires an over-long one at once
  const handle = clock.setTimeout(() => {
    if (sub.state !== 'pending') return;
    sub.fail(
      new TimeoutError(
        words
          ? `subscription ${sub.id} was not confirmed within ${ms} ms: its events wait for the server's subscribed`
          : `${sub.id} not confirmed in ${ms} ms`,
      ),
    );
  }, ms);
  return () => clock.clearTimeout(handle);
}
