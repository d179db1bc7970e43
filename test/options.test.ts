import { describe, expect, it } from 'vitest';
import { createClient, isOptionsError, OptionsError } from '../src/index.js';

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
