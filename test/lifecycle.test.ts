import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';

/**
 * Runs a fixture script in a child process (tsx) and resolves with its exit code and what it
 * printed, with the time from its last line of output to its exit. Start-up (tsx compiles the
 * sources) is not timed: on a loaded machine it alone can take seconds. A script that never
 * exits is killed after `killAfterMs`, a safety net far beyond any start-up.
 */
function run(fixture: string, killAfterMs = 45_000) {
  const script = fileURLToPath(new URL(`./fixtures/${fixture}`, import.meta.url));
  const child = spawn(process.execPath, ['--import', 'tsx', script], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  let lastOutputAt = 0;
  child.stdout.on('data', (d) => {
    out += d;
    lastOutputAt = performance.now();
  });
  const killer = setTimeout(() => child.kill('SIGKILL'), killAfterMs);
  return new Promise<{ code: number | null; out: string; exitedAfterOutputMs: number }>((resolve) =>
    child.on('close', (code) => {
      clearTimeout(killer);
      resolve({ code, out, exitedAfterOutputMs: performance.now() - lastOutputAt });
    }),
  );
}

it('a script that closes its client exits by itself, with no open handle', async () => {
  const { code, out, exitedAfterOutputMs } = await run('lifecycle-script.ts');
  expect(out.trim()).toBe('DONE');
  expect(code).toBe(0); // not killed: it ended when its work did
  // DONE is printed once client and server are closed: the heartbeat (20 ms) or the connect
  // timeout (10 s) left running would hold the process until the kill
  expect(exitedAfterOutputMs).toBeLessThan(5_000);
}, 60_000);

it('close() while the token provider hangs leaves nothing behind: the process exits', async () => {
  const { code, out, exitedAfterOutputMs } = await run('hanging-token.ts');
  expect(out.trim()).toBe('CLOSED');
  expect(code).toBe(0);
  expect(exitedAfterOutputMs).toBeLessThan(5_000); // the 10 s connect timer would have held it
}, 60_000);
