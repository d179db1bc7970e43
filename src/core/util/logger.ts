import { words } from '#words';
import { OptionsError } from '../../errors/errors.js';

/**
 * How much the client logs, from most to least: `debug` adds each attempt's URL, every frame
 * sent (redacted) and the size of every frame received (never its content); `info` the connection's story
 * (state changes, closes with their codes, reconnect delays); `warn` errors the client
 * carries on after; `error` the ones that stop it.
 * @default 'info'
 * @example `createClient({ url, logger: console, logLevel: 'debug' })`
 */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

/**
 * Where log lines go: `console` (or anything with its `debug`/`info`/`warn`/`error`), or a
 * function of the level and the line. Lines start with `[eventwire]`. A token never appears
 * in a line: `token=` values, `"token"` fields, every token the client used (the last 16) and every `headers`
 * value print as `***`, raw, URL-encoded, JSON-escaped or in base64.
 * @example `createClient({ url, logger: (level, line) => myLog[level](line) })`
 */
export type Logger = Pick<Console, LogLevel> | ((level: LogLevel, line: string) => void);

/** Levels by rank: a line is written when its level's rank is at least the chosen one's. */
const RANK: Record<LogLevel, number> = { debug: 0, info: 1, warn: 2, error: 3 };

type Writer = import('./log-writer.js').LogWriter;

/**
 * @internal The client's log: levels below the chosen one cost one comparison. The part that writes lines
 * (redaction, the lifecycle's wording: log-writer.ts) is loaded on demand, so an app without `logger` never
 * carries it; until it has loaded, lines (and the tokens to redact in them) wait here in order, none lost.
 */
export class Log {
  readonly #min: number;
  /** Told, once, that the logger threw (the client reports a `HookError`; the lines go on being tried). */
  failed: ((cause: unknown) => void) | undefined;
  #writer: Writer | undefined;
  #waiting: Array<(writer: Writer) => void> | undefined = [];

  constructor(logger: Logger, level: LogLevel, headers?: Readonly<Record<string, string>>) {
    this.#min = RANK[level];
    import('./log-writer.js').then(
      ({ LogWriter }) => {
        const writer = new LogWriter(logger, this.#min, (cause) => this.failed?.(cause));
        writer.keepSecret(headers);
        for (const step of this.#waiting ?? []) step(writer);
        this.#waiting = undefined;
        this.#writer = writer;
      },
      (error: unknown) => {
        this.#waiting = undefined;
        console.error('[eventwire] the logger could not be loaded', error);
      },
    );
  }

  #then(step: (writer: Writer) => void): void {
    if (this.#writer) step(this.#writer);
    else this.#waiting?.push(step);
  }

  /** The token of the current attempt: it and every token used before (the last 16) are redacted wherever they appear. */
  set secret(token: string | undefined) {
    this.#then((writer) => {
      writer.secret = token;
    });
  }

  /** Whether lines of this level are written (to skip building them). */
  on(level: LogLevel): boolean {
    return RANK[level] >= this.#min;
  }

  write(level: LogLevel, line: string): void {
    if (this.#writer) this.#writer.write(level, line);
    else if (this.on(level)) this.#then((writer) => writer.write(level, line));
  }

  /** The client's lifecycle events (`LifecycleEvents`), as lines; other types write nothing. */
  lifecycle(type: string, payload: unknown, closed: boolean): void {
    if (this.#writer) this.#writer.lifecycle(type, payload, closed);
    else this.#then((writer) => writer.lifecycle(type, payload, closed));
  }
}

/** Validates `logger` and `logLevel`; undefined when logging is off (the default). */
export function createLog(
  logger: unknown,
  level: unknown,
  headers?: Readonly<Record<string, string>>,
): Log | undefined {
  if (level !== undefined && !(typeof level === 'string' && level in RANK))
    throw new OptionsError('logLevel', `one of ${Object.keys(RANK).join(', ')}`, level);
  if (logger === undefined || logger === false) return undefined;
  const console =
    typeof logger === 'object' &&
    logger !== null &&
    (Object.keys(RANK) as LogLevel[]).every((k) => typeof (logger as Record<string, unknown>)[k] === 'function');
  if (typeof logger !== 'function' && !console)
    throw new OptionsError(
      'logger',
      words ? 'console (an object with debug/info/warn/error) or a function' : 'console or a function',
      logger,
    );
  return new Log(logger as Logger, (level as LogLevel | undefined) ?? 'info', headers);
}
