/**
 * eventwire/testing, the "done when" in process (src/): for each of the six dialects,
 * a client with only `url`, `token` and `dialect` from the test server connects, gets a
 * published event under its name, reconnects after `drop()` and `restart()`, and stops with
 * `AuthError` after `refuse(401)` and after the dialect's auth close code. The same scenario
 * runs against the built package in a child process in `package-matrix.test.ts`.
 */
import { describe, expect, it } from 'vitest';
import * as dialects from '../../src/dialects/index.js';
import { createClient, isAuthError } from '../../src/index.js';
import { createTestServer, DIALECT_NAMES } from '../../src/testing/index.js';
// @ts-expect-error: a plain ES module shared with the child process, without declarations
import { scenario } from './matrix-scenario.mjs';

describe.concurrent('createTestServer, every dialect', () => {
  for (const name of DIALECT_NAMES) {
    it(`${name}: connect, publish, drop, restart, refuse(401), auth close`, { timeout: 60_000 }, async () => {
      const seen = await scenario({ createClient, isAuthError, dialects, createTestServer }, name);
      expect(seen.ticks).toEqual([1, 2, 3]);
      expect(seen.refused).toEqual({ says401: true, state: 'closed' });
      expect(seen.authClose).toEqual({ code: seen.authCloseCode, state: 'closed' });
      // what the client reported on the way: attempts while down, then the refusals; nothing else
      expect(seen.errors).toContain('ERR_AUTH');
      expect(seen.errors.filter((code: string) => code !== 'ERR_AUTH' && code !== 'ERR_CONNECTION')).toEqual([]);
    });
  }
});
