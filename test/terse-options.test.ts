/**
 * The option checks' messages as a browser production bundle has them (`#words` false): each
 * refusal keeps its class, its code and its facts (the option's path, what it must be, what it
 * got, the name the unknown key was given) and drops the explanation around them (the fix, the
 * example, the nearest known key). In Node (`#words` true) the full messages stand: test/options.test.ts,
 * test/misuse.test.ts and test/dialects/factory-options.test.ts hold them word for word.
 */
import { describe, expect, it, vi } from 'vitest';
import * as z from 'zod/mini';
import { forge, querri } from '../src/dialects/index.js';
import { createClient, isOptionsError, OptionsError } from '../src/index.js';
import { track } from './cleanup.js';
import { thrown } from './helpers.js';

// the sources as a production bundle loads them: messages without their explanations
vi.mock('#words', () => ({ words: false }));

const url = 'ws://127.0.0.1:1';

/** The OptionsError `call` throws, checked for its class and code; its message. */
const refusal = (call: () => unknown): string => {
  const error = thrown(call);
  expect(error).toBeInstanceOf(OptionsError);
  expect(isOptionsError(error)).toBe(true);
  expect((error as OptionsError).code).toBe('ERR_OPTIONS');
  return (error as OptionsError).message;
};
const refused = (options: unknown): string => refusal(() => createClient(options as never));

describe('option refusals in a production bundle: the facts, not the explanation', () => {
  it('the url: what was given (redacted), without the rule spelled out or the fix', () => {
    expect(refused({ url: 'localhost:8080' })).toBe('url: "localhost:8080"'); // no "did you mean ws://…"
    expect(refused({ url: 'wss://user:pw@x.example/p?token=SECRET#/home' })).toBe('url: "wss://…@x.example/p?…#/home"');
    expect(refused({})).toBe('url is required'); // no example
    expect(refused(undefined)).toBe('url is required');
    // the URL alone, as other SDKs take it: what was given, its query (a token?) left out
    expect(refused('wss://x.example/ws?token=SECRET')).toBe('options: "wss://x.example/ws?…"');
  });

  it('unknown keys are named with their path, without the nearest known one', () => {
    expect(refused({ url, tokn: 't', lazzy: true })).toBe('unknown options: tokn, lazzy');
    expect(refused({ url, heartbeat: { intervl: 5 } })).toBe('unknown option: heartbeat.intervl');
    expect(refusal(() => querri({ pingIntervall: 1 } as never))).toBe('unknown querri() option: pingIntervall');
    const client = track(createClient({ url, lazy: true, signals: false }));
    expect(refusal(() => client.subscribe('LogEntry', { buffersize: 10 } as never))).toBe(
      'unknown subscribe option: buffersize',
    );
    // a subscribe rule keeps what it must be, without the explanation of a seq
    expect(refusal(() => client.subscribe('LogEntry', { since: 'yesterday' }))).toBe(
      'since must be a seq or an ISO time, got "yesterday"',
    );
  });

  it('values of the wrong kind: the option and the kind of what it got (never a secret itself)', () => {
    expect(refused({ url, token: 42 })).toBe('token: a number');
    expect(refused({ url, headers: 'cookie=SECRET' })).toBe('headers: a string');
    expect(refused({ url, headers: { 'x-n': 1 } })).toBe('headers["x-n"]: a number');
    expect(refused({ url, events: { LogEntry: 5 } })).toBe('events.LogEntry must be a Standard Schema, got 5');
    expect(refused({ url, events: { LogEntry: z.string() }, on: { eror: () => {} } })).toBe('unknown event: on.eror');
  });

  it('dialects: a factory not called, a hand-built one with a wrong field, a factory given what it does not take', () => {
    expect(refused({ url, dialect: querri })).toBe('dialect must be a Dialect, got a function');
    expect(refused({ url, dialect: { ...querri(), protocols: 'SECRET' } })).toBe('dialect.protocols: a string');
    expect(refusal(() => (forge as (o: unknown) => unknown)({ token: 'SECRET' }))).toBe(
      'forge() takes no options: an object',
    );
    expect(refusal(() => querri('SECRET' as never))).toBe('querri() options: a string');
  });
});
