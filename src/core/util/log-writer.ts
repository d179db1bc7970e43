/** The levels and the sink of logger.ts's `LogLevel` and `Logger` (written again: this file imports nothing). */
type LogLevel = 'debug' | 'info' | 'warn' | 'error';
type Logger = Pick<Console, LogLevel> | ((level: LogLevel, line: string) => void);

/** Levels by rank (the same as logger.ts's: this file imports nothing of the first load). */
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

/** How many tokens the log remembers (the last ones the client used): memory stays bounded. */
const USED_TOKENS = 16;

function base64(text: string): string {
  let binary = '';
  for (const byte of new TextEncoder().encode(text)) binary += String.fromCharCode(byte);
  return btoa(binary);
}

/**
 * @internal The forms a secret takes in a line: raw, URL-encoded (`%20` and `+` for a space), JSON-escaped (with
 * `\/` too), base64 and base64url (padded or not). Empty for a secret under 4 characters (it would blank ordinary
 * words). Longest first, so that no form is cut by a shorter one.
 */
function secretForms(secret: string | undefined): string[] {
  if (!secret || secret.length < 4) return [];
  const forms = new Set<string>([secret]);
  const encoded = encodeURIComponent(secret);
  forms.add(encoded);
  forms.add(encoded.replace(/%20/g, '+'));
  forms.add(encodeURI(secret));
  const json = JSON.stringify(secret).slice(1, -1);
  forms.add(json);
  forms.add(json.replace(/\//g, '\\/'));
  forms.add(json.replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`));
  const b64 = base64(secret);
  const url = b64.replace(/\+/g, '-').replace(/\//g, '_');
  for (const form of [b64, url]) {
    forms.add(form);
    forms.add(form.replace(/=+$/, ''));
  }
  return [...forms].filter((form) => form.length >= 4).sort((a, b) => b.length - a.length);
}

/** The parts of a header value that are secrets on their own: the value, each cookie's value, credentials after a scheme. */
function headerSecrets(value: string): string[] {
  const parts = [value.trim()];
  for (const pair of value.split(';')) {
    parts.push(pair.trim());
    const at = pair.indexOf('=');
    if (at !== -1) parts.push(pair.slice(at + 1).trim());
  }
  const space = value.trim().indexOf(' ');
  if (space !== -1)
    parts.push(
      value
        .trim()
        .slice(space + 1)
        .trim(),
    );
  return parts;
}

/** Replaces each form (from {@link secretForms}) and the `token=` / `"token"` shapes in a line. */
function redactForms(line: string, forms: readonly string[]): string {
  let text = line
    .replace(/([?&;\s](?:access_|id_|refresh_)?(?:token|jwt)=)[^&#\s);]*/gi, '$1***')
    .replace(/("(?:(?:access_|id_|refresh_)?token|jwt|accessToken|idToken)"\s*:\s*")(?:[^"\\]|\\.)*"/gi, '$1***"');
  for (const form of forms) if (text.includes(form)) text = text.split(form).join('***');
  return text;
}

/**
 * @internal Replaces secrets in a line with `***`: every `token=`/`access_token=`/`jwt=` value, every `"token"`,
 * `"access_token"` or `"jwt"` field, and each secret itself wherever it appears, raw, URL-encoded, JSON-escaped or
 * in base64 (when it has at least 4 characters: a shorter one would blank out ordinary words, and secures nothing).
 * The log and the CLI both use it.
 */
export function redact(line: string, secrets: ReadonlyArray<string | undefined>): string {
  const forms = new Set<string>();
  for (const secret of secrets) for (const form of secretForms(secret)) forms.add(form);
  return redactForms(
    line,
    [...forms].sort((a, b) => b.length - a.length),
  );
}

/**
 * @internal The part of the client's log that writes lines (loaded on demand, with the `logger` option only): every
 * line is redacted before it leaves. The {@link Log} in logger.ts decides which lines are written.
 */
export class LogWriter {
  readonly #write: (level: LogLevel, line: string) => void;
  readonly #min: number;
  /** Told the first time the logger throws; `undefined` once told. */
  #failed: ((cause: unknown) => void) | undefined;
  /** The last {@link USED_TOKENS} tokens the client used, oldest first. */
  readonly #used: string[] = [];
  /** The `headers` values (and their parts), kept for the client's life. */
  readonly #fixed: string[] = [];
  /** Every form of every secret, longest first; rebuilt when a new token comes. */
  #forms: string[] = [];

  /** `min`: the rank of the chosen level (`RANK` in logger.ts). */
  constructor(logger: Logger, min: number, failed?: (cause: unknown) => void) {
    this.#failed = failed;
    this.#write =
      typeof logger === 'function' ? logger : (lvl, line) => (logger[lvl] as (line: string) => void).call(logger, line);
    this.#min = min;
  }

  /** The token of the current attempt: it and every token used before (the last 16) are redacted wherever they appear. */
  set secret(token: string | undefined) {
    if (token === undefined || token.length < 4) return;
    const at = this.#used.indexOf(token);
    if (at === this.#used.length - 1 && at !== -1) return;
    if (at !== -1) this.#used.splice(at, 1);
    this.#used.push(token);
    if (this.#used.length > USED_TOKENS) this.#used.shift();
    this.#rebuild();
  }

  /** The values of the `headers` option: redacted in every line, in every form. */
  keepSecret(headers: Readonly<Record<string, string>> | undefined): void {
    for (const value of Object.values(headers ?? {})) this.#fixed.push(...headerSecrets(value));
    this.#rebuild();
  }

  #rebuild(): void {
    const forms = new Set<string>();
    for (const secret of [...this.#fixed, ...this.#used]) for (const form of secretForms(secret)) forms.add(form);
    this.#forms = [...forms].sort((a, b) => b.length - a.length);
  }

  write(level: LogLevel, line: string): void {
    if (RANK[level] < this.#min) return;
    try {
      this.#write(level, `[eventwire] ${redactForms(line, this.#forms)}`);
    } catch (cause) {
      // a logger that throws must not break the client it watches; it is told once (its own report's line may throw too)
      const failed = this.#failed;
      this.#failed = undefined;
      failed?.(cause);
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
