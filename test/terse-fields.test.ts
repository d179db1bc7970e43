/**
 * README, "Messages in a browser production bundle": a production build (`#words` false) reports the
 * same errors as Node and development builds, with the same class, `code`, fields and `cause`; only
 * the message changes. Each failure here is met twice over real sockets on 127.0.0.1, by the client
 * loaded under each `#words` (a fresh module graph each time), and everything but the message compared.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { track } from './cleanup.js';
import { actingServer, httpServer } from './fixtures/ws-server.js';

type Eventwire = typeof import('../src/index.js');
type AnyClient = ReturnType<Eventwire['createClient']>;

/** The package's entry with `#words` as given. */
async function load(words: boolean): Promise<Eventwire> {
  vi.resetModules();
  vi.doMock('#words', () => ({ words }));
  return import('../src/index.js');
}
afterEach(() => {
  vi.doUnmock('#words');
  vi.resetModules();
});

/** What an error carries but its message and stack: its own fields, class, name, code and its cause's class. */
function facts(error: unknown): Record<string, unknown> {
  const e = error as Error & Record<string, unknown>;
  const own = Object.entries(e).filter(([key]) => !['message', 'stack', 'cause'].includes(key));
  const cause = e.cause as object | undefined;
  return {
    ...Object.fromEntries(own),
    class: e.constructor.name,
    name: e.name,
    code: e.code,
    cause: cause?.constructor.name,
  };
}

/** The same failure met under both builds: each error's facts, and the two messages. */
async function both(meet: (eventwire: Eventwire) => Promise<unknown>) {
  const full = await meet(await load(true));
  const terse = await meet(await load(false));
  expect((terse as Error).message.length).toBeLessThan((full as Error).message.length); // each build was loaded
  return [facts(full), facts(terse)];
}

const quick = { minDelay: 5, maxDelay: 20 };
const firstError = (client: AnyClient) => new Promise<unknown>((resolve) => client.on('error', resolve));
const thrownBy = (act: () => unknown) => {
  try {
    act();
  } catch (error) {
    return error;
  }
  throw new Error('nothing thrown');
};

describe('the same errors in a production build, but for their messages', () => {
  it('refused options and filters (OptionsError, FilterError)', async () => {
    const [full, terse] = await both(async ({ createClient }) =>
      thrownBy(() => createClient({ url: 'localhost:8080/ws' })),
    );
    expect(full).toMatchObject({ code: 'ERR_OPTIONS' });
    expect(terse).toEqual(full);
    const [fullFilter, terseFilter] = await both(async ({ createClient }) => {
      const client = track(createClient({ url: 'ws://127.0.0.1:9/', lazy: true, signals: false }));
      return thrownBy(() => client.subscribe('X', { filters: { level: [] } }));
    });
    expect(fullFilter).toMatchObject({ code: 'ERR_FILTER' });
    expect(terseFilter).toEqual(fullFilter);
  });

  it('an HTTP 404 to the upgrade (ConnectionError), and a refusal (AuthError)', async () => {
    const url = `${(await httpServer('404 Not Found')).url}/nope`;
    const [full, terse] = await both(({ createClient }) =>
      firstError(track(createClient({ url, backoff: quick, signals: false }))),
    );
    expect(full).toMatchObject({ code: 'ERR_CONNECTION', kind: 'http', status: 404 });
    expect(terse).toEqual(full);
    const refusing = await actingServer((ws) => ws.close(4003, 'HTTP 403 Forbidden'));
    const [fullAuth, terseAuth] = await both(({ createClient }) =>
      firstError(track(createClient({ url: refusing.url, token: 't', backoff: quick, signals: false }))),
    );
    expect(fullAuth).toMatchObject({ code: 'ERR_AUTH', closeCode: 4003 });
    expect(terseAuth).toEqual(fullAuth);
  });

  it('a close before open retried until the client gives up (ReconnectExhaustedError, its cause)', async () => {
    const server = await actingServer((ws) => ws.close(1011, 'busy'));
    const [full, terse] = await both(async ({ createClient, isReconnectExhaustedError }) => {
      const client = track(createClient({ url: server.url, backoff: { ...quick, maxRetries: 1 }, signals: false }));
      return new Promise((resolve) => client.on('error', (e) => isReconnectExhaustedError(e) && resolve(e)));
    });
    expect(full).toMatchObject({ code: 'ERR_RECONNECT_EXHAUSTED', attempts: 1, cause: 'ConnectionError' });
    expect(terse).toEqual(full);
  });

  it('a frame that is not JSON (DecodeError, with the parser error as its cause)', async () => {
    const server = await actingServer((ws) => {
      ws.send('{"type":"welcome","session_id":"s"}');
      ws.send('{nope');
    });
    const [full, terse] = await both(({ createClient }) =>
      firstError(track(createClient({ url: server.url, backoff: quick, signals: false }))),
    );
    expect(full).toMatchObject({ code: 'ERR_DECODE', reason: 'invalid_json', cause: 'SyntaxError' });
    expect(terse).toEqual(full);
  });
});
