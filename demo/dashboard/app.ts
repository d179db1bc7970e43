/**
 * The demo dashboard, built on the SDK: a connection badge with the reconnect countdown,
 * a live task list with progress bars, a log tail whose level filter re-subscribes with
 * filters, and a metric sparkline. Plain DOM, no framework.
 */
import { createClient, type EventwireEvent, type Subscription } from '../../src/index.js';

type Task = { status: string; host: string; progress: number };
const $ = <T extends Element = HTMLElement>(selector: string) => document.querySelector(selector) as T;
const stats = { tasks: 0, logs: 0, metrics: 0, opens: 0, gaps: 0, levelFilter: '' };
(window as unknown as { dashboard: typeof stats }).dashboard = stats;

const { token } = (await (await fetch('/config.json')).json()) as { token: string };
const client = createClient({
  url: `ws://${location.host}`,
  token: async () => token,
  compression: true,
  batchSize: 20,
  batchInterval: 50,
  heartbeat: { interval: 5_000, timeout: 3_000 },
  backoff: { minDelay: 250, maxDelay: 5_000 },
});

// Connection badge with the reconnect countdown.
let retryAt = 0;
const badge = $('#badge');
const renderBadge = () => {
  const state = client.state;
  badge.dataset.state = state;
  badge.textContent =
    state === 'reconnecting' && retryAt > Date.now()
      ? `reconnecting in ${((retryAt - Date.now()) / 1000).toFixed(1)} s`
      : state;
};
client.on('state', ({ to }) => {
  if (to === 'open') stats.opens++;
  renderBadge();
});
client.on('reconnecting', ({ delay }) => {
  retryAt = Date.now() + delay;
  renderBadge();
});
setInterval(renderBadge, 100);
setInterval(() => {
  const rtt = client.rtt === undefined ? '–' : `${client.rtt} ms`;
  $('#meta').textContent = `session ${client.sessionId ?? '–'} · rtt ${rtt}`;
}, 1000);

// Live task list with progress bars.
const tasks = new Map<string, Task>();
const taskSub = client.subscribe(['TaskStatusChanged', 'WorkflowProgressUpdate']);
taskSub.on((ev) => {
  const data = ev.data as { task_id: string; status?: string; host?: string; progress?: number };
  const task = tasks.get(data.task_id) ?? { status: 'Pending', host: '', progress: 0 };
  if (data.status) task.status = data.status;
  if (data.host) task.host = data.host;
  if (typeof data.progress === 'number') task.progress = data.progress;
  if (task.status === 'Done') task.progress = 100;
  tasks.set(data.task_id, task);
  while (tasks.size > 12) tasks.delete(tasks.keys().next().value as string);
  stats.tasks = tasks.size;
  renderTasks();
});
taskSub.on('gap', () => {
  stats.gaps++; // a real dashboard would refetch its task list here
});
/** An element with text and attributes: event data goes into the page as text, never as HTML. */
function el(tag: string, attrs: Record<string, string>, ...children: Array<Node | string>): HTMLElement {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) node.setAttribute(key, value);
  node.append(...children);
  return node;
}

function renderTasks() {
  const rows = [...tasks].reverse().map(([id, t]) => {
    const bar = el('div', { class: 'bar' }, el('i', { style: `width:${Number(t.progress) || 0}%` }));
    return el(
      'div',
      { class: 'task', 'data-task': id },
      el('span', {}, id),
      el('span', { class: 'status', 'data-s': String(t.status) }, String(t.status)),
      bar,
      el('span', { class: 'pct' }, `${t.progress}%`),
    );
  });
  $('#tasks').replaceChildren(...rows);
}

// Log tail; changing the level re-subscribes with filters.
const LEVELS: Record<string, string[]> = { ERROR: ['ERROR'], WARN: ['WARN', 'ERROR'], INFO: ['INFO', 'WARN', 'ERROR'] };
let logSub: Subscription | undefined;
const logs = $('#logs');
function subscribeLogs(level: string) {
  logSub?.unsubscribe();
  logs.replaceChildren();
  stats.logs = 0;
  stats.levelFilter = level;
  logSub = client.subscribe('LogEntry', level ? { filters: { level: LEVELS[level] ?? [level] } } : {});
  logSub.on((ev: EventwireEvent) => {
    const d = ev.data as { level: string; host: string; message: string };
    const row = document.createElement('div');
    row.className = 'log';
    row.dataset.level = d.level;
    row.append(
      el('span', { class: 'lvl', 'data-l': String(d.level) }, String(d.level)),
      ` ${ev.timestamp.slice(11, 19)} ${d.host} ${d.message}`,
    );
    logs.prepend(row);
    while (logs.childElementCount > 60) logs.lastElementChild?.remove();
    stats.logs++;
  });
}
$<HTMLSelectElement>('#level').addEventListener('change', (e) => subscribeLogs((e.target as HTMLSelectElement).value));
subscribeLogs('');

// Metric sparkline.
const points: number[] = [];
client.subscribe('MetricUpdate').on((ev) => {
  const value = (ev.data as { value: number }).value;
  points.push(value);
  if (points.length > 60) points.shift();
  stats.metrics = points.length;
  $('#metric').textContent = `${value.toFixed(1)}%`;
  const step = 600 / 59;
  $('#line').setAttribute('points', points.map((v, i) => `${(i * step).toFixed(1)},${(105 - v).toFixed(1)}`).join(' '));
});

client.subscribe('SystemHealthUpdate').on((ev) => {
  $('#health').textContent = `health: ${(ev.data as { status: string }).status}`;
});
