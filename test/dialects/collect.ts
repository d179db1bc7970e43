import type { EventwireEvent } from '../../src/index.js';

/** Collects what a handler receives; `until(n)` resolves once `n` arrived. */
export function collect<T = EventwireEvent>(on: (handler: (value: T) => void) => unknown) {
  const seen: T[] = [];
  let wake = () => {};
  on((value) => {
    seen.push(value);
    wake();
  });
  return {
    seen,
    async until(n: number) {
      while (seen.length < n) await new Promise<void>((r) => (wake = r));
    },
  };
}

export const quick = { minDelay: 5, maxDelay: 20 };
