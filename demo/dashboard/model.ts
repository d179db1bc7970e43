/**
 * What the dashboard knows, apart from the page: tasks, the log history and the metric
 * series, each bounded. Event data comes from a server, so every field is checked and
 * capped here; an event that cannot be shown is returned as a problem to display, never
 * dropped in silence.
 */

/** A string from event data, at most `max` characters; undefined when it is not a string. */
function text(value: unknown, max = 120): string | undefined {
  if (typeof value !== 'string') return undefined;
  return value.length > max ? `${value.slice(0, max - 1)}…` : value;
}

const record = (data: unknown): Record<string, unknown> | undefined =>
  typeof data === 'object' && data !== null && !Array.isArray(data) ? (data as Record<string, unknown>) : undefined;
const finite = (value: unknown): number | undefined =>
  typeof value === 'number' && Number.isFinite(value) ? value : undefined;

/** A task row: the status the task's last event carried (none yet: undefined). */
export interface Task {
  id: string;
  status: string | undefined;
  host: string | undefined;
  progress: number;
}

const FINISHED = new Set(['Done', 'Failed']);
const byIdNewestFirst = new Intl.Collator('en', { numeric: true });

/** Tasks by id, at most `limit` kept (finished ones leave first, oldest first). */
export class TaskBoard {
  readonly #tasks = new Map<string, Task>();
  constructor(readonly limit = 200) {}

  /** Applies a task event's data; returns a problem when it has no usable `task_id`. */
  apply(data: unknown): string | undefined {
    const d = record(data);
    const id = text(d?.task_id, 40);
    if (!d || !id) return 'no task_id';
    let task = this.#tasks.get(id);
    if (!task) {
      task = { id, status: undefined, host: undefined, progress: 0 };
      this.#tasks.set(id, task);
      this.#evict();
    }
    task.status = text(d.status, 16) ?? task.status;
    task.host = text(d.host, 24) ?? task.host;
    const progress = finite(d.progress);
    if (progress !== undefined) task.progress = Math.min(100, Math.max(0, Math.round(progress)));
    if (task.status === 'Done') task.progress = 100;
    return undefined;
  }

  /** The rows to show, newest task (highest number) first, and how many more there are. */
  rows(shown: number): { rows: Task[]; more: number } {
    const all = [...this.#tasks.values()].sort((a, b) => byIdNewestFirst.compare(b.id, a.id));
    return { rows: all.slice(0, shown), more: Math.max(0, all.length - shown) };
  }

  #evict(): void {
    if (this.#tasks.size <= this.limit) return;
    for (const [id, task] of this.#tasks) {
      if (task.status !== undefined && FINISHED.has(task.status)) {
        this.#tasks.delete(id);
        return;
      }
    }
    this.#tasks.delete(this.#tasks.keys().next().value as string);
  }
}

/** A log line as the tail shows it. */
export interface LogLine {
  seq: number;
  level: string;
  time: string;
  host: string;
  message: string;
}

/** The log levels each filter shows (`''`: all). */
export const LOG_FILTERS: Record<string, readonly string[]> = {
  ERROR: ['ERROR'],
  WARN: ['WARN', 'ERROR'],
  INFO: ['INFO', 'WARN', 'ERROR'],
};

/**
 * Every log line received, in seq order, at most `limit` (the oldest leave): the tail is this
 * history through the current filter, so a filter change re-filters it instead of starting
 * empty, and lines a narrower filter did not receive are replayed into their place.
 */
export class LogHistory {
  readonly #lines: LogLine[] = [];
  constructor(readonly limit = 1000) {}

  /** The oldest seq held, the point to ask the server to replay from. */
  get oldest(): number | undefined {
    return this.#lines[0]?.seq;
  }

  /**
   * Adds a LogEntry event; returns 'added' (at the end: the newest), 'inserted' (a replayed line
   * put in its place), 'known' (held already) or a problem.
   */
  add(seq: number | undefined, timestamp: string, data: unknown): 'added' | 'inserted' | 'known' | string {
    const d = record(data);
    const level = text(d?.level, 8);
    if (!d || !level) return 'no level';
    if (seq === undefined) return 'no seq';
    const line: LogLine = {
      seq,
      level,
      time: (text(timestamp, 40) ?? '').slice(11, 19),
      host: text(d.host, 24) ?? '',
      message: text(d.message, 200) ?? '',
    };
    const lines = this.#lines;
    let at = lines.length;
    while (at > 0 && (lines[at - 1] as LogLine).seq > seq) at--;
    if (at > 0 && (lines[at - 1] as LogLine).seq === seq) return 'known';
    if (at === 0 && lines.length >= this.limit) return 'known'; // older than all we keep
    lines.splice(at, 0, line);
    if (lines.length > this.limit) lines.shift();
    return at === lines.length - 1 ? 'added' : 'inserted';
  }

  /** The newest `count` lines the filter shows, newest first. */
  tail(filter: string, count: number): LogLine[] {
    const levels = LOG_FILTERS[filter];
    const out: LogLine[] = [];
    for (let i = this.#lines.length - 1; i >= 0 && out.length < count; i--) {
      const line = this.#lines[i] as LogLine;
      if (!levels || levels.includes(line.level)) out.push(line);
    }
    return out;
  }
}

/** One metric of one host: its last `limit` values. */
export interface Series {
  key: string;
  name: string;
  host: string;
  unit: string;
  points: number[];
}

/** Metric series by name and host, at most `limit` of them; each keeps its last `points` values. */
export class Metrics {
  readonly #series = new Map<string, Series>();
  constructor(
    readonly limit = 12,
    readonly points = 60,
  ) {}

  /** Applies a MetricUpdate's data: the series it updated (and whether it is new), or a problem. */
  apply(data: unknown): { series: Series; created: boolean } | string {
    const d = record(data);
    const name = text(d?.name, 24);
    const host = text(d?.host, 24) ?? '';
    const value = finite(d?.value);
    if (!d || !name || value === undefined) return 'no name or numeric value';
    const key = `${name}\u0000${host}`;
    let series = this.#series.get(key);
    const created = !series;
    if (!series) {
      if (this.#series.size >= this.limit) return `more than ${this.limit} series`;
      series = { key, name, host, unit: text(d.unit, 4) ?? '', points: [] };
      this.#series.set(key, series);
    }
    series.points.push(value);
    if (series.points.length > this.points) series.points.shift();
    return { series, created };
  }

  /** All series, by name then host. */
  list(): Series[] {
    return [...this.#series.values()].sort((a, b) => a.name.localeCompare(b.name) || a.host.localeCompare(b.host));
  }
}
