// @vitest-environment happy-dom
import { createClient } from 'eventwire';
import { connectionState } from 'eventwire/svelte';
import { createTestServer } from 'eventwire/testing';
import { expect, test } from 'vitest';

/** The app's banner: shown while the link is down, gone when it is back. */
function banner(element: HTMLElement, client: Parameters<typeof connectionState>[0]) {
  return connectionState(client).subscribe((state) => {
    element.textContent = state === 'reconnecting' ? 'Reconnecting…' : '';
  });
}

test('the reconnect banner shows while the server restarts and goes when it is back', async () => {
  const server = await createTestServer(); // protocol v1; createTestServer({ dialect: querri() }) for Querri
  const client = createClient({ url: server.url, token: server.token, backoff: { minDelay: 50, maxDelay: 200 } });
  const errors: string[] = [];
  client.on('error', (error) => errors.push(error.code)); // your app reports them; here they are kept
  const element = document.createElement('p');
  const unsubscribe = banner(element, client);
  const next = (event: 'open' | 'reconnecting') =>
    new Promise<void>((resolve) => {
      const off = client.on(event, () => {
        off();
        resolve();
      });
    });
  try {
    await next('open');
    expect(element.textContent).toBe('');

    const down = next('reconnecting');
    const back = next('open');
    const restarted = server.restart({ downMs: 300 });
    await down;
    expect(element.textContent).toBe('Reconnecting…');
    await restarted;
    await back;
    expect(element.textContent).toBe('');
    // the attempts made while the server was down failed with ConnectionError, and nothing else
    expect(errors.filter((code) => code !== 'ERR_CONNECTION')).toEqual([]);
  } finally {
    unsubscribe();
    client.close();
    await server.stop();
  }
});
