import { describe, expect, it } from 'vitest';
import { createClient, isOptionsError, OptionsError } from '../src/index.js';
import { track } from './cleanup.js';

const url = 'ws://127.0.0.1:1';

describe('options are validated at construction', () => {
  const bad: Array<[string, Record<string, unknown>, RegExp]> = [
    ['missing url', {}, /url must be an absolute/],
    ['http-less url', { url: 'ftp://x' }, /ws:\/\/ or wss:\/\//],
    ['relative url', { url: '/ws' }, /absolute/],
    ['token type', { url, token: 42 }, /token must be/],
    ['auth mode', { url, auth: 'cookie' }, /auth must be 'query' or 'message'/],
    ['handshake', { url, handshake: 'maybe' }, /handshake must be/],
    ['headers', { url, headers: { 'x-n': 1 } }, /headers must be/],
    ['negative delay', { url, backoff: { minDelay: -1 } }, /backoff.minDelay/],
    ['factor < 1', { url, backoff: { factor: 0.5 } }, /backoff.factor/],
    ['max < min', { url, backoff: { minDelay: 10, maxDelay: 5 } }, /maxDelay must be >= backoff.minDelay/],
    ['jitter', { url, backoff: { jitter: 'some' } }, /backoff.jitter/],
    ['heartbeat timeout', { url, heartbeat: { timeout: 0 } }, /heartbeat.timeout/],
    ['schema', { url, events: { X: { parse() {} } } }, /events.X must be a Standard Schema/],
    ['connectTimeout', { url, connectTimeout: Number.NaN }, /connectTimeout/],
  ];
  for (const [label, options, message] of bad) {
    it(`rejects ${label}`, () => {
      let error: unknown;
      try {
        createClient(options as never);
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(OptionsError);
      expect(isOptionsError(error)).toBe(true);
      expect((error as OptionsError).code).toBe('ERR_OPTIONS');
      expect((error as Error).message).toMatch(message);
    });
  }

  it('accepts http(s) URLs as shorthands and stays idle when lazy', () => {
    const client = createClient({ url: 'https://example.invalid/ws', lazy: true, signals: false });
    expect(client.state).toBe('idle');
    client.close();
    expect(client.state).toBe('closed');
  });
});

describe('options checked where they are given', () => {
  it('a #fragment URL, a misspelled option and a negative timeout are OptionsErrors naming them', async () => {
    expect(() => createClient({ url: 'ws://x/#a', lazy: true })).toThrow(/fragment/);
    expect(() => createClient({ url: 'ws://x', lazy: true, tokn: 't' } as never)).toThrow(/unknown option: tokn/);
    const client = track(createClient({ url: 'ws://127.0.0.1:9', lazy: true, signals: false }));
    const error = await client.request('m', {}, { timeout: -1 }).catch((e) => e);
    expect(isOptionsError(error) && error.message).toMatch(/timeout/);
    expect(() => client.subscribe('X', { since: 'yesterday' })).toThrow(/since/);
  });
});

describe('unknown option keys are refused at every depth', () => {
  const misspelled: Array<[string, Record<string, unknown>, RegExp]> = [
    ['a top-level key', { url, lazy: true, tokn: 't' }, /unknown option: tokn$/],
    ['two top-level keys', { url, lazy: true, tokn: 't', lazzy: true }, /unknown options: tokn, lazzy$/],
    ['a heartbeat key', { url, lazy: true, heartbeat: { intervl: 5 } }, /unknown option: heartbeat\.intervl$/],
    ['a backoff key', { url, lazy: true, backoff: { minDelai: 1 } }, /unknown option: backoff\.minDelai$/],
    [
      'a rateLimit key',
      { url, lazy: true, rateLimit: { messages: 1, per: 1000, burst: 2 } },
      /unknown option: rateLimit\.burst$/,
    ],
    ['a heartbeat that is not an object', { url, lazy: true, heartbeat: 5 }, /heartbeat must be an object/],
    ['a backoff that is not an object', { url, lazy: true, backoff: 'fast' }, /backoff must be an object/],
  ];
  for (const [label, options, message] of misspelled) {
    it(`refuses ${label} with an OptionsError naming its path`, () => {
      let error: unknown;
      try {
        createClient(options as never);
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(OptionsError);
      expect((error as Error).message).toMatch(message);
    });
  }

  it('accepts every known nested key', () => {
    const client = createClient({
      url,
      lazy: true,
      signals: false,
      heartbeat: { interval: 5_000, timeout: 2_000 },
      backoff: { minDelay: 1, maxDelay: 2, factor: 2, jitter: 'none', maxRetries: 3, minUptime: 10 },
      rateLimit: { messages: 10, per: 1_000 },
    });
    expect(client.state).toBe('idle');
    client.close();
  });
});
