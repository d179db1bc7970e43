import { spawn } from 'node:child_process';
import { startFeeder } from './spawn.js';

const f = await startFeeder();
const c = spawn(
  process.execPath,
  [
    '--cpu-prof',
    '--cpu-prof-dir=/tmp/prof2',
    '--import',
    'tsx',
    'bench/client.ts',
    'throughput',
    process.argv[2] ?? 'eventwire',
    String(f.port),
  ],
  { stdio: 'inherit', env: { ...process.env, BENCH_EVENTS: '300000' } },
);
await new Promise((r) => c.on('exit', r));
await f.stop();
