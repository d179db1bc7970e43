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
 * in a line: `token=` values, `"token"` fields and the current token itself print as `***`.
 * @example `createClient({ url, logger: (level, line) => myLog[level](line) })`
 */
export type Logger = Pick<Console, LogLevel> | ((level: LogLevel, line: string) => void);

const RANK: Record<LogLevel, number> = { debug: 0, info: 1, warn: 2, error: 3 };

/**
 * The lifecycle payloads the log reads: the part of `LifecycleEvents` (src/types.ts) it prints, written here so that
 * core/util/ imports nothing above it.
 */
interface Logged {
  state: { from: string; to: string };
  open: { sessionId: string | undefined };
  close: { code: number; reason: string; willReconnect: boolean };
  reconnecting: { attempt: number; delay: number };
  error: { code: string; message: string };
}

/**
 * @internal Replaces secrets in a line with `***`: every `token=` value, every `"token"` field,
 * and each secret itself wherever it appears (when it has at least 4 characters: a shorter one
 * would blank out ordinary words, and secures nothing). The log and the CLI both use it.
 */
export function redact(line: string, secrets: ReadonlyArray<string | undefined>): string {
  let text = line.replace(/([?&]token=)[^&#\s)]*/g, '$1***').replace(/("token"\s*:\s*")(?:[^"\\]|\\.)*"/g, '$1***"');
  for (const secret of secrets) if (secret && secret.length >= 4) text = text.split(secret).join('***');
  return text;
}

/**
 * @internal The client's log: levels below the chosen one cost one comparison; every line is
 * redacted before it leaves.
 */
export class Log {
  readonly #write: (level: LogLevel, line: string) => void;
  readonly #min: number;
  /** The token of the current attempt, redacted wherever it appears. */
  secret: string | undefined;

  constructor(logger: Logger, level: LogLevel) {
    this.#write =
      typeof logger === 'function' ? logger : (lvl, line) => (logger[lvl] as (line: string) => void).call(logger, line);
    this.#min = RANK[level];
  }

  /** Whether lines of this level are written (to skip building them). */
  on(level: LogLevel): boolean {
    return RANK[level] >= this.#min;
  }

  write(level: LogLevel, line: string): void {
    if (RANK[level] < this.#min) return;
    try {
      this.#write(level, `[eventwire] ${redact(line, [this.secret])}`);
    } catch {
      // a logger that throws must not break the client it watches
    }
  }

  /** The client's lifecycle events (`LifecycleEvents`), as lines; other types write nothing. */
  lifecycle(type: string, payload: unknown, closed: boolean): void {
    switch (type) {
      case 'state': {
        const { from, to } = payload as Logged['state'];
        this.write('info', `state ${from} -> ${to}`);
        break;
      }
      case 'open': {
        const { sessionId } = payload as Logged['open'];
        this.write('info', `open${sessionId ? ` (session ${sessionId})` : ''}`);
        break;
      }
      case 'close': {
        const { code, reason, willReconnect } = payload as Logged['close'];
        this.write('info', `closed ${code}${reason ? ` ${reason}` : ''}${willReconnect ? '' : ' (final)'}`);
        break;
      }
      case 'reconnecting': {
        const { attempt, delay } = payload as Logged['reconnecting'];
        this.write('info', `reconnect attempt ${attempt} in ${Math.round(delay)} ms`);
        break;
      }
      case 'error': {
        const error = payload as Logged['error'];
        this.write(closed ? 'error' : 'warn', `${error.code}: ${error.message}`);
        break;
      }
    }
  }
}

/** Validates `logger` and `logLevel`; undefined when logging is off (the default). */
export function createLog(logger: unknown, level: unknown): Log | undefined {
  if (level !== undefined && !(typeof level === 'string' && level in RANK))
    throw new OptionsError(`logLevel must be one of debug, info, warn, error, got ${JSON.stringify(level)}`);
  if (logger === undefined || logger === false) return undefined;
  const console =
    typeof logger === 'object' &&
    logger !== null &&
    (Object.keys(RANK) as LogLevel[]).every((k) => typeof (logger as Record<string, unknown>)[k] === 'function');
  if (typeof logger !== 'function' && !console)
    throw new OptionsError('logger must be console (an object with debug/info/warn/error) or a function');
  return new Log(logger as Logger, (level as LogLevel | undefined) ?? 'info');
}
