/**
 * No default ever stalls: with nothing but `url` (and a token), protocol v1 against a seed
 * server (none selects the subprotocol eventwire.v1) stops at once with an error that names
 * the mismatch and the dialects to pass; a frame a dialect cannot read is a DecodeError that
 * names the dialect.
 */
import { describe, expect, it } from 'vitest';
import { provisioning } from '../../src/dialects/index.js';
import { createClient, type DecodeError, isAuthError, isDecodeError, isDialectMismatchError } from '../../src/index.js';
import { track } from '../cleanup.js';
import { startBuster } from '../fixtures/dialects/buster.js';
import { startForge } from '../fixtures/dialects/forge.js';
import { startMdb } from '../fixtures/dialects/mdb.js';
import { startProvisioning } from '../fixtures/dialects/provisioning.js';
import { startQuerri } from '../fixtures/dialects/querri.js';
import { next, reach } from '../helpers.js';

const emulators = {
  provisioning: () => startProvisioning(),
  querri: () => startQuerri(),
  forge: () => startForge({ authToken: undefined }),
  mdb: () => startMdb(),
};

describe('default options against every seed server', () => {
  for (const [name, start] of Object.entries(emulators)) {
    it(`${name}: protocol v1 (the default) stops at once with a DialectMismatchError, never a stall`, async () => {
      const server = track(await start().start());
      const client = track(createClient({ url: server.url, token: 'jwt', signals: false }));
      const error = await next(client, 'error', isDialectMismatchError, 3000);
      expect(error.message).toMatch(/did not select subprotocol eventwire\.v1: it is not an eventwire v1 server/);
      expect(error.message).toContain('querri(), mdb(), buster(), forge(), provisioning()');
      await reach(client, 'closed');
      expect(server.history.length).toBeLessThanOrEqual(1); // one attempt, no retries
    });
  }

  it('buster: the server never reads ?token= (only ?authentication= or the Authorization header), so the default is refused with an AuthError, not a stall', async () => {
    const server = track(await startBuster().start());
    const client = track(createClient({ url: server.url, token: 'jwt', signals: false }));
    const error = await next(client, 'error', isAuthError);
    expect(isAuthError(error) && error.closeCode).toBe(4001);
    expect(client.state).toBe('closed');
    expect(server.history).toHaveLength(0);
  });

  it('a frame the chosen dialect cannot read is a DecodeError naming the dialect', async () => {
    const server = track(await startQuerri({ pingInterval: 60_000 }).start());
    const client = track(createClient({ url: server.url, token: 'jwt', signals: false, dialect: provisioning() }));
    await reach(client, 'open');
    const error = next(client, 'error', isDecodeError);
    server.publish({ type: 'step_started', step_id: 's' }); // no event_type, no timestamp: not Provisioning's
    expect(((await error) as DecodeError).message).toMatch(/^provisioning: /);
    expect(client.state).toBe('open');
  });
});
