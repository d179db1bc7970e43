/**
 * Regression tests for reconnecting-websocket 4.4.0's open defects (upstream #183, #125,
 * #165, #134), each driving the upstream trigger through eventwire. The first block runs
 * them in this process with eventwire's transport: vitest fails the run on any uncaught
 * exception or unhandled rejection, so a crash cannot pass. The second block runs the same
 * scenarios in a child process over the unguarded upstream package, and expects each to
 * fail there: proof that every trigger really fires the defect.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { createRwsTransport } from '../src/transport/rws.js';
import { scenarios } from './fixtures/upstream-scenarios.js';

const cases: Array<[keyof typeof scenarios, string, RegExp]> = [
  ['connectTimeout', '#183 connect timeout while CONNECTING', /Unhandled 'error' event|closed before the connection/],
  [
    'reconnectWhileConnecting',
    '#183 reconnect() while CONNECTING',
    /Unhandled 'error' event|closed before the connection/,
  ],
  ['connectAfterMaxRetries', '#125 lock after maxRetries', /FAIL|HANG/],
  ['connectAfterCloseWhileConnecting', '#165 lock after close while connecting', /FAIL|HANG/],
  ['failingUrlProvider', '#134 unhandled rejection from a failing URL provider', /TokenProviderError|unhandled/i],
];

describe('upstream defects do not reach eventwire users', () => {
  for (const [name, label] of cases) {
    it(label, async () => {
      await scenarios[name](createRwsTransport());
    });
  }
});

function runScenario(name: string, impl: string): Promise<{ code: number | null; output: string }> {
  const script = fileURLToPath(new URL('./fixtures/run-upstream-scenario.ts', import.meta.url));
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', script, name, impl], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    child.on('close', (code) => resolve({ code, output }));
  });
}

describe.concurrent('the same triggers break unguarded reconnecting-websocket 4.4.0 (control)', () => {
  for (const [name, label, symptom] of cases) {
    it(label, async () => {
      const upstream = await runScenario(name, 'reconnecting-websocket');
      expect(upstream.code).not.toBe(0);
      expect(upstream.output).toMatch(symptom);
      expect(upstream.output).not.toContain('PASS');
    });
  }
  it('while the same child-process harness passes with eventwire’s transport', async () => {
    const ours = await runScenario('connectTimeout', 'partysocket');
    expect(ours.output.trim()).toBe('PASS');
    expect(ours.code).toBe(0);
  });
});
