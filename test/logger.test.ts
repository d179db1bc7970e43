import { afterEach, describe, expect, it, vi } from 'vitest';
import { createClient, isOptionsError, type LogLevel } from '../src/index.js';
import { track } from './cleanup.js';
import { startServer } from './fixtures/server.js';
import { next, reach } from './helpers.js';

const SECRET = 'sekrit-token-1';

function collect() {
  const lines: Array<[LogLevel, string]> = [];
  return {
    lines,
    logger: (level: LogLevel, line: string) => void lines.push([level, line]),
    text: () => lines.map((l) => l[1]).join('\n'),
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
    let caught: unknown;
    try {
      createClient({ url: 'ws://127.0.0.1:1', logger: console, logLevel: 'verbose' as LogLevel });
    } catch (e) {
      caught = e;
    }
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
    const got = new Promise((r) => client.on('Tick', r));
    await reach(client, 'open');
    server.publish({ event_type: 'Tick' });
    await got;
    expect(client.state).toBe('open');
  });
});
