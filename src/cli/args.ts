import { parseArgs } from 'node:util';
import type { FilterScalar, Filters } from '../protocol/filters.js';
import { closest } from '../protocol/suggest.js';

/** The token `eventwire serve` accepts unless told otherwise: the README Quickstart's. */
export const SERVE_TOKEN = 'demo-token';

export const HELP = `Usage: eventwire tail <url> [options]
       eventwire serve [--port N] [--host H] [--token T]

eventwire tail prints the events of an eventwire server as they arrive: one JSON object a
line on stdout (NDJSON) and nothing else; connection status goes to stderr. Ctrl-C closes
the connection cleanly and exits 0.

eventwire serve starts the reference server (protocol v1, as eventwire/testing's) for the
README's Quickstart: it prints its URL (ws://127.0.0.1:8080) on stdout, accepts one token,
and publishes a TaskStatusChanged event (and its LogEntry line) every second until Ctrl-C or
SIGTERM, which close its connections (1001) and exit 0.

Options of tail:
  --token T            credentials, sent as ?token=T (or in the first message with --auth message)
  --token-env VAR      read the token from the environment variable VAR (keeps it out of ps)
  --auth MODE          how the token travels: query (default) or message
  --dialect NAME       the server's wire format: eventwire (default), provisioning,
                       querri, forge, mdb or buster
  --events a,b         event names to subscribe to (default: all)
  --filter key=value   keep events whose data.key equals value; repeat a key for "one of";
                       metadata.key reaches metadata; values are JSON when they parse
                       (200, true, null, "200"), else strings
  --since ISO|seq      start from an ISO time (2026-11-22T09:00:00Z) or after a seq (a whole
                       number), replaying what the server kept; a range it no longer has is
                       reported on stderr as a gap
  --format json|pretty json (default): NDJSON; pretty: one readable line per event
  --compression        ask the server for gzip-compressed frames
  --batch-size N       ask the server to batch up to N events a frame
  --max-retries N      give up after N failed reconnects in a row (default: never)

Options of serve:
  --port N             the port to listen on (default: 8080; 0 picks a free one)
  --host H             the address to listen on (default: 127.0.0.1)
  --token T            the one token it accepts (default: ${SERVE_TOKEN}); others are refused
                       with close 4003 (invalid token)

  -v, --version        print the version
  -h, --help           show this help

tail's token never appears in the output: every token= value, and the token itself (when
it has 4 characters or more), prints as ***.

Exit codes: 0 after Ctrl-C, SIGTERM or when stdout closes (| head); 1 a failure of another
kind (serve: a port in use); 2 authentication rejected; 3 reconnect attempts exhausted;
64 usage error.`;

/** The dialects `--dialect` names, as in `eventwire/dialects`. */
export const DIALECTS = ['eventwire', 'provisioning', 'querri', 'forge', 'mdb', 'buster'] as const;
type DialectName = (typeof DIALECTS)[number];

/** Exit status of a usage error (sysexits' EX_USAGE). */
export const EX_USAGE = 64;

/** Every flag `eventwire` takes (`--help` lists each, a test checks). */
export const OPTIONS = {
  token: { type: 'string' },
  'token-env': { type: 'string' },
  auth: { type: 'string' },
  dialect: { type: 'string' },
  events: { type: 'string' },
  filter: { type: 'string', multiple: true },
  since: { type: 'string' },
  format: { type: 'string' },
  compression: { type: 'boolean' },
  'batch-size': { type: 'string' },
  'max-retries': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
  version: { type: 'boolean', short: 'v' },
} as const;

/** Every flag `eventwire serve` takes (`--help` lists each, a test checks). */
export const SERVE_OPTIONS = {
  port: { type: 'string' },
  host: { type: 'string' },
  token: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
  version: { type: 'boolean', short: 'v' },
} as const;

export interface TailArgs {
  command: 'tail';
  url: string;
  token: string | undefined;
  auth: 'query' | 'message' | undefined;
  dialect: DialectName;
  events: string[];
  filters: Filters;
  since: string | number | undefined;
  format: 'json' | 'pretty';
  compression: boolean;
  batchSize: number | undefined;
  maxRetries: number | undefined;
}

export interface ServeArgs {
  command: 'serve';
  host: string;
  port: number;
  token: string;
}

export class UsageError extends Error {
  override name = 'UsageError';
}

/** Parses the arguments of `eventwire tail` or `eventwire serve` (the first word that is no flag's); throws a UsageError. */
export function parseCommandArgs(
  argv: string[],
  env: Record<string, string | undefined>,
): TailArgs | ServeArgs | 'help' | 'version' {
  const { tokens } = parseArgs({
    args: argv,
    allowPositionals: true,
    strict: false,
    tokens: true,
    options: { ...OPTIONS, ...SERVE_OPTIONS },
  });
  const command = tokens.find((token) => token.kind === 'positional');
  return command?.value === 'serve' ? parseServeArgs(argv) : parseTailArgs(argv, env);
}

