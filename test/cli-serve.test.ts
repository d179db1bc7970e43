/**
 * `eventwire serve`, run as a real process (the built dist/cli.js) on port 0: the reference server
 * README's Quickstart talks to, with its token, publishing TaskStatusChanged events until SIGTERM.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { EX_USAGE, HELP, SERVE_OPTIONS, SERVE_TOKEN } from '../src/cli/args.js';
import { forget } from '../src/cli/serve.js';
import { createClient, isRequestError } from '../src/index.js';
import { startServer } from '../src/testing/reference-server.js';
import { track } from './cleanup.js';
import { eventually } from './helpers.js';

const DIST = new URL('../dist/', import.meta.url);
const CLI = fileURLToPath(new URL('cli.js', DIST));

function run(args: string[]) {
  const child = spawn(process.execPath, [CLI, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  const out = { stdout: '', stderr: '' };
  child.stdout.on('data', (d) => (out.stdout += d));
  child.stderr.on('data', (d) => (out.stderr += d));
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  kill(child);
  return { child, out, exited };
}

/** The child is killed after the test, whatever its outcome. */
function kill(child: ChildProcess) {
  track({ close: () => child.exitCode === null && child.signalCode === null && child.kill('SIGKILL') });
}

/**
 * Resolves once `ready()` holds, asked at each chunk `child` prints (after `run` added it to its output);
 * rejects if the child exits first, or after 10 s.
 */
function until(child: ChildProcess, ready: () => unknown, what: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const done = (error?: Error) => {
      clearTimeout(timer);
      child.stdout?.off('data', check);
      child.stderr?.off('data', check);
      child.off('close', exited);
      if (error) reject(error);
      else resolve();
    };
    const check = () => ready() && done();
    const exited = () => done(new Error(`exited before ${what}`));
    const timer = setTimeout(() => done(new Error(`no ${what} in 10 s`)), 10_000);
    child.stdout?.on('data', check);
    child.stderr?.on('data', check);
    child.on('close', exited);
    check();
  });
}

/** `eventwire serve` with `args`, once it printed its URL and its status line: the URL and its port. */
async function serve(args: string[] = []) {
  const server = run(['serve', '--port', '0', ...args]);
  const printed = () => /^ws:\/\/127\.0\.0\.1:(\d+)\n/.exec(server.out.stdout);
  // the status line too (stderr: another pipe, which may arrive after stdout)
  await until(server.child, () => printed() && /listens on/.test(server.out.stderr), 'URL and status line');
  const match = printed() as RegExpExecArray;
  return { ...server, url: match[0].trim(), port: Number(match[1]) };
}

/** Whether something can listen on 127.0.0.1:`port` now. */
async function free(port: number): Promise<boolean> {
  const probe = createServer();
  probe.listen(port, '127.0.0.1');
  const listened = await once(probe, 'listening').then(
    () => true,
    () => false,
  );
  if (listened) await new Promise((r) => probe.close(r));
  return listened;
}

