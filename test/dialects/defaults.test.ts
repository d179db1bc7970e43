/**
 * No default ever stalls: with nothing but `url` (and a token), the client reaches `open`
 * against every seed emulator and stays there; a frame a dialect cannot read is a
 * DecodeError that names the dialect.
 */
import { describe, expect, it } from 'vitest';
import { createClient, type DecodeError, isAuthError, isDecodeError } from '../../src/index.js';
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
    it(`${name}: opens with only url and token`, async () => {
      const server = track(await start().start());
      const client = track(createClient({ url: server.url, token: 'jwt', signals: false }));
      client.on('error', () => {}); // protocol v1 cannot read these servers' messages: DecodeErrors, not stalls
      await reach(client, 'open');
      expect(server.history).toHaveLength(1);
      expect(client.state).toBe('open');
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
    const client = track(createClient({ url: server.url, token: 'jwt', signals: false }));
    await reach(client, 'open');
    const error = next(client, 'error', isDecodeError);
    server.publish({ type: 'step_started', step_id: 's' }); // no event_type, no timestamp: not protocol v1
    expect(((await error) as DecodeError).message).toMatch(/^eventwire: /);
    expect(client.state).toBe('open');
  });
});
