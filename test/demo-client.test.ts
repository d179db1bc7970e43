/**
 * The demo's terminal client (`npm run demo`), run as a real process through three server
 * restarts: every seq the server published is printed once, in order.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { track } from './cleanup.js';

describe('the demo terminal client', () => {
  it('shows 0 missing and 0 out-of-order seqs across 3 server restarts', async () => {
    const script = fileURLToPath(new URL('../demo/run.ts', import.meta.url));
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', script, '--duration=7.5', '--restart-every=2', '--downtime=0.5'],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    const code = await new Promise<number | null>((r) => child.on('exit', r));
    expect(code, out).toBe(0);
    const restarts = out.split('\n').filter((l) => l.includes('[server] restarting')).length;
    expect(restarts, out).toBe(3);
    const seqs = [...out.matchAll(/^#\s*(\d+) /gm)].map((m) => Number(m[1]));
    expect(seqs.length).toBeGreaterThan(30);
    const first = seqs[0] as number;
    const expected = Array.from({ length: seqs.length }, (_, i) => first + i);
    expect(seqs, out).toEqual(expected); // none missing, none twice, none out of order
  }, 30_000);

  it('Ctrl-C and SIGTERM end it at any time, in the middle of a server restart too', async () => {
    const script = fileURLToPath(new URL('../demo/run.ts', import.meta.url));
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
  }, 30_000);
});
