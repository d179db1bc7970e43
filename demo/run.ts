/**
 * `npm run demo`: the reference server publishing a simulated provisioning workload, a
 * dashboard page built on the SDK at http://127.0.0.1:PORT/, and a Node client printing a
 * line per event. The server restarts every 30 s so the reconnect can be watched.
 * Ctrl-C or SIGTERM stops it at any time (mid-restart too; a second Ctrl-C at once);
 * `--duration=SECONDS` stops it by itself; PORT fixes the port.
 */
import { createClient, isEventwireError } from '../src/index.js';
import { DEMO_TOKEN, startDemo } from './server.js';

const flag = (name: string, fallback: number) =>
  Number(process.argv.find((a) => a.startsWith(`--${name}=`))?.split('=')[1] ?? fallback);
const duration = flag('duration', 0);
const restartEvery = flag('restart-every', 30);
const downtime = flag('downtime', 2);
const demo = await startDemo({ port: Number(process.env.PORT ?? 0) });
const { server } = demo;
console.log(`\x1b[1meventwire demo\x1b[0m
  dashboard:  ${demo.dashboardUrl}
  websocket:  ${server.url}  (token "${DEMO_TOKEN}")
  tail it:    npx eventwire tail ${server.url} --token ${DEMO_TOKEN}   (after npm run build)
`);

let restarting: Promise<void> | undefined;
const restarter = setInterval(() => {
  console.log(`\x1b[33m[server] restarting (down for ${downtime} s)\x1b[0m`);
  restarting = server.restart({ downtime: downtime * 1000 });
}, restartEvery * 1000);

const client = createClient({
  url: server.url,
  token: async () => DEMO_TOKEN,
  heartbeat: { interval: 5_000, timeout: 3_000 },
  on: {
    state: ({ from, to }) => console.log(`\x1b[36m[client] ${from} -> ${to}\x1b[0m`),
    reconnecting: ({ attempt, delay }) => console.log(`[client] retry #${attempt} in ${Math.round(delay)} ms`),
    error: (e) => console.log(`[client] error ${isEventwireError(e) ? e.code : ''}: ${e.message}`),
  },
});
client.on('message', (ev) => {
  console.log(`#${String(ev.seq).padStart(5)} ${ev.event_type.padEnd(22)} ${JSON.stringify(ev.data)}`);
});

let stopping = false;
let timer: ReturnType<typeof setTimeout> | undefined;
async function stop() {
  if (stopping) process.exit(130); // a second Ctrl-C: at once
  stopping = true;
  clearInterval(restarter);
  clearTimeout(timer);
  client.close();
  await restarting; // a restart in its downtime would listen again after we closed
  await demo.stop();
  console.log('[demo] stopped');
}
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
if (duration > 0) timer = setTimeout(stop, duration * 1000);
