/**
 * `npm run demo`: starts the reference server publishing a simulated provisioning
 * workload, and a Node client printing what it receives. Every 15 s the server restarts,
 * to show the client reconnecting. Ctrl-C stops both. `--duration=SECONDS` stops by itself.
 */
import { createClient, isEventwireError } from '../src/index.js';
import { startServer } from '../test/fixtures/server.js';
import { provisioningWorkload } from './workload.js';

const duration = Number(process.argv.find((a) => a.startsWith('--duration='))?.split('=')[1] ?? 0);
const server = await startServer({ tokens: ['demo-token'], port: Number(process.env.PORT ?? 0) });
const nextEvent = provisioningWorkload();
const publisher = setInterval(() => server.publish(nextEvent()), 250);
const restarter = setInterval(() => {
  console.log('\x1b[33m[server] restarting (down for 1 s)\x1b[0m');
  void server.restart({ downtime: 1_000 });
}, 15_000);

console.log(`[server] reference server on ${server.url}`);

const client = createClient({
  url: server.url,
  token: async () => 'demo-token',
  heartbeat: { interval: 5_000, timeout: 3_000 },
  on: {
    state: ({ from, to }) => console.log(`\x1b[36m[client] ${from} -> ${to}\x1b[0m`),
    reconnecting: ({ attempt, delay }) => console.log(`[client] retry #${attempt} in ${Math.round(delay)} ms`),
    error: (e) => console.log(`[client] error ${isEventwireError(e) ? e.code : ''}: ${e.message}`),
  },
});

client.on('message', (ev) => {
  const data = JSON.stringify(ev.data);
  console.log(`#${String(ev.seq).padStart(4)} ${ev.event_type.padEnd(22)} ${data}`);
});

let stopping = false;
async function stop() {
  if (stopping) return;
  stopping = true;
  clearInterval(publisher);
  clearInterval(restarter);
  client.close();
  await server.close();
  console.log('[demo] stopped');
}
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
if (duration > 0) setTimeout(stop, duration * 1000);
