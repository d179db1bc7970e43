/**
 * Regression tests for reconnecting-websocket 4.4.0's open defects (upstream #183, #125,
 * #165, #134). The first block meets each trigger through eventwire's public API, with its
 * own transport and with the `eventwire/rws` adapter over partysocket: vitest fails the run
 * on any uncaught exception or unhandled rejection, so a crash cannot pass. The second block
 * fires the same triggers straight at the libraries in a child process, and expects each to
 * break unguarded 4.4.0 (proof that every trigger is real) and to leave partysocket whole.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { createRwsTransport } from '../src/transport/rws.js';
import { createWebSocketTransport } from '../src/transport/websocket.js';
import { scenarios } from './fixtures/upstream-scenarios.js';

const cases: Array<[keyof typeof scenarios, string, RegExp]> = [
  ['connectTimeout', '#183 connect timeout while CONNECTING', /Unhandled 'error' event|closed before the connection/],
  [
    'reconnectWhileConnecting',
    '#183 reconnect() while CONNECTING',
    /Unhandled 'error' event|closed before the connection/,
  ],
  ['connectAfterMaxRetries', '#125 lock after maxRetries', /HANG/],
  ['connectAfterCloseWhileConnecting', '#165 lock after close while connecting', /HANG/],
  ['failingUrlProvider', '#134 unhandled rejection from a failing URL provider', /unhandled rejection/],
];

const transports = [
  ['eventwire’s transport', createWebSocketTransport],
  ['the eventwire/rws adapter over partysocket', createRwsTransport()],
] as const;

for (const [label, transport] of transports) {
  describe(`upstream defects do not reach eventwire users (${label})`, () => {
    for (const [name, title] of cases) {
      it(title, async () => {
        await scenarios[name](transport);
      });
    }
  });
}

function runTrigger(name: string, impl: string): Promise<{ code: number | null; output: string }> {
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

describe.concurrent('the same triggers, straight at the libraries (control)', () => {
  for (const [name, title, symptom] of cases) {
    it(`${title}: breaks reconnecting-websocket 4.4.0, not partysocket`, async () => {
      const [upstream, fork] = await Promise.all([
        runTrigger(name, 'reconnecting-websocket'),
        runTrigger(name, 'partysocket'),
      ]);
      expect(upstream.code).not.toBe(0);
      expect(upstream.output).toMatch(symptom);
      expect(upstream.output).not.toContain('PASS');
      expect(fork.output.trim()).toBe('PASS');
      expect(fork.code).toBe(0);
    }, 120_000); // ten child processes start at once (tsx), each with an 8 s hang watch: 21 s measured with the CPU shared
  }
});
