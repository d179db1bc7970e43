// Runs README's quickstart block, as pasted, against the reference server: it must print
// a TaskStatusChanged event, and exit by itself (code 0) on SIGINT. Needs `npm run build`.
import { spawn } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { startServer } from '../test/fixtures/server.js';

const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
const section = readme.slice(readme.indexOf('## Quickstart'));
const block = /```js\n([\s\S]*?)```/.exec(section)?.[1];
if (!block) throw new Error('README has no quickstart js block');

const server = await startServer({ tokens: ['demo-token'] });
const code = block.replace('ws://127.0.0.1:8080', server.url);
if (code === block) throw new Error('the quickstart no longer uses ws://127.0.0.1:8080');
const file = new URL('../.quickstart-check.mjs', import.meta.url);
writeFileSync(file, code);

const child = spawn(process.execPath, [file.pathname], { stdio: ['ignore', 'pipe', 'pipe'] });
let out = '';
child.stdout.on('data', (d) => (out += d));
child.stderr.on('data', (d) => (out += d));
const publisher = setInterval(
  () => server.publish({ event_type: 'TaskStatusChanged', data: { task_id: 't1', status: 'Running' } }),
  50,
);
const deadline = Date.now() + 10_000;
while (!/\d+ \{ task_id: 't1', status: 'Running' \}/.test(out) && Date.now() < deadline) {
  await new Promise((r) => setTimeout(r, 50));
}
clearInterval(publisher);
child.kill('SIGINT');
const exit = await new Promise<number | null>((resolve) => {
  const t = setTimeout(() => {
    child.kill('SIGKILL');
    resolve(null);
  }, 5_000);
  child.on('close', (c) => {
    clearTimeout(t);
    resolve(c);
  });
});
rmSync(file, { force: true });
await server.close();

const printed = /state: connecting -> open/.test(out) && /task_id: 't1'/.test(out);
console.log(`${printed ? 'ok  ' : 'FAIL'} README quickstart connects and prints events`);
console.log(`${exit === 0 ? 'ok  ' : 'FAIL'} README quickstart exits by itself on SIGINT (exit ${exit})`);
if (!printed || exit !== 0) {
  console.error(out);
  process.exit(1);
}
