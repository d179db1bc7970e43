import { words } from '#words';
import { shown as quoted } from '../../errors/base.js';
import { DecodeError } from '../../errors/errors.js';

/**
 * @internal A `subscribed` or `unsubscribed` (`type`) for subscription `id`, which the client does not
 * hold: a DecodeError (`invalid_message`) when it is no id this client ever gave (the core's `sub-n` and
 * `on-n`, n at most `count`, its counter), else undefined: a subscription it ended, whose unsubscribe
 * the server answers, or whose confirmation crossed it. Each client (a sharing tab's, the share hub's)
 * is answered in its own ids. An `unsubscribed` for one it holds (`live`), which it did not end, is one too.
 */
export function stranger(type: string, id: string, count: number, live: boolean): DecodeError | undefined {
  const shown = quoted(id.slice(0, 80));
  // the server ended one the client did not: said on it (its events may stop), and it is kept
  if (live)
    return type === 'unsubscribed'
      ? new DecodeError(
          'invalid_message',
          words
            ? `unsubscribed for ${shown}, which this client did not unsubscribe: it is kept, but its events may stop`
            : `unsubscribed: ${shown} is live`,
        )
      : undefined;
  const n = /^(?:sub|on)-([1-9]\d*)$/.exec(id)?.[1];
  if (n && +n <= count) return undefined;
  return new DecodeError(
    'invalid_message',
    words ? `${type} for ${shown}, no subscription of this client's` : `${type}: unknown id ${shown}`,
  );
}
