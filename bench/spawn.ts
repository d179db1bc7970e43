import { type ChildProcess, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';

const TSX = ['--import', 'tsx'];

/** Starts the feeder in its own process; resolves with its port and a stop function. */
export async function startFeeder(
  port = 0,
  env: Record<string, string> = {},
): Promise<{ port: number; stop(): Promise<void>; child: ChildProcess }> {
  const child = spawn(process.execPath, [...TSX, 'bench/feeder.ts'], {
    stdio: ['pipe', 'pipe', 'inherit'],
    env: { ...process.env, ...env, FEEDER_PORT: String(port) },
  });
  const line = await new Promise<string>((resolve) => createInterface({ input: child.stdout! }).once('line', resolve));
  return {
    port: (JSON.parse(line) as { port: number }).port,
    child,
    stop: () =>
      new Promise<void>((resolve) => {
        child.once('exit', () => resolve());
        child.stdin?.end();
        child.kill('SIGTERM');
      }),
  };
}

/** Runs one client process; resolves with its JSON result. */
export function runClient(kind: string, scenario: string, port: number, env: Record<string, string> = {}) {
  return new Promise<Record<string, number | string>>((resolve, reject) => {
    // plain node on the built package: no TypeScript loader in the measured process
    const child = spawn(process.execPath, ['--expose-gc', 'bench/client.mjs', kind, scenario, String(port)], {
      stdio: ['ignore', 'pipe', 'inherit'],
      env: { ...process.env, ...env },
    });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.on('exit', (code) =>
      code === 0
        ? resolve(JSON.parse(out.trim().split('\n').at(-1) ?? '{}'))
        : reject(new Error(`${kind} ${scenario} exited ${code}`)),
    );
  });
}
