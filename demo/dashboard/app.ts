/**
 * The demo dashboard, built on the SDK: a connection badge with the reconnect countdown and
 * the round-trip time, tasks with the status their events carry (newest first), a log tail
 * whose level filter re-subscribes with filters and re-filters the history it keeps, and a
 * sparkline per host for each metric. Plain DOM, no framework. Event data goes into the page
 * as text, never as HTML; an event that cannot be shown, or a client error, is counted and
 * said in the header.
 */
import { createClient, type EventwireEvent, isEventwireError, type Subscription } from '../../src/index.js';
import { LOG_FILTERS, LogHistory, Metrics, type Series, TaskBoard } from './model.js';
import { el, spark, svgPoints } from './render.js';

/** Rows the task list and the log tail show: the log tail's height is exactly this many lines. */
const TASK_ROWS = 12;
const LOG_ROWS = 16;
const $ = <T extends Element = HTMLElement>(selector: string) => document.querySelector(selector) as T;
/** Renders waiting for the next frame (see {@link later}). */
const pending = new Set<() => void>();

// Problems: client errors and events that cannot be shown, counted, the last one said.
let problems = 0;
function problem(what: string) {
  problems++;
  const strip = $('#problems');
  strip.hidden = false;
  strip.dataset.count = String(problems);
  strip.textContent = `${problems} problem${problems === 1 ? '' : 's'} · last: ${what}`;
  strip.title = what;
}
const notShown = (ev: EventwireEvent, why: string) => problem(`${ev.event_type} #${ev.seq ?? '?'} not shown: ${why}`);

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
// A failed attempt is said beside the badge until the link opens (the server restarts
// every 30 s: that is no lasting problem); every other error goes to the problems.
let attemptFailure = '';
client.on('error', (e) => {
  if (e.code === 'ERR_CONNECTION' && client.state !== 'open') attemptFailure = e.message;
  else problem(`${e.code}: ${e.message}`);
  renderBadge();
});

// Connection badge with the reconnect countdown; session and round-trip time.
let retryAt = 0;
const badge = $('#badge');
function renderBadge() {
  const state = client.state;
  if (state === 'open') attemptFailure = '';
  badge.dataset.state = state;
  badge.textContent =
    state === 'reconnecting' && retryAt > Date.now()
      ? `reconnecting in ${((retryAt - Date.now()) / 1000).toFixed(1)} s`
      : state;
  $('#link-note').textContent = attemptFailure && `last attempt: ${attemptFailure}`;
}
client.on('state', renderBadge);
client.on('reconnecting', ({ delay }) => {
  retryAt = Date.now() + delay;
  renderBadge();
});
setInterval(renderBadge, 100);

// The heartbeat measures the round trip on its first pong (5 s in); an `echo` request at
// open measures it at once, so the header never waits for it.
let echoRtt: number | undefined;
let probe: AbortController | undefined;
const renderMeta = () => {
  const rtt = client.rtt ?? echoRtt;
  $('#meta').textContent =
    `session ${client.sessionId ?? '–'} · rtt ${rtt === undefined ? '–' : `${Math.round(rtt)} ms`}`;
};
client.on('open', () => {
  probe = new AbortController();
  const started = performance.now();
  client.request('echo', null, { timeout: 5_000, signal: probe.signal }).then(
    () => {
      echoRtt = performance.now() - started;
      renderMeta();
    },
    (e: unknown) => {
      if (!isEventwireError(e)) problem(`rtt probe: ${String(e)}`);
      else if (e.code !== 'ERR_ABORTED') problem(`rtt probe: ${e.code}: ${e.message}`);
    },
  );
  renderMeta();
});
client.on('close', () => {
  probe?.abort(); // an answer on the next link would time the downtime, not the round trip
  echoRtt = undefined;
  renderMeta();
});
setInterval(renderMeta, 1000);

