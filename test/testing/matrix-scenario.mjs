/**
 * The "done when" of eventwire/testing, per dialect, written against the package's public API
 * only (the caller passes the modules: src/ in-process, or the built package in a child
 * process). A client given only `url`, `token` and `dialect` connects, receives a published
 * event by name, reconnects after `drop()` and after `restart()` and receives the next one,
 * stops with `AuthError` after `refuse(401)`, and (a second client) after the dialect's auth
 * close code. Every error the clients emit is recorded (an app listens for them: the attempts
 * made while the server is down are `ConnectionError`s). Returns what it saw; closes
 * everything it opened.
 */

/** Resolves with the first `type` payload `client` emits that satisfies `ok`; rejects after `ms`. */
function when(client, type, ok = () => true, ms = 15_000) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      off();
      reject(new Error(`no ${type} within ${ms} ms`));
    }, ms);
    const off = client.on(type, (payload) => {
      if (!ok(payload)) return;
      clearTimeout(timer);
      off();
      resolve(payload);
    });
  });
}

/** Publishes Tick {n} and resolves with the data the client received under that name. */
async function tick(server, client, n) {
  const got = when(client, 'Tick', (ev) => ev.data?.n === n);
  server.publish('Tick', { n });
  return (await got).data.n;
}

export async function scenario({ createClient, isAuthError, dialects, createTestServer }, name) {
  const seen = {
    dialect: name,
    ticks: [],
    refused: undefined,
    authClose: undefined,
    authCloseCode: undefined,
    errors: [],
  };
  const server = await createTestServer({ dialect: dialects[name]() });
  seen.authCloseCode = server.authCloseCode;
  const clients = [];
  const connect = () => {
    const client = createClient({ url: server.url, token: server.token, dialect: dialects[name]() });
    client.on('error', (error) => {
      if (!seen.errors.includes(error.code)) seen.errors.push(error.code);
    });
    clients.push(client);
    return client;
  };
  try {
    const client = connect();
    await when(client, 'open');
    seen.ticks.push(await tick(server, client, 1));

    let reopened = when(client, 'open');
    server.drop();
    await reopened;
    seen.ticks.push(await tick(server, client, 2));

    reopened = when(client, 'open');
    await server.restart({ downMs: 100 });
    await reopened;
    seen.ticks.push(await tick(server, client, 3));

    const refused = when(client, 'error', isAuthError);
    server.refuse(401);
    server.drop();
    const refusal = await refused;
    seen.refused = { says401: /\b401\b/.test(refusal.message), state: client.state };
    server.accept();

    const second = connect();
    await when(second, 'open');
    const ended = when(second, 'error', isAuthError);
    server.close(server.authCloseCode, 'refused');
    seen.authClose = { code: (await ended).closeCode, state: second.state };
    return seen;
  } finally {
    for (const c of clients) c.close();
    await server.stop();
  }
}
