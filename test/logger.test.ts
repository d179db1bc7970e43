import { afterEach, describe, expect, it, vi } from 'vitest';
import { createClient, isHookError, isOptionsError, type LogLevel } from '../src/index.js';
import { track } from './cleanup.js';
import { startServer } from './fixtures/server.js';
import { next, reach, thrown } from './helpers.js';

const SECRET = 'sekrit-token-1';

function collect() {
  const lines: Array<[LogLevel, string]> = [];
  const waiting: Array<{ fragment: string; resolve: () => void }> = [];
  return {
    lines,
    logger: (level: LogLevel, line: string) => {
      lines.push([level, line]);
      for (const w of waiting) if (line.includes(w.fragment)) w.resolve();
    },
    text: () => lines.map((l) => l[1]).join('\n'),
    /** Resolves once a line containing `fragment` is written (the log's writer loads on demand: lines come late). */
    seen: (fragment: string) =>
      lines.some((l) => l[1].includes(fragment))
        ? Promise.resolve()
        : new Promise<void>((resolve) => waiting.push({ fragment, resolve })),
  };
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe('logger option', () => {
  it('is off by default: a whole connect, subscribe, event, close cycle writes nothing', async () => {
    const spies = (['debug', 'info', 'warn', 'error', 'log'] as const).map((m) => vi.spyOn(console, m));
    const server = track(await startServer());
    const client = track(createClient({ url: server.url, token: SECRET, signals: false }));
    const got = new Promise((r) => client.on('Tick', r));
    await reach(client, 'open');
    server.publish({ event_type: 'Tick' });
    await got;
    client.close();
    for (const spy of spies) expect(spy).not.toHaveBeenCalled();
  });

  it('debug tells the attempt URL, frames sent and received, and the states, never the token', async () => {
    const server = track(await startServer({ tokens: [SECRET] }));
    const log = collect();
    const client = track(
      createClient({ url: server.url, token: SECRET, signals: false, logger: log.logger, logLevel: 'debug' }),
    );
    const got = new Promise((r) => client.on('Tick', r));
    await reach(client, 'open');
    server.publish({ event_type: 'Tick' });
    await got;
    client.close();
    await log.seen('[eventwire] closed 1000');
    const text = log.text();
    expect(text).not.toContain(SECRET);
    expect(text).toContain(`[eventwire] attempt 1: ${server.url}/?token=***`);
    expect(text).toContain('[eventwire] state idle -> connecting');
    expect(text).toContain('[eventwire] state connecting -> open');
    expect(text).toMatch(/\[eventwire\] send \{"type":"subscribe","id":"on-1","events":\["Tick"\]/);
    expect(text).toMatch(/\[eventwire\] recv text frame, \d+ (chars|bytes)/);
    expect(text).not.toContain('"Tick","timestamp"'); // received content is the user's: sizes only
    expect(text).toContain('[eventwire] closed 1000');
    expect(new Set(log.lines.map((l) => l[0]))).toEqual(new Set(['debug', 'info']));
  });

  it('a token sent in the first message is redacted too', async () => {
    const server = track(await startServer({ tokens: [SECRET] }));
    const log = collect();
    const client = track(
      createClient({
        url: server.url,
        token: async () => SECRET,
        auth: 'message',
        signals: false,
        logger: log.logger,
        logLevel: 'debug',
      }),
    );
    await reach(client, 'open');
    client.close();
    await log.seen('[eventwire] closed 1000');
    expect(log.text()).toContain('[eventwire] send {"type":"auth","token":"***"}');
    expect(log.text()).not.toContain(SECRET);
  });

  it('levels: warn keeps errors the client goes on after, error the one that stops it; console works as a logger', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const error = vi.spyOn(console, 'error').mockImplementation(() => {});
    const info = vi.spyOn(console, 'info').mockImplementation(() => {});
    const server = track(await startServer({ tokens: ['good'] }));
    const client = track(
      createClient({ url: server.url, token: 'good', signals: false, logger: console, logLevel: 'warn' }),
    );
    client.on('error', () => {});
    await reach(client, 'open');
    const decode = next(client, 'error');
    server.sendRaw('{not json');
    await decode;
    expect(warn).toHaveBeenCalledWith(expect.stringMatching(/^\[eventwire\] ERR_DECODE: /));
    expect(info).not.toHaveBeenCalled();

    const rejected = track(
      createClient({ url: server.url, token: 'bad-token', signals: false, logger: console, logLevel: 'warn' }),
    );
    rejected.on('error', () => {});
    await reach(rejected, 'closed');
    expect(error).toHaveBeenCalledWith(expect.stringMatching(/^\[eventwire\] ERR_AUTH: /));
    expect(info).not.toHaveBeenCalled();
  });

  it('a bad logger or level is an OptionsError; a logger that throws does not stop the client', async () => {
    expect(() => createClient({ url: 'ws://127.0.0.1:1', logger: {} as Console })).toThrow(/logger must be console/);
    const caught = thrown(() =>
      createClient({ url: 'ws://127.0.0.1:1', logger: console, logLevel: 'verbose' as LogLevel }),
    );
    expect(isOptionsError(caught)).toBe(true);
    const server = track(await startServer());
    const client = track(
      createClient({
        url: server.url,
        signals: false,
        logLevel: 'debug',
        logger: () => {
          throw new Error('log sink down');
        },
      }),
    );
    const errors: unknown[] = [];
    client.on('error', (e) => errors.push(e));
    const got = new Promise((r) => client.on('Tick', r));
    await reach(client, 'open');
    server.publish({ event_type: 'Tick' });
    await got;
    expect(client.state).toBe('open');
    // reported once, as user code that throws is (its own report's line throws too: not a second time)
    expect(errors.map((e) => isHookError(e) && `${e.hook}: ${e.message}`)).toEqual([
      'logger: the logger hook threw: log sink down',
    ]);
  });
});

describe('redaction whatever the dialect', () => {
  it('a custom dialect with access_token= and a jwt field, tokens used before, and header values echoed in a close reason: never logged in any form', async () => {
    const { eventwire } = await import('../src/dialects/eventwire.js');
    const { redact } = await import('../src/core/util/log-writer.js');
    const v1 = eventwire();
    const tokens: string[] = [];
    const dialect = {
      ...v1,
      name: 'custom',
      tokenIn: 'message' as const,
      greeting: 'none' as const,
      params: ({ token }: { token: string | undefined }) =>
        token ? [['access_token', token] as [string, string]] : [],
      auth: (token: string) => ({ type: 'login', jwt: token }),
    };
    const cookie = 'sid=c00kie-Value/+x; theme=dark';
    let events: import('../src/transport/transport.js').TransportEvents | undefined;
    const urls: string[] = [];
    const log = collect();
    const client = track(
      createClient({
        url: 'ws://server.test/ws',
        dialect,
        headers: { cookie, authorization: 'Bearer hdr-s3cret' },
        token: async () => {
          const token = `t0k/${tokens.length}+é "q"=a b`;
          tokens.push(token);
          return token;
        },
        backoff: { minDelay: 5, maxDelay: 10 },
        transport: (_config, e) => {
          events = e;
          return { connect: (u) => void urls.push(u), send: () => true, close: () => {} };
        },
        signals: false,
        logger: log.logger,
        logLevel: 'debug',
      }),
    );
    client.on('error', () => {});
    await vi.waitFor(() => expect(urls).toHaveLength(1), { timeout: 10_000 });
    events?.onOpen();
    const b64 = (s: string) => Buffer.from(s).toString('base64');
    const b64url = (s: string) => Buffer.from(s).toString('base64url');
    events?.onClose(4000, `refused cookie ${cookie} and Bearer hdr-s3cret, ${b64url('c00kie-Value/+x')}`);
    await vi.waitFor(() => expect(urls).toHaveLength(2), { timeout: 10_000 });
    events?.onOpen();
    const old = tokens[0] as string;
    events?.onClose(
      4000,
      `stale ws://x/?access_token=${encodeURIComponent(old)} ${JSON.stringify({ jwt: old })} ${encodeURIComponent(old).replace(/%20/g, '+')} ${b64(old)} ${b64url(old)} ${old}`,
    );
    await vi.waitFor(() => expect(urls).toHaveLength(3), { timeout: 10_000 });
    client.close();
    await log.seen('-> closed');
    const text = log.text();
    expect(text).toContain('?access_token=***');
    expect(text).toContain('"jwt":"***"');
    expect(text).toContain('closed 4000');
    for (const token of tokens)
      for (const form of [
        token,
        encodeURIComponent(token),
        encodeURIComponent(token).replace(/%20/g, '+'),
        JSON.stringify(token).slice(1, -1),
        b64(token),
        b64url(token),
      ])
        expect(text).not.toContain(form);
    for (const secret of [cookie, 'c00kie-Value/+x', 'hdr-s3cret', b64url('c00kie-Value/+x')])
      expect(text).not.toContain(secret);
    // short secrets stay out of the redaction set: they would blank ordinary words
    expect(redact('a abc word', ['abc'])).toBe('a abc word');
    expect(redact(`x ${b64('long-secret')} y`, ['long-secret'])).toBe('x *** y');
  });
});
