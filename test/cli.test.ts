/** `eventwire tail`, run as a real process (the built dist/cli.js) against the reference server. */
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { EX_USAGE, OPTIONS } from '../src/cli/args.js';
import { createTestServer } from '../src/testing/index.js';
import { track } from './cleanup.js';
import { type ReferenceServer, startServer } from './fixtures/server.js';
import { actingServer, httpServer } from './fixtures/ws-server.js';
import { eventually } from './helpers.js';

const CLI = fileURLToPath(new URL('../dist/cli.js', import.meta.url));

function run(args: string[], env: Record<string, string> = {}) {
  const child = spawn(process.execPath, [CLI, ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ...env },
  });
  const out = { stdout: '', stderr: '' };
  child.stdout.on('data', (d) => (out.stdout += d));
  child.stderr.on('data', (d) => (out.stderr += d));
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  const waitFor = async (stream: 'stdout' | 'stderr', pattern: RegExp, timeoutMs = 10_000) => {
    const deadline = Date.now() + timeoutMs;
    while (!pattern.test(out[stream])) {
      if (Date.now() > deadline) throw new Error(`no ${pattern} on ${stream}: ${JSON.stringify(out)}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  };
  cleanupChild(child);
  return { child, out, exited, waitFor };
}

/** The lines a run printed on stdout. */
const stdoutLines = (tail: { out: { stdout: string } }) => tail.out.stdout.trimEnd().split('\n');

/** Whether the newest connection has its subscription registered. */
const subscribed = (server: ReferenceServer) => (server.connections.at(-1)?.subscriptions.size ?? 0) > 0;

/** The URL of a server that just closed: a connection to it is refused. */
async function refusedUrl(): Promise<string> {
  const server = await startServer();
  await server.close();
  return server.url;
}

const children = new Set<ChildProcess>();
function cleanupChild(child: ChildProcess) {
  children.add(child);
  child.on('close', () => children.delete(child));
  track({ close: () => child.exitCode === null && child.kill('SIGKILL') });
}

describe('eventwire tail', () => {
  it('--help explains every flag', async () => {
    const { out, exited } = run(['--help']);
    expect(await exited).toBe(0);
    const flags = Object.keys(OPTIONS);
    expect(flags.length).toBeGreaterThan(10);
    for (const flag of flags) expect(out.stdout).toContain(`--${flag}`);
    expect(out.stdout).toContain('64 usage error');
  });

  it('prints NDJSON on stdout and nothing else, status on stderr; SIGINT exits 0', async () => {
    const server = track(await startServer({ tokens: ['t'] }));
    const tail = run(
      [
        'tail',
        server.url,
        '--token-env',
        'EW_TOKEN',
        '--events',
        'LogEntry',
        '--filter',
        'level=ERROR',
        '--filter',
        'level=WARN',
        '--compression',
      ],
      { EW_TOKEN: 't' },
    );
    await tail.waitFor('stderr', /open \(session s-1\)/);
    await eventually(() => subscribed(server)); // a new subscription is live from its confirmation
    for (const level of ['INFO', 'ERROR', 'DEBUG', 'WARN', 'ERROR'])
      server.publish({ event_type: 'LogEntry', data: { level } });
    server.publish({ event_type: 'MetricUpdate', data: { level: 'ERROR' } });
    await tail.waitFor('stdout', /(.*\n){3}/);
    tail.child.kill('SIGINT');
    expect(await tail.exited).toBe(0);
    const lines = stdoutLines(tail);
    const events = lines.map((l) => JSON.parse(l)); // every stdout line parses as JSON
    expect(events.map((e) => e.data.level)).toEqual(['ERROR', 'WARN', 'ERROR']);
    expect(events.every((e) => e.event_type === 'LogEntry')).toBe(true);
    expect(tail.out.stderr).toMatch(/connecting to ws:\/\/127\.0\.0\.1/);
    expect(tail.out.stderr).toMatch(/closed\n$/);
    expect(server.history[0]?.url).toContain('compression=true');
  });

  it('reports each reconnect attempt with its delay on stderr, and resumes', async () => {
    const server = track(await startServer());
    const tail = run(['tail', server.url]);
    await tail.waitFor('stderr', /open/);
    await eventually(() => subscribed(server));
    server.publish({ event_type: 'A' });
    await tail.waitFor('stdout', /"A"/);
    await server.restart({ downtime: 200 });
    await tail.waitFor('stderr', /reconnecting: attempt 1 in \d+ ms/);
    await tail.waitFor('stderr', /open(.|\n)*open/);
    await eventually(() => subscribed(server)); // resubscribed on the new connection
    server.publish({ event_type: 'B' });
    await tail.waitFor('stdout', /"B"/);
    tail.child.kill('SIGINT');
    expect(await tail.exited).toBe(0);
    expect(stdoutLines(tail).map((l) => JSON.parse(l).event_type)).toEqual(['A', 'B']);
  });

  it('--since replays what the server kept, --format pretty prints one line per event', async () => {
    const server = track(await startServer());
    for (let i = 0; i < 5; i++) server.publish({ event_type: 'Tick', data: { i } });
    const tail = run(['tail', server.url, '--since', '2', '--format', 'pretty']);
    await tail.waitFor('stdout', /(.*\n){3}/);
    tail.child.kill('SIGINT');
    expect(await tail.exited).toBe(0);
    expect(stdoutLines(tail).map((l) => l.split(' ')[0])).toEqual(['3', '4', '5']);
  });

  it('a bad token exits non-zero with a one-line reason', async () => {
    const server = track(await startServer({ tokens: ['good'] }));
    const tail = run(['tail', server.url, '--token', 'bad']);
    expect(await tail.exited).toBe(2);
    expect(tail.out.stdout).toBe('');
    const last = tail.out.stderr.trimEnd().split('\n').at(-1);
    expect(last).toBe('eventwire: authentication rejected by the server (close 4003: invalid token)');
  });

  it('without --dialect, a server of another dialect (Querri) exits 1 saying to run with --dialect', async () => {
    const server = await createTestServer({ dialect: 'querri' });
    try {
      const tail = run(['tail', server.url, '--token', server.token]);
      expect(await tail.exited).toBe(1);
      const last = tail.out.stderr.trimEnd().split('\n').at(-1);
      expect(last).toMatch(
        /did not select subprotocol eventwire\.v1.*; run with --dialect NAME \(provisioning, querri, forge, mdb, buster\)$/,
      );
    } finally {
      await server.stop();
    }
  });

  it('an empty --events (an unset variable) is a usage error, not every event', async () => {
    const tail = run(['tail', 'ws://127.0.0.1:9', '--events', ' , ']);
    expect(await tail.exited).toBe(EX_USAGE);
    expect(tail.out.stderr).toMatch(/--events needs event names \(a,b\), got " , "; leave it out for every event/);
  });

  it('a server of another dialect than --dialect: exit 1, the line naming the dialect its frames read as', async () => {
    // v1 frames without a welcome (a v1 welcome stops it at once: test/connect-errors.test.ts)
    const tick = (i: number) => JSON.stringify({ event_type: 'Tick', timestamp: '2026-01-01T00:00:00Z', data: { i } });
    const server = await actingServer((ws) => [0, 1, 2].forEach((i) => void ws.send(tick(i))), false);
    const tail = run(['tail', server.url, '--dialect', 'querri']);
    expect(await tail.exited).toBe(1);
    const last = tail.out.stderr.trimEnd().split('\n').at(-1);
    expect(last).toMatch(
      /^eventwire: 3 frames in a row the querri dialect cannot read are eventwire frames: .*; run with --dialect eventwire$/,
    );
  });

  it('exhausted retries exit 3, naming the last close; usage errors exit 64', async () => {
    const url = await refusedUrl();
    const tail = run(['tail', url, '--max-retries', '1']);
    expect(await tail.exited).toBe(3);
    const last = tail.out.stderr.trimEnd().split('\n').at(-1);
    expect(last).toMatch(/gave up reconnecting after 1 attempt\b(?!s)/); // one attempt, not "1 attempts"
    expect(last).toMatch(/ECONNREFUSED/); // and why the last one failed
    const bad = run(['tail']);
    expect(await bad.exited).toBe(EX_USAGE);
    expect(bad.out.stderr).toMatch(/missing <url>/);
    const unknown = run(['tail', url, '--nope']);
    expect(await unknown.exited).toBe(EX_USAGE);
    expect(unknown.out.stderr).toBe('eventwire: unknown option --nope\n(see eventwire --help)\n');
  });

  it('an unknown flag exits 64 naming the nearest known flag, before connecting', async () => {
    const server = track(await startServer());
    const cases: Array<[string[], string]> = [
      [['--tokn', 't'], 'unknown option --tokn; did you mean --token?'],
      [['--filtr', 'level=ERROR'], 'unknown option --filtr; did you mean --filter?'],
      [['--max-retires=3'], 'unknown option --max-retires; did you mean --max-retries?'],
      [['--compresion'], 'unknown option --compresion; did you mean --compression?'],
      [['-x'], 'unknown option -x'],
    ];
    for (const [flags, message] of cases) {
      const tail = run(['tail', server.url, ...flags]);
      expect(await tail.exited, flags[0]).toBe(EX_USAGE);
      expect(tail.out.stderr).toBe(`eventwire: ${message}\n(see eventwire --help)\n`);
      expect(tail.out.stdout).toBe('');
    }
    expect(server.history).toHaveLength(0);
  });
});

describe('eventwire as a Unix command', () => {
  it('ends quietly with 0 when the reader goes away (| head -3: EPIPE)', async () => {
    const server = track(await startServer());
    const tail = run(['tail', server.url]);
    await eventually(() => subscribed(server));
    const publisher = setInterval(() => {
      for (let i = 0; i < 20; i++) server.publish({ event_type: 'Tick', data: { pad: 'x'.repeat(200) } });
    }, 5);
    try {
      await tail.waitFor('stdout', /(.*\n){3}/);
      tail.child.stdout?.destroy(); // what head does after its third line
      expect(await tail.exited).toBe(0);
    } finally {
      clearInterval(publisher);
    }
    expect(tail.out.stderr).not.toMatch(/EPIPE/);
  });

  it('ends with 0 when stdout and stderr share the pipe the reader closes (2>&1 | head -3), through a real shell', async () => {
    const server = track(await startServer());
    const publisher = setInterval(() => server.publish({ event_type: 'Tick', data: { pad: 'x'.repeat(200) } }), 5);
    track({ close: () => clearInterval(publisher) });
    // bash's PIPESTATUS is the CLI's own exit status; the pipeline's would be head's
    // biome-ignore lint/suspicious/noTemplateCurlyInString: a bash expansion, not a template
    const script = '"$0" "$1" tail "$2" --max-retries 0 2>&1 | head -3; exit "${PIPESTATUS[0]}"';
    const shell = spawn('bash', ['-c', script, process.execPath, CLI, server.url], {
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true, // its own process group: cleanup ends the CLI with the shell
    });
    track({ close: () => shell.exitCode === null && process.kill(-(shell.pid as number), 'SIGKILL') });
    let out = '';
    let err = '';
    shell.stdout.on('data', (d) => (out += d));
    shell.stderr.on('data', (d) => (err += d));
    const [code] = await once(shell, 'close');
    expect(code).toBe(0);
    const lines = out.trimEnd().split('\n');
    expect(lines).toHaveLength(3);
    expect(lines[0]).toMatch(/^eventwire: connecting to ws:\/\/127\.0\.0\.1/);
    expect(lines[1]).toMatch(/^eventwire: open/);
    expect(JSON.parse(lines[2] ?? '').event_type).toBe('Tick');
    expect(err).toBe(''); // no EPIPE trace, no shell complaint
  });

  it('--version prints the version', async () => {
    const version = run(['--version']);
    expect(await version.exited).toBe(0);
    expect(version.out.stdout.trim()).toMatch(/^\d+\.\d+\.\d+/);
  });

  it('names the network error of a refused connection on stderr, on the line of the retry', async () => {
    const url = await refusedUrl();
    const tail = run(['tail', url, '--max-retries', '1']);
    expect(await tail.exited).toBe(3);
    expect(tail.out.stderr).toContain(
      `ms (cannot connect to ${url}/: connection refused (ECONNREFUSED))\neventwire: connecting to ${url}\n`,
    );
    expect(tail.out.stderr).toMatch(/^eventwire: reconnecting: attempt 1 in \d+ ms \(cannot connect/m);
    expect(tail.out.stderr).not.toContain('ERR_CONNECTION'); // said once, not as an error line and again
  });
});

describe('eventwire tail: what it accepts and what it tells', () => {
  it('--since takes an ISO time or a whole seq; anything else exits 64 with a message, before connecting', async () => {
    const server = track(await startServer());
    for (const since of ['yesterday', '1e3', '-5', '1.5', '2026-13-45T00:00:00Z', '']) {
      const tail = run(['tail', server.url, `--since=${since}`]);
      expect(await tail.exited, since).toBe(EX_USAGE);
      expect(tail.out.stderr).toContain(`--since takes an ISO time (2026-11-22T09:00:00Z) or a seq`);
      expect(tail.out.stderr).toContain(`got "${since}"`);
    }
    expect(server.history).toHaveLength(0);
    for (let i = 0; i < 3; i++) server.publish({ event_type: 'Tick', data: { i } });
    const iso = run(['tail', server.url, '--since', '2020-01-01T00:00:00Z']);
    await iso.waitFor('stdout', /(.*\n){3}/);
    iso.child.kill('SIGTERM');
    expect(await iso.exited).toBe(0);
  });

  it('a URL without ws://, a filter key no path can be, a batch size of 0: exit 64 with the fix, before connecting', async () => {
    const URL_MUST = 'url must be an absolute ws:// or wss:// URL without a #fragment';
    const server = track(await startServer());
    const host = server.url.slice('ws://'.length);
    const cases: Array<[string[], string]> = [
      [[host], `${URL_MUST}, got "${host}" (did you mean "ws://${host}"?)`],
      [['localhost:8080'], `${URL_MUST}, got "localhost:8080" (did you mean "ws://localhost:8080"?)`],
      [[server.url, '--filter', '__proto__.x=1'], 'filter key "__proto__.x": __proto__ is not allowed in a path'],
      [[server.url, '--filter', 'since=noon'], 'filter key "since": not an ISO 8601 time'],
      [[server.url, '--batch-size', '0'], 'batchSize must be an integer >= 1, got 0'],
    ];
    for (const [args, message] of cases) {
      const tail = run(['tail', ...args]);
      expect(await tail.exited, args.join(' ')).toBe(EX_USAGE);
      expect(tail.out.stderr).toBe(`eventwire: ${message}\n(see eventwire --help)\n`);
    }
    expect(server.history).toHaveLength(0);
  });

  it('a range the server no longer keeps is a gap line on stderr, not a silent skip', async () => {
    const server = track(await startServer({ bufferSize: 5 }));
    for (let i = 0; i < 20; i++) server.publish({ event_type: 'Tick', data: { i } });
    const tail = run(['tail', server.url, '--since', '1']);
    await tail.waitFor('stdout', /(.*\n){5}/);
    await tail.waitFor('stderr', /gap/);
    tail.child.kill('SIGINT');
    expect(await tail.exited).toBe(0);
    expect(tail.out.stderr).toContain(
      'eventwire: gap: events 2..15 are no longer kept by the server; they were not replayed',
    );
    expect(stdoutLines(tail).map((l) => JSON.parse(l).seq)).toEqual([16, 17, 18, 19, 20]);
  });

  it('a name that does not resolve is named on one line (DNS)', async () => {
    const tail = run(['tail', 'ws://no-such-host.invalid:9', '--max-retries', '1']);
    expect(await tail.exited).toBe(3);
    const cause =
      /cannot connect to ws:\/\/no-such-host\.invalid:9\/: the host name no-such-host\.invalid does not resolve \((ENOTFOUND|EAI_AGAIN)\)/;
    const lines = tail.out.stderr.trimEnd().split('\n');
    expect(lines).toEqual([
      'eventwire: connecting to ws://no-such-host.invalid:9',
      expect.stringMatching(new RegExp(`^eventwire: reconnecting: attempt 1 in \\d+ ms \\(${cause.source}\\)$`)),
      'eventwire: connecting to ws://no-such-host.invalid:9',
      expect.stringMatching(new RegExp(`^eventwire: gave up reconnecting after 1 attempt: ${cause.source}$`)),
    ]);
  });

  it('wss:// to a plain server: each attempt one line naming TLS and suggesting ws://, no OpenSSL text', async () => {
    const server = track(await startServer());
    const tail = run(['tail', server.url.replace('ws:', 'wss:'), '--max-retries', '1']);
    expect(await tail.exited).toBe(3);
    const lines = tail.out.stderr.trimEnd().split('\n');
    expect(lines).toHaveLength(4); // connecting, reconnecting (why), connecting, gave up (why)
    for (const line of lines) expect(line).toMatch(/^eventwire: \S.*[a-z?)0-9]$/); // whole lines, no dump after
    expect(lines[1]).toMatch(/^eventwire: reconnecting: attempt 1 in \d+ ms \(cannot connect to wss:.*TLS failed/);
    expect(lines[3]).toMatch(/TLS failed \(EPROTO: wrong version number\): .*is it ws:\/\/ rather than wss:\/\/\?$/);
    expect(tail.out.stderr).not.toMatch(/SSL routines|openssl/i);
  });

  it('no token against a server that needs one: exit 2, the reason, and how to give one', async () => {
    const server = track(await startServer({ tokens: ['t'], authTimeout: 200 }));
    const tail = run(['tail', server.url]);
    expect(await tail.exited).toBe(2);
    expect(tail.out.stderr.trimEnd().split('\n')).toEqual([
      `eventwire: connecting to ${server.url}`,
      'eventwire: authentication rejected by the server (close 4003: no token: none on the URL and no auth message in time); no token was given: pass --token T or --token-env VAR',
    ]);
  });

  it('server text on stderr cannot drive the terminal: control characters in a close reason print as ?', async () => {
    const server = track(await startServer());
    const tail = run(['tail', server.url]);
    await tail.waitFor('stderr', /open/);
    server.dropAll(1001, 'bye\x1b[2J\nnow');
    await tail.waitFor('stderr', /reconnecting: attempt 1/);
    tail.child.kill('SIGINT');
    expect(await tail.exited).toBe(0);
    expect(tail.out.stderr).toMatch(/^eventwire: reconnecting: attempt 1 in \d+ ms \(closed: 1001 bye\?\[2J\?now\)$/m);
  });

  it('HTTP 401 on the upgrade exits 2 with one line, and the token appears nowhere', async () => {
    const secret = 'sekrit-7f3a';
    const { url } = await httpServer('401 Unauthorized');
    const byFlag = run(['tail', url, '--token', secret]);
    expect(await byFlag.exited).toBe(2);
    const last = byFlag.out.stderr.trimEnd().split('\n').at(-1);
    expect(last).toMatch(/^eventwire: .*401/);
    const inUrl = run(['tail', `${url}/?token=${secret}`, '--max-retries', '0']);
    expect(await inUrl.exited).toBe(2);
    expect(inUrl.out.stderr).toContain('token=***');
    for (const out of [byFlag.out, inUrl.out]) expect(out.stdout + out.stderr).not.toContain(secret);
  });

  it('--dialect speaks another server: querri events by type, its whole message as data', async () => {
    const server = await createTestServer({ dialect: 'querri' });
    track({ close: () => server.stop() });
    const tail = run(['tail', server.url, '--dialect', 'querri', '--token', server.token]);
    await tail.waitFor('stderr', /open/);
    server.publish('step_completed', { step: 3 });
    await tail.waitFor('stdout', /step_completed/);
    tail.child.kill('SIGINT');
    expect(await tail.exited).toBe(0);
    const [line] = stdoutLines(tail);
    expect(JSON.parse(line ?? '{}')).toMatchObject({ event_type: 'step_completed', data: { step: 3 } });
    const wrong = run(['tail', server.url, '--dialect', 'socketio']);
    expect(await wrong.exited).toBe(EX_USAGE);
    expect(wrong.out.stderr).toContain('--dialect must be one of eventwire, provisioning, querri, forge, mdb, buster');
  });
});

// a leftover child would keep the runner alive
process.on('exit', () => {
  for (const child of children) child.kill('SIGKILL');
});