describe('eventwire serve', () => {
  it('--help lists every flag of serve, and the Quickstart token as the default', async () => {
    const { out, exited } = run(['serve', '--help']);
    expect(await exited).toBe(0);
    expect(out.stdout).toBe(`${HELP}\n`);
    const flags = Object.keys(SERVE_OPTIONS);
    expect(flags).toEqual(expect.arrayContaining(['port', 'host', 'token']));
    for (const flag of flags) expect(out.stdout).toContain(`--${flag}`);
    expect(out.stdout).toContain('eventwire serve');
    expect(out.stdout).toContain(`default: ${SERVE_TOKEN}`);
    expect(SERVE_TOKEN).toBe('demo-token'); // README's Quickstart, as written
  });

  it("serves the Quickstart's client TaskStatusChanged events; SIGTERM closes its link (1001), exits 0 and frees the port", async () => {
    const server = await serve();
    expect(server.out.stderr).toMatch(/listens on ws:\/\/127\.0\.0\.1:\d+ \(token "demo-token"\)/);
    const events: unknown[] = [];
    const closes: number[] = [];
    // the Quickstart's client: its token, its event
    const client = track(
      createClient({
        url: server.url,
        token: async () => 'demo-token',
        on: { close: ({ code }) => closes.push(code) },
      }),
    );
    const two = new Promise<void>((resolve) =>
      client.on('TaskStatusChanged', (ev) => events.push(ev.data) === 2 && resolve()),
    );
    client.on('error', () => {}); // its reconnects once the server stopped are refused, as they should be
    await two;
    // its one request method (README), and the refusal of any other
    expect(await client.request('echo', { n: 1 })).toEqual({ n: 1 });
    const refused = await client.request('tasks.retry', {}).catch((e: unknown) => e);
    expect(isRequestError(refused) && refused.serverCode).toBe('unknown_method');
    // the demo's facts, from the workload's start (it starts with the first client): a task on a host, Pending then Running
    expect(events.slice(0, 2)).toEqual([
      { task_id: 'task-1', host: 'db-01', status: 'Pending' },
      { task_id: 'task-1', host: 'db-01', status: 'Running' },
    ]);
    expect(await free(server.port)).toBe(false);
    server.child.kill('SIGTERM');
    expect(await server.exited).toBe(0);
    expect(server.out.stderr).toMatch(/stopped \(SIGTERM\)\n$/);
    expect(closes[0]).toBe(1001); // a close frame, not a cut link
    expect(await free(server.port)).toBe(true);
  });

  it('refuses a wrong token as the reference server does (close 4003), and exits 0 on SIGINT', async () => {
    const server = await serve(['--token', 'sesame']);
    expect(server.out.stderr).toContain('the token given with --token');
    expect(server.out.stderr).not.toContain('sesame');
    const wrong = run(['tail', server.url, '--token', 'demo-token']);
    expect(await wrong.exited).toBe(2);
    expect(wrong.out.stderr.trimEnd().split('\n').at(-1)).toBe(
      'eventwire: authentication rejected by the server (close 4003: invalid token)',
    );
    const right = run(['tail', server.url, '--token', 'sesame', '--events', 'TaskStatusChanged']);
    await until(right.child, () => right.out.stdout.includes('\n'), 'an event');
    right.child.kill('SIGINT');
    expect(await right.exited).toBe(0);
    expect(JSON.parse(right.out.stdout.split('\n')[0] ?? '')).toMatchObject({
      event_type: 'TaskStatusChanged',
      data: { task_id: 'task-1', status: 'Pending' },
    });
    server.child.kill('SIGINT');
    expect(await server.exited).toBe(0);
  });

  it('a port in use is one line and exit 1', async () => {
    const first = await serve();
    const second = run(['serve', '--port', String(first.port)]);
    expect(await second.exited).toBe(1);
    expect(second.out.stdout).toBe('');
    expect(second.out.stderr).toBe(
      `eventwire: port ${first.port} is in use on 127.0.0.1: pass --port 0 (a free one) or another port\n`,
    );
    first.child.kill('SIGTERM');
    expect(await first.exited).toBe(0);
  });

  it('bad flags exit 64 with the reason, before listening', async () => {
    const cases: Array<[string[], string]> = [
      [['--port', '65536'], '--port must be a port number (0 to 65535; 0 picks a free one), got "65536"'],
      [['--port=-1'], '--port must be a port number (0 to 65535; 0 picks a free one), got "-1"'],
      [['--port=eighty'], '--port must be a port number (0 to 65535; 0 picks a free one), got "eighty"'],
      [['--prot', '0'], 'unknown option --prot; did you mean --port?'],
      [['--events', 'A'], 'unknown option --events'], // a flag of tail
      [['--token='], '--token needs a token, got ""; leave it out for demo-token'],
      [['--host='], '--host needs an address (127.0.0.1, ::1, 0.0.0.0), got ""'],
      [['now'], 'unexpected argument "now" (eventwire serve takes flags only)'],
    ];
    for (const [flags, message] of cases) {
      const bad = run(['serve', ...flags]);
      expect(await bad.exited, flags.join(' ')).toBe(EX_USAGE);
      expect(bad.out.stderr, flags.join(' ')).toBe(`eventwire: ${message}\n(see eventwire --help)\n`);
      expect(bad.out.stdout).toBe('');
    }
    const missing = run(['serve', '--port']);
    expect(await missing.exited).toBe(EX_USAGE);
    expect(missing.out.stderr).toMatch(/--port/);
  });

  it("keeps the server out of tail's startup: dist/cli.js imports dist/cli-serve.js only for serve", () => {
    const cli = readFileSync(new URL('cli.js', DIST), 'utf8');
    const served = readFileSync(new URL('cli-serve.js', DIST), 'utf8');
    const server = /\bReferenceServer = class\b|class ReferenceServer\b/;
    expect(served).toMatch(server);
    expect(cli).not.toMatch(server);
    expect(cli).not.toMatch(/from ["']ws["']|WebSocketServer/);
    expect(cli.match(/import\(["']\.\/cli-serve\.js["']\)/g)).toHaveLength(1);
    expect(cli).not.toMatch(/^import .*cli-serve/m);
    expect(served).not.toMatch(/from ["']zod/); // bundled: an app without the optional zod peer runs it
  });
});

describe('a serve left running', () => {
  it('lets go of what the reference server keeps for tests: closed connections, what clients sent, acks', async () => {
    const server = await startServer({ tokens: ['t'] });
    track({ close: () => server.close() });
    const gone = createClient({ url: server.url, token: 't', signals: false });
    const kept = track(createClient({ url: server.url, token: 't', signals: false }));
    for (const client of [gone, kept]) {
      await client.subscribe('E').ready();
      expect(await client.request('echo', 1)).toBe(1);
    }
    gone.close();
    await eventually(() => server.connections.length === 1);
    expect([server.history.length, server.history[1]?.received.length]).toEqual([2, 2]);
    forget(server);
    expect(server.history).toEqual(server.connections);
    expect(server.history[0]?.received).toEqual([]);
    expect(server.acks).toEqual([]);
    expect(await kept.request('echo', 2)).toBe(2); // and it serves on
  });
});
