/**
 * @internal How handlers took an event, for its ack: `undefined` when every handler returned
 * (the common, synchronous case: nothing allocated), `false` when one threw or the event was
 * dropped, or a promise of that verdict when some are still running.
 */
export type Outcome = undefined | false | PromiseLike<boolean>;

const allTrue = (results: boolean[]) => results.every(Boolean);

/** @internal Both outcomes: a failure wins at once; otherwise wait for whatever still runs. */
export function merge(a: Outcome, b: Outcome): Outcome {
  if (a === false || b === false) return false;
  if (a === undefined) return b;
  if (b === undefined) return a;
  return Promise.all([a, b]).then(allTrue);
}
