import { words } from '#words';
import { kind, shown } from '../errors/base.js';
import { fail, num, optionObject, secretless } from '../protocol/option-rules.js';

/**
 * @internal The options of a built-in dialect's factory, refused at the call with an
 * `OptionsError` as the client's are: not an object (`null` is absent, as for the client's
 * options), or a key the factory does not know, with the nearest it does
 * (`unknown querri() option: pingIntervall (did you mean pingInterval?)`). A `pingInterval`
 * must be a number > 0 (0, NaN or "30" made every link dead, or never dead, without a word).
 */
export function dialectOptions<T extends object>(name: string, options: T | null | undefined, known: string): T {
  secretless(name, options);
  const given =
    optionObject(`${name}() options`, options ?? undefined, known.split(' '), `${name}() option`) ?? ({} as T);
  const { pingInterval } = given as { pingInterval?: unknown };
  if (pingInterval !== undefined) num('pingInterval', pingInterval, 0, true);
  return given;
}

/**
 * @internal Refuses what a factory that takes no options was given (`forge({ token })`,
 * `provisioning({ batchSize: 5 })`): each is the client's option, or none at all.
 */
export function noOptions(name: string, args: readonly unknown[]): void {
  const [given] = args;
  // null and {} are absent (factory(options ?? {}) passes options on generically)
  if (given == null || (kind(given) === 'an object' && Object.keys(given).length === 0)) return;
  secretless(name, given);
  fail(
    words
      ? `${name}() takes no options (the token, batchSize and the like are createClient()'s), got ${shown(given)}`
      : `${name}() takes no options: ${shown(given)}`,
  );
}