// Tasks: the status each task's events carry, newest task first.
const board = new TaskBoard();
const taskSub = client.subscribe(['TaskStatusChanged', 'WorkflowProgressUpdate']);
taskSub.on((ev) => {
  const bad = board.apply(ev.data);
  if (bad) notShown(ev, bad);
  else later(renderTasks);
});
taskSub.on('gap', ({ from, to }) => {
  $('#tasks-note').textContent = `task events #${from ?? '?'}–#${to ?? '?'} missed: statuses may be stale`;
});
function renderTasks() {
  const { rows, more } = board.rows(TASK_ROWS);
  $('#tasks').replaceChildren(
    ...rows.map((t) => {
      const status = t.status ?? '—';
      return el(
        'div',
        { class: 'task', 'data-task': t.id },
        el('span', { class: 'id' }, t.id),
        el(
          'span',
          { class: 'status', 'data-s': t.status ?? 'unknown', title: t.status ? '' : 'no status yet' },
          status,
        ),
        el('span', { class: 'host' }, t.host ?? ''),
        el('div', { class: 'bar' }, el('i', { style: `width:${t.progress}%` })),
        el('span', { class: 'pct' }, `${t.progress}%`),
      );
    }),
  );
  $('#tasks-more').textContent = more > 0 ? `+${more} older` : '';
}

// Log tail: the history, through the level filter. A change re-subscribes with the filter,
// from the oldest line held, so lines the old filter kept out are replayed into place.
const history = new LogHistory();
let level = '';
let logSub: Subscription | undefined;
function subscribeLogs(next: string) {
  level = next;
  logSub?.unsubscribe();
  const levels = LOG_FILTERS[level];
  const oldest = history.oldest;
  logSub = client.subscribe('LogEntry', {
    ...(levels ? { filters: { level: [...levels] } } : {}),
    ...(oldest === undefined ? {} : { since: oldest - 1 }),
  });
  logSub.on((ev: EventwireEvent) => {
    const result = history.add(ev.seq, ev.timestamp, ev.data);
    if (result === 'added' || result === 'inserted') later(renderLogs);
    else if (result !== 'known') notShown(ev, result);
  });
  logSub.on('gap', ({ from, to }) => {
    $('#logs-note').textContent = `lines #${from ?? '?'}–#${to ?? '?'} are past the server's replay buffer`;
  });
  $('#logs').dataset.filter = level;
  renderLogs();
}
function renderLogs() {
  $('#logs').replaceChildren(
    ...history
      .tail(level, LOG_ROWS)
      .map((line) =>
        el(
          'div',
          { class: 'log', 'data-level': line.level, 'data-seq': String(line.seq) },
          el('span', { class: 'lvl', 'data-l': line.level }, line.level),
          ` ${line.time} ${line.host} ${line.message}`,
        ),
      ),
  );
}
$('#logs').style.setProperty('--rows', String(LOG_ROWS));
$<HTMLSelectElement>('#level').addEventListener('change', (e) => subscribeLogs((e.target as HTMLSelectElement).value));
subscribeLogs('');

// Metrics: one sparkline per host and metric name, drawn at once from the updates the server
// still keeps (`since: 0` replays them), then live. That older ones are gone is no news
// then; a gap after a reconnect is.
const metrics = new Metrics();
const cards = new Map<string, ReturnType<typeof spark>>();
const metricSub = client.subscribe('MetricUpdate', { since: 0 });
let metricsLive = false;
metricSub.on('gap', ({ from, to }) => {
  if (metricsLive) $('#metrics-note').textContent = `updates #${from ?? '?'}–#${to ?? '?'} missed`;
});
metricSub.on('state', ({ to }) => {
  if (to === 'active') metricsLive = true;
});
metricSub.on((ev) => {
  const result = metrics.apply(ev.data);
  if (typeof result === 'string') return notShown(ev, result);
  if (result.created) {
    cards.set(result.series.key, spark(result.series));
    $('#metrics').replaceChildren(...metrics.list().map((s) => cards.get(s.key)?.node as HTMLElement));
  }
  drawSeries(result.series);
});
function drawSeries(series: Series) {
  const card = cards.get(series.key);
  const value = series.points.at(-1) ?? 0;
  if (!card) return;
  card.value.textContent = `${value.toFixed(1)}${series.unit ? ` ${series.unit}` : ''}`;
  card.line.setAttribute('points', svgPoints(series.points, series.unit === '%'));
}

client.subscribe('SystemHealthUpdate').on((ev) => {
  const status = (ev.data as { status?: unknown } | null)?.status;
  if (typeof status !== 'string') return notShown(ev, 'no status');
  $('#health').textContent = `health: ${status.slice(0, 16)}`;
  $('#health').dataset.health = status.slice(0, 16);
});

/** Runs `render` once before the next frame, however many events asked for it. */
function later(render: () => void) {
  if (pending.has(render)) return;
  pending.add(render);
  if (pending.size === 1) requestAnimationFrame(flush);
}
function flush() {
  for (const render of pending) render();
  pending.clear();
}