/** Parses `eventwire serve` arguments; throws a UsageError with a one-line reason. */
function parseServeArgs(argv: string[]): ServeArgs | 'help' | 'version' {
  refuseUnknownFlags(argv, SERVE_OPTIONS);
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    strict: true,
    options: SERVE_OPTIONS,
  });
  if (values.help) return 'help';
  if (values.version) return 'version';
  const extra = positionals.slice(1);
  if (extra.length > 0) throw new UsageError(`unexpected argument "${extra[0]}" (eventwire serve takes flags only)`);
  const port = values.port ?? '8080';
  if (!/^\d+$/.test(port) || Number(port) > 65_535)
    throw new UsageError(`--port must be a port number (0 to 65535; 0 picks a free one), got "${port}"`);
  const host = values.host ?? '127.0.0.1';
  if (host.trim() === '') throw new UsageError('--host needs an address (127.0.0.1, ::1, 0.0.0.0), got ""');
  const token = values.token ?? SERVE_TOKEN;
  if (token === '') throw new UsageError(`--token needs a token, got ""; leave it out for ${SERVE_TOKEN}`);
  return { command: 'serve', host, port: Number(port), token };
}

/** Parses `eventwire tail` arguments; throws a UsageError with a one-line reason. */
function parseTailArgs(argv: string[], env: Record<string, string | undefined>): TailArgs | 'help' | 'version' {
  refuseUnknownFlags(argv, OPTIONS);
  const { values, positionals } = parseArgs({ args: argv, allowPositionals: true, strict: true, options: OPTIONS });
  if (values.help) return 'help';
  if (values.version) return 'version';
  const [command, url, ...rest] = positionals;
  if (command !== 'tail')
    throw new UsageError(
      command
        ? `unknown command "${command}" (try: eventwire tail <url>, or eventwire serve)`
        : 'missing command: eventwire tail <url>, or eventwire serve',
    );
  if (!url) throw new UsageError('missing <url>: eventwire tail ws://host:port');
  if (rest.length > 0) throw new UsageError(`unexpected argument "${rest[0]}"`);
  if (values.token !== undefined && values['token-env'] !== undefined)
    throw new UsageError('give --token or --token-env, not both');
  let token = values.token;
  if (values['token-env'] !== undefined) {
    token = env[values['token-env']];
    if (!token) throw new UsageError(`environment variable ${values['token-env']} is not set`);
  }
  const format = values.format ?? 'json';
  if (format !== 'json' && format !== 'pretty')
    throw new UsageError(`--format must be json or pretty, got "${format}"`);
  const auth = values.auth;
  if (auth !== undefined && auth !== 'query' && auth !== 'message')
    throw new UsageError(`--auth must be query or message, got "${auth}"`);
  const dialect = (values.dialect ?? 'eventwire') as DialectName;
  if (!DIALECTS.includes(dialect))
    throw new UsageError(`--dialect must be one of ${DIALECTS.join(', ')}, got "${values.dialect}"`);
  const events = (values.events ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  // `--events "$EVENTS"` with the variable empty would otherwise be every event, without a word
  if (values.events !== undefined && events.length === 0)
    throw new UsageError(`--events needs event names (a,b), got "${values.events}"; leave it out for every event`);
  return {
    command: 'tail',
    url,
    token,
    auth,
    dialect,
    events,
    filters: parseFilterFlags(values.filter ?? []),
    since: parseSince(values.since),
    format,
    compression: values.compression ?? false,
    batchSize: integer('--batch-size', values['batch-size']),
    maxRetries: integer('--max-retries', values['max-retries']),
  };
}

/** An unknown flag is a UsageError naming the nearest known one: `unknown option --tokn; did you mean --token?`. */
function refuseUnknownFlags(argv: string[], options: typeof OPTIONS | typeof SERVE_OPTIONS): void {
  const { tokens } = parseArgs({ args: argv, allowPositionals: true, strict: false, tokens: true, options });
  for (const token of tokens) {
    if (token.kind !== 'option' || Object.hasOwn(options, token.name)) continue;
    const near = token.rawName.startsWith('--') ? closest(token.name, Object.keys(options)) : undefined;
    throw new UsageError(`unknown option ${token.rawName}${near ? `; did you mean --${near}?` : ''}`);
  }
}

/** `--since`: a seq (a whole number, no sign, no exponent) or an ISO 8601 time; nothing else. */
function parseSince(value: string | undefined): number | string | undefined {
  if (value === undefined) return undefined;
  if (/^\d+$/.test(value) && Number.isSafeInteger(Number(value))) return Number(value);
  if (/^\d{4}-\d\d-\d\dT\d\d:\d\d/.test(value) && !Number.isNaN(Date.parse(value))) return value;
  throw new UsageError(
    `--since takes an ISO time (2026-11-22T09:00:00Z) or a seq (a whole number >= 0), got "${value}"`,
  );
}

function integer(flag: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value)) throw new UsageError(`${flag} must be a whole number, got "${value}"`);
  return Number(value);
}

function parseFilterFlags(flags: string[]): Filters {
  const filters: Filters = {};
  for (const flag of flags) {
    const eq = flag.indexOf('=');
    if (eq <= 0) throw new UsageError(`--filter takes key=value, got "${flag}"`);
    const key = flag.slice(0, eq);
    const value = scalar(flag.slice(eq + 1));
    const existing = filters[key];
    filters[key] = existing === undefined ? value : Array.isArray(existing) ? [...existing, value] : [existing, value];
  }
  return filters;
}

function scalar(text: string): FilterScalar {
  try {
    const value: unknown = JSON.parse(text);
    if (value === null || typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean')
      return value;
  } catch {
    // not JSON: a plain string
  }
  return text;
}
