/**
 * The demo's terminal client (`npm run demo`), run as a real process: every seq the server
 * published is printed once, in order, across server restarts; each restart says why the
 * link dropped and where it resumed, with what was missed; the dashboard's address comes
 * back after each; a busy PORT is one line with the fix; Ctrl-C and SIGTERM end it.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { narrate } from '../demo/narrate.js';
import { createClient } from '../src/index.js';
import { track } from './cleanup.js';
import { startServer } from './fixtures/server.js';

const script = fileURLToPath(new URL('../demo/run.ts', import.meta.url));

/** Runs the demo to its end: exit code, stdout, stderr. */
async function runDemo(args: string[], env: Record<string, string> = {}) {
  const child = spawn(process.execPath, ['--import', 'tsx', script, ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ...env },
  });
  track({ close: () => child.exitCode === null && child.signalCode === null && child.kill('SIGKILL') });
  let out = '';
  let err = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (err += d));
  const [code] = (await once(child, 'exit')) as [number | null];
  return { code, out, err, lines: out.split('\n') };
}

/** The seqs printed, in the order printed. */
const seqsOf = (out: string) => [...out.matchAll(/^#\s*(\d+) /gm)].map((m) => Number(m[1]));

/** For each `resumed after #X, N missed` line: X, N, and the seqs printed just before and after it. */
function resumes(lines: string[]) {
  return lines.flatMap((line, i) => {
    const m = /^\[client\] resumed after #(\d+), (\d+) missed/.exec(line);
    if (!m) return [];
    const seqBefore = seqsOf(lines.slice(0, i).join('\n')).at(-1);
    const seqAfter = seqsOf(lines.slice(i + 1).join('\n'))[0];
    return [{ after: Number(m[1]), missed: Number(m[2]), line, seqBefore, seqAfter }];
  });
}

describe('the demo terminal client', () => {
  it('prints every seq once, in order, across 3 server restarts, and says why each drop happened and where it resumed', async () => {
    // restarts at 3.5, 7 and 10.5 s, up 0.4 s later; a retry comes within 2 s (the demo's maxDelay):
    // the last resume by 12.9 s, 0.6 s before the run ends (13.5 s) and 1.1 s before a fourth restart.
    // (With restarts every 2.5 s and a 9.8 s run, a slow last retry on a loaded machine could miss it.)
    const { code, out, lines } = await runDemo(['--duration=13.5', '--restart-every=3.5', '--downtime=0.4']);
    expect(code, out).toBe(0);
    expect(
      lines.filter((l) => l.startsWith('[server] restarting')),
      out,
    ).toHaveLength(3);
    const seqs = seqsOf(out);
    expect(seqs.length).toBeGreaterThan(30);
    const first = seqs[0] as number;
    expect(seqs, out).toEqual(Array.from({ length: seqs.length }, (_, i) => first + i)); // none missing, twice or out of order

    const drops = lines.filter((l) => l.startsWith('[client] link dropped'));
    expect(drops, out).toHaveLength(3);
    for (const drop of drops) {
      expect(drop).toMatch(
        /^\[client\] link dropped \(1006 no close frame, the demo restarted its server\), reconnecting in \d+ ms$/,
      );
    }
    const resumed = resumes(lines);
    expect(resumed, out).toHaveLength(3);
    for (const r of resumed) {
      expect(r.missed, r.line).toBe(0);
      expect(r.after, r.line).toBe(r.seqBefore); // the last seq printed before the drop
      expect(r.seqAfter, r.line).toBe(r.after + 1); // and the replay starts right after it
    }
  }, 60_000); // a 13.5 s run after tsx's start-up

  it('keeps the dashboard address on screen: a status line after each resume and every --status-every seconds', async () => {
    // a restart at 3.5 s, up 0.3 s later: a retry within 2 s (the demo's maxDelay) of a refused
    // one resumes by 5.8 s, before the run ends (6.5 s) and the next restart (7 s)
    const { code, out, lines } = await runDemo([
      '--duration=6.5',
      '--restart-every=3.5',
      '--downtime=0.3',
      '--status-every=1',
    ]);
    expect(code, out).toBe(0);
    const url = /dashboard:\s+(http:\/\/127\.0\.0\.1:\d+\/)/.exec(out)?.[1];
    expect(url, out).toBeDefined();
    const status = lines.filter((l) => l.startsWith(`[demo] dashboard ${url} · link `));
    expect(status.length, out).toBeGreaterThanOrEqual(5); // 5 or 6 timed, 1 after the resume
    for (const line of status) expect(line).toMatch(/ · \d+ events, 0 missed · Ctrl-C stops$/);
    const afterResume = lines.findIndex((l) => l.startsWith('[client] resumed after'));
    expect(lines[afterResume + 1] ?? '', out).toMatch(/^\[demo\] dashboard http:\/\/127\.0\.0\.1:\d+\/ · link open · /);
  }, 30_000);

  it('says how many events a resume missed when the server no longer has them, and which', async () => {
    // a replay buffer of 5 events at 40 events/s: a 0.5 s restart loses most of them. A retry
    // comes within 2 s (the demo's maxDelay) of the last refused one: back by 4 + 0.5 + 2 s,
    // 1 s before the run ends (7.5 s), which comes before the next restart (8 s)
    const { code, out, lines } = await runDemo([
      '--duration=7.5',
      '--restart-every=4',
      '--downtime=0.5',
      '--rate=40',
      '--buffer=5',
      '--status-every=0',
    ]);
    expect(code, out).toBe(0);
    const [r] = resumes(lines);
    expect(r, out).toBeDefined();
    if (!r) return;
    expect(r.after).toBe(r.seqBefore);
    expect(r.missed).toBeGreaterThan(5);
    expect(r.seqAfter).toBe(r.after + r.missed + 1); // the missed count is the hole in what was printed
    expect(r.line).toBe(
      `[client] resumed after #${r.after}, ${r.missed} missed (#${r.after + 1}–#${r.after + r.missed}: past the server's replay buffer)`,
    );
    expect(
      lines.find((l) => l.startsWith('[demo] dashboard')),
      out,
    ).toContain(`, ${r.missed} missed · `);
  }, 30_000);

  it('a busy PORT is one line on stderr with the fix, and exit code 1', async () => {
    const holder = createServer();
    holder.listen(0, '127.0.0.1');
    await once(holder, 'listening');
    track({ close: () => holder.close() });
    const port = (holder.address() as { port: number }).port;
    const { code, out, err } = await runDemo(['--duration=1'], { PORT: String(port) });
    expect(code).toBe(1);
    expect(out).toBe('');
    expect(err).toBe(
      `eventwire demo: port ${port} is in use: set PORT=0 or another port (PORT=${port + 1} npm run demo)\n`,
    );
  }, 30_000);

  it('a PORT that is not a port number is one line on stderr, and exit code 1', async () => {
    const { code, out, err } = await runDemo(['--duration=1'], { PORT: 'eighty' });
    expect({ code, out, err }).toEqual({
      code: 1,
      out: '',
      err: 'eventwire demo: PORT must be a port number (0 to 65535), got "eighty"\n',
    });
  }, 30_000);

  it('prints server text without control characters: an escape sequence in an event cannot drive the terminal', async () => {
    const server = track(await startServer());
    const client = track(createClient({ url: server.url }));
    const lines: string[] = [];
    let printed: (line: string) => void = () => {};
    const eventLine = new Promise<string>((resolve) => (printed = (line) => line.startsWith('#') && resolve(line)));
    const all = client.subscribe([]);
    const print = (line: string) => {
      lines.push(line);
      printed(line);
    };
    narrate(client, all, { print, dashboardUrl: 'http://127.0.0.1:1/' });
    await all.ready();
    const { seq } = server.publish({
      event_type: '\x1b[2Jwiped',
      data: { note: '\x1b[31mred', long: 'x'.repeat(500) },
    });
    const line = await eventLine;
    expect([...line].filter((c) => (c.codePointAt(0) ?? 0) < 0x20 || /[\x7f-\x9f]/.test(c))).toEqual([]);
    expect(line.startsWith(`#${String(seq).padStart(5)} ?[2Jwiped `)).toBe(true);
    expect(line).toContain('{"note":"\\u001b[31mred","long":"xxx');
    expect(line.endsWith('x…')).toBe(true); // the data is cut at 300 characters
    expect(line.length).toBeLessThan(400);
    expect(lines.filter((l) => l.startsWith('[client] error'))).toEqual([]);
  });

  it('Ctrl-C and SIGTERM end it at any time, in the middle of a server restart too', async () => {
    const start = () => {
      const child = spawn(process.execPath, ['--import', 'tsx', script, '--restart-every=0.5', '--downtime=1'], {
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      const out = { text: '' };
      child.stdout.on('data', (d) => (out.text += d));
      const exited = new Promise<number | null>((r) => child.on('exit', r));
      track({ close: () => child.exitCode === null && child.signalCode === null && child.kill('SIGKILL') });
      return { child, out, exited };
    };
    const when = (run: { child: ChildProcess; out: { text: string } }, pattern: RegExp) =>
      new Promise<void>((resolve) => {
        const check = () => {
          if (!pattern.test(run.out.text)) return;
          run.child.stdout?.off('data', check);
          resolve();
        };
        run.child.stdout?.on('data', check);
        check();
      });
    for (const signal of ['SIGTERM', 'SIGINT'] as const) {
      const run = start();
      await when(run, /\[server\] restarting/); // the server is down for 1 s: stop now
      run.child.kill(signal);
      expect(await run.exited, run.out.text).toBe(0);
      expect(run.out.text).toContain('[demo] stopped');
    }
  }, 60_000); // two runs one after the other, each through tsx's start-up: 10 s measured with the CPU shared
});
