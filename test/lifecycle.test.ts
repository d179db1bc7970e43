import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';

it('a script that closes its client exits by itself, with no open handle', async () => {
  const script = fileURLToPath(new URL('./fixtures/lifecycle-script.ts', import.meta.url));
  const started = Date.now();
  const child = spawn(process.execPath, ['--import', 'tsx', script], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  const killer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  clearTimeout(killer);
  expect(out.trim()).toBe('DONE');
  expect(code).toBe(0); // not killed: it ended when its work did
  expect(Date.now() - started).toBeLessThan(10_000);
});

it('close() while the token provider hangs leaves nothing behind: the process exits', async () => {
  const script = fileURLToPath(new URL('./fixtures/hanging-token.ts', import.meta.url));
  const started = Date.now();
  const code = await new Promise<number | null>((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', script], { stdio: 'ignore' });
    child.on('exit', resolve);
  });
  expect(code).toBe(0);
  expect(Date.now() - started).toBeLessThan(8_000); // the 10 s connect timer would have held it
});
