import { afterEach } from 'vitest';

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const fn of cleanups.splice(0).reverse()) await fn();
});

/** Closes `x` after the current test, whatever its outcome; returns it. */
export function track<T extends { close(): unknown }>(x: T): T {
  cleanups.push(() => x.close());
  return x;
}
