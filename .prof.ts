import { spawn } from 'node:child_process';
import { startFeeder } from './bench/spawn.ts';

const f = await startFeeder();
const scenario = process.env.SC ?? 'eventwire-on';
const child = spawn(
  process.execPath,
  ['--cpu-prof', '--cpu-prof-dir=/tmp/prof', 'bench/client.mjs', 'throughput', scenario, String(f.port)],
  { stdio: 'inherit', env: { ...process.env, BENCH_EVENTS: '300000' } },
);
await new Promise((r) => child.on('exit', r));
await f.stop();
