/**
 * The dialect factories refuse a mistake at the call with the client's `OptionsError`, as
 * createClient() does: a misspelled key (it was ignored, the default kept), a value of the
 * wrong kind or out of range (kept as given: `pingInterval: 0` made every link dead at once),
 * or options given to a factory that takes none (`forge({ token })`: the token never sent).
 */
import { describe, expect, it } from 'vitest';
import { buster, eventwire, forge, mdb, provisioning, querri } from '../../src/dialects/index.js';
import { isOptionsError } from '../../src/index.js';
import { thrown } from '../helpers.js';

/** The message of the OptionsError `call` throws (undefined when it throws none). */
const refusal = (call: () => unknown): string | undefined => {
  const error = thrown(call);
  return isOptionsError(error) ? error.message : error === undefined ? undefined : `not an OptionsError: ${error}`;
};
// JavaScript callers (and `as never` here) get past the types
const loose = <T>(f: (o?: T) => unknown) => f as (o?: unknown) => unknown;

describe('dialect factories: options refused at the call', () => {
  it('querri() and mdb(): unknown keys with the nearest, pingInterval a number > 0, an object', () => {
    for (const [name, f] of [
      ['querri', loose(querri)],
      ['mdb', loose(mdb)],
    ] as const) {
      expect(refusal(() => f({ pingIntervall: 1 }))).toBe(
        `unknown ${name}() option: pingIntervall (did you mean pingInterval?)`,
      );
      expect(refusal(() => f({ pingInterval: 0 }))).toBe('pingInterval must be a number > 0, got 0');
      expect(refusal(() => f({ pingInterval: '30000' }))).toBe('pingInterval must be a number > 0, got "30000"');
      expect(refusal(() => f({ pingInterval: Number.NaN }))).toBe('pingInterval must be a number > 0, got NaN');
      expect(refusal(() => f(30_000))).toBe(`${name}() options must be an object, got 30000`);
      // a string is often the token meant for createClient(): never echoed
      expect(refusal(() => f('eyJ.secret'))).toBe(
        `${name}() options must be an object, got a string (the token is createClient()'s)`,
      );
      // was a TypeError (reading pingInterval of null); null is absent, as for the client's options
      expect(refusal(() => f(null))).toBeUndefined();
      expect(refusal(() => f({ pingInterval: 5_000 }))).toBeUndefined();
    }
    expect((querri({ pingInterval: 5_000 }).liveness as { interval: number }).interval).toBe(5_000);
  });

  it('buster(): terminal an object of route: an array of event names (a string was a set of its letters)', () => {
    const f = loose(buster);
    expect(refusal(() => f({ terminals: {} }))).toBe('unknown buster() option: terminals (did you mean terminal?)');
    expect(refusal(() => f({ terminal: 5 }))).toBe(
      'terminal must be an object of route: event names (not a Map), got 5',
    );
    // a Map passed the object check and was read as no route at all
    expect(refusal(() => f({ terminal: new Map([['/a', ['done']]]) }))).toMatch(
      /^terminal must be an object .*not a Map/,
    );
    expect(refusal(() => f({ terminal: { '/chats/post': 'complete' } }))).toBe(
      'terminal["/chats/post"] must be an array of event names, got "complete"',
    );
    expect(refusal(() => f({ terminal: { '/a': null } }))).toBe(
      'terminal["/a"] must be an array of event names, got null',
    );
    expect(refusal(() => f({ terminal: { '/a': ['done', ''] } }))).toMatch(/^terminal\["\/a"\] must be an array/);
    expect(refusal(() => f(null))).toBeUndefined();
    expect(refusal(() => f({ terminal: { '/reports/run': ['reportReady'] } }))).toBeUndefined();
  });

  it('eventwire(), forge() and provisioning() take no options: what a newcomer gives them is the client’s', () => {
    for (const [name, f] of [
      ['eventwire', loose(eventwire)], // was ignored: eventwire({ token }) sent no token
      ['forge', loose(forge)],
      ['provisioning', loose(provisioning)],
    ] as const) {
      expect(refusal(() => f({ token: 'secret' }))).toBe(
        `${name}() takes no options (the token, batchSize and the like are createClient()'s), got an object`,
      );
      expect(refusal(() => f(undefined))).toBeUndefined();
      // absent as generic code passes options on: factory(options ?? {}), or null
      expect(refusal(() => f({}))).toBeUndefined();
      expect(refusal(() => f(null))).toBeUndefined();
      expect(refusal(() => f('eyJ.secret'))).toBe(
        `${name}() options must be an object, got a string (the token is createClient()'s)`,
      );
    }
  });
});
