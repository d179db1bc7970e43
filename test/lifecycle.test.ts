import { expect, it } from 'vitest';
import { runFixture as run } from './helpers.js';

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
