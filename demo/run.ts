/**
 * `npm run demo`: the reference server publishing a simulated provisioning workload, a
 * dashboard page built on the SDK at http://127.0.0.1:PORT/, and a Node client printing a
 * line per event. The server restarts every 30 s so the reconnect can be watched: the
 * client says why its link dropped, when it tries again and where it resumed. A status
 * line with the dashboard's address is printed every 10 s and after each resume.
 *
 * Ctrl-C or SIGTERM stops it at any time (mid-restart too; a second Ctrl-C at once);
 * `--duration=SECONDS` stops it by itself; PORT fixes the port (a busy one is one line
 * saying so, exit code 1). Flags for tests and the curious: `--restart-every=S`,
 * `--downtime=S`, `--status-every=S`, `--rate=EVENTS_PER_S`, `--buffer=EVENTS` (the
 * server's replay buffer: make it small to see a gap reported).
 */
import { createClient } from '../src/index.js';
import { narrate } from './narrate.js';
import { DEMO_TOKEN, type Demo, startDemo } from './server.js';

const flag = (name: string, fallback: number) =>
  Number(process.argv.find((a) => a.startsWith(`--${name}=`))?.split('=')[1] ?? fallback);
const duration = flag('duration', 0);
const restartEvery = flag('restart-every', 30);
const downtime = flag('downtime', 2);
const statusEvery = flag('status-every', 10);
const color = process.stdout.isTTY && !process.env.NO_COLOR;
const bold = (text: string) => (color ? `\x1b[1m${text}\x1b[0m` : text);

const port = Number(process.env.PORT || 0);
if (!Number.isInteger(port) || port < 0 || port > 65_535)
  fail(`PORT must be a port number (0 to 65535), got "${process.env.PORT}"`);

let demo: Demo;
try {
  demo = await startDemo({ port, ratePerSecond: flag('rate', 8), bufferSize: flag('buffer', 5_000) });
} catch (e) {
  const code = (e as NodeJS.ErrnoException).code;
  if (code === 'EADDRINUSE') fail(`port ${port} is in use: set PORT=0 or another port (PORT=${port + 1} npm run demo)`);
  if (code === 'EACCES')
    fail(`port ${port} needs privileges: set PORT=0 or a port above 1023 (PORT=8080 npm run demo)`);
  throw e;
}
const { server } = demo;
console.log(`${bold('eventwire demo')}
  dashboard:  ${bold(demo.dashboardUrl)}
  websocket:  ${server.url}  (token "${DEMO_TOKEN}")
  tail it:    npx eventwire tail ${server.url} --token ${DEMO_TOKEN}   (after npm run build)
`);

const client = createClient({
  url: server.url,
  token: async () => DEMO_TOKEN,
  heartbeat: { interval: 5_000, timeout: 3_000 },
  backoff: { minDelay: 250, maxDelay: 2_000 }, // a restart is short: come back soon after it
});
const narrator = narrate(client, client.subscribe([]), {
  print: (line) => console.log(line),
  dashboardUrl: demo.dashboardUrl,
  color,
});

let restarting: Promise<void> | undefined;
const restarter = setInterval(() => {
  narrator.serverRestarting(downtime);
  restarting = server.restart({ downtime: downtime * 1000 });
}, restartEvery * 1000);
const statusTimer = statusEvery > 0 ? setInterval(() => narrator.status(), statusEvery * 1000) : undefined;

let stopping = false;
let timer: ReturnType<typeof setTimeout> | undefined;
async function stop() {
  if (stopping) process.exit(130); // a second Ctrl-C: at once
  stopping = true;
  clearInterval(restarter);
  clearInterval(statusTimer);
  clearTimeout(timer);
  client.close();
  await restarting; // a restart in its downtime would listen again after we closed
  await demo.stop();
  console.log('[demo] stopped');
}
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
if (duration > 0) timer = setTimeout(stop, duration * 1000);

/** One line on stderr, saying what to do, and exit code 1: no stack for a known cause. */
function fail(line: string): never {
  console.error(`eventwire demo: ${line}`);
  process.exit(1);
}
