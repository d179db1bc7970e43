// @vitest-environment happy-dom
import { createClient, isAuthError } from 'eventwire';
import { querri } from 'eventwire/dialects';
import { EventwireProvider, useConnectionState } from 'eventwire/react';
import { createTestServer } from 'eventwire/testing';
import { act } from 'react';
import { createRoot } from 'react-dom/client';
import { expect, test } from 'vitest';

(globalThis as { IS_REACT_ACT_ENVIRONMENT?: boolean }).IS_REACT_ACT_ENVIRONMENT = true;

/** The app's banner: while the link is down, and once the server has refused the token. */
function Banner() {
  const state = useConnectionState();
  return <p role="status">{state === 'reconnecting' ? 'Reconnecting…' : state === 'closed' ? 'Signed out' : ''}</p>;
}

test('the banner through a Querri restart, then a token the server refuses', async () => {
  const server = await createTestServer({ dialect: querri() });
  const client = createClient({
    url: server.url,
    token: server.token,
    dialect: querri(),
    backoff: { minDelay: 50, maxDelay: 200 },
  });
  const errors: string[] = [];
  client.on('error', (error) => errors.push(error.code)); // your app reports them; here they are kept
  const next = (event: 'open' | 'reconnecting') =>
    new Promise<void>((resolve) => {
      const off = client.on(event, () => {
        off();
        resolve();
      });
    });
  const container = document.createElement('div');
  const root = createRoot(container);
  const banner = () => container.querySelector('[role="status"]')?.textContent;
  try {
    const open = next('open');
    await act(async () => {
      root.render(
        <EventwireProvider client={client}>
          <Banner />
        </EventwireProvider>,
      );
      await open;
    });
    expect(banner()).toBe('');

    const down = next('reconnecting');
    const back = next('open');
    const restarted = server.restart({ downMs: 300 });
    await act(() => down);
    expect(banner()).toBe('Reconnecting…');
    await act(async () => {
      await restarted;
      await back;
    });
    expect(banner()).toBe('');

    const refused = new Promise<void>((resolve) => client.on('error', (error) => isAuthError(error) && resolve()));
    await act(async () => {
      server.close(server.authCloseCode, 'token expired'); // Querri's 4403: the client stops
      await refused;
    });
    expect(banner()).toBe('Signed out');
    expect(errors.filter((code) => code !== 'ERR_CONNECTION')).toEqual(['ERR_AUTH']);
  } finally {
    act(() => root.unmount());
    client.close();
    await server.stop();
  }
});
