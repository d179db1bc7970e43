#!/usr/bin/env node
/**
 * The `eventwire` command. `eventwire tail <url>` prints events as NDJSON on stdout and
 * status on stderr; `eventwire serve` runs the reference server (serve.ts, loaded for it
 * alone); see `eventwire --help`.
 */
import { once } from 'node:events';
import { createRequire } from 'node:module';
import { createClient } from '../client.js';
import { redact } from '../core/util/log-writer.js';
import { buster, eventwire, forge, mdb, provisioning, querri } from '../dialects/index.js';
import type { EventwireError } from '../errors/base.js';
import {
  isAuthError,
  isConnectionError,
  isDialectMismatchError,
  isFilterError,
  isOptionsError,
  isReconnectExhaustedError,
} from '../errors/index.js';
import { DIALECTS, EX_USAGE, HELP, parseCommandArgs, UsageError } from './args.js';

/** A token written into the URL itself (`?token=`) is a secret too. */
function urlToken(url: string): string | undefined {
  try {
    return new URL(url).searchParams.get('token') ?? undefined;
  } catch {
    return undefined;
  }
}

/** Said after an authentication refusal when no token was given. */
const NO_TOKEN_HINT = '; no token was given: pass --token T or --token-env VAR';

/** Server text on a terminal: control characters (escape sequences, line breaks) as `?`. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching them is the point
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/g;
const printable = (text: string) => text.replace(CONTROL, '?');

/** A usage error: one line, where to look, and exit 64. */
function usage(message: string): number {
  process.stderr.write(`eventwire: ${message}\n(see eventwire --help)\n`);
  return EX_USAGE;
}

async function main(argv: string[]): Promise<number> {
  let args: ReturnType<typeof parseCommandArgs>;
  try {
    args = parseCommandArgs(argv, process.env);
  } catch (error) {
    const message =
      error instanceof UsageError || (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')
        ? (error as Error).message
        : String(error);
    return usage(message);
  }
  if (args === 'help') {
    process.stdout.write(`${HELP}\n`);
    return 0;
  }
  if (args === 'version') {
    const { version } = createRequire(import.meta.url)('../package.json') as { version: string };
    process.stdout.write(`${version}\n`);
    return 0;
  }
  if (args.command === 'serve') {
    // the server (and `ws`'s server, zod) only for `serve`: tsup builds it apart, dist/cli-serve.js
    const { serve } = await import('./serve.js');
    return serve(args, (line) => process.stderr.write(`eventwire: ${line}\n`));
  }
  const secrets = [args.token, urlToken(args.url)];
  const status = (line: string) => process.stderr.write(`eventwire: ${printable(redact(line, secrets))}\n`);
  let fatal: EventwireError | undefined;
  let lastClose = '';
  // A failed attempt's ConnectionError is said on the `reconnecting` line that follows it:
  // one line an attempt, with its cause. One that no such line follows is said on its own.
  let attemptError: EventwireError | undefined;
  const sayAttemptError = () => {
    if (attemptError) status(`${attemptError.code}: ${attemptError.message}`);
    attemptError = undefined;
  };
  let client: ReturnType<typeof createClient>;
  let stream: ReturnType<typeof client.stream>;
  try {
    client = createClient({
      url: args.url,
      token: args.token,
      auth: args.auth,
      dialect: { buster, eventwire, forge, mdb, provisioning, querri }[args.dialect](),
      compression: args.compression,
      batchSize: args.batchSize,
      backoff: args.maxRetries === undefined ? undefined : { maxRetries: args.maxRetries },
      lazy: true,
      on: {
        state: ({ to }) => {
          if (to === 'connecting') status(`connecting to ${args.url}`);
          if (to === 'open') status(`open${client.sessionId ? ` (session ${client.sessionId})` : ''}`);
        },
        close: ({ code, reason, willReconnect }) => {
          if (willReconnect) lastClose = reason ? `${code} ${reason}` : String(code);
        },
        reconnecting: ({ attempt, delay, error }) => {
          const why = error && error === attemptError ? error.message : `closed: ${lastClose}`;
          if (error !== attemptError) sayAttemptError();
          attemptError = undefined;
          status(`reconnecting: attempt ${attempt} in ${Math.round(delay)} ms (${why})`);
        },
        error: (error) => {
          if (client.state === 'closed') fatal = error;
          else if (isDialectMismatchError(error)) {
            // frames of another dialect than --dialect: none of them would print as events; stop and say which
            fatal = error;
            stop();
          } else if (isConnectionError(error)) {
            sayAttemptError();
            attemptError = error;
            queueMicrotask(() => error === attemptError && sayAttemptError());
          } else status(`${error.code}: ${error.message}`);
        },
      },
    });
    stream = client.stream(args.events, { filters: args.filters, since: args.since, bufferSize: 10_000 });
  } catch (error) {
    // a URL without ws:// (`localhost:8080`), a --batch-size out of range, a --filter key no path can be
    if (!isOptionsError(error) && !isFilterError(error)) throw error;
    return usage(error.message);
  }
  stream.on('gap', ({ from, to }) =>
    status(
      from === undefined
        ? 'gap: the link was lost and this server cannot replay; events may be missing'
        : `gap: events ${from}..${to} are no longer kept by the server; they were not replayed`,
    ),
  );
  const stop = () => stream.unsubscribe();
  client.on('state', ({ to }) => to === 'closed' && stop());
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  // `eventwire tail ... | head -3` (`2>&1 | head -3` too): the reader went away; end quietly, like any Unix filter
  let piped = true;
  const readerGone = (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EPIPE') throw error;
    piped = false;
    stop();
  };
  process.stdout.on('error', readerGone);
  process.stderr.on('error', readerGone);
  try {
    for await (const event of stream) {
      const line =
        args.format === 'json'
          ? JSON.stringify(event)
          : `${event.seq ?? '-'} ${event.timestamp} ${event.event_type} ${JSON.stringify(event.data)}`;
      if (!piped) break;
      if (!process.stdout.write(`${line}\n`)) await once(process.stdout, 'drain').catch(() => {}); // EPIPE: handled above
    }
  } catch (error) {
    fatal ??= error as EventwireError;
  } finally {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
    client.close();
  }
  if (!fatal) {
    status('closed');
    return 0;
  }
  // the message names the cause (a ReconnectExhaustedError, the last attempt's)
  const reads = isDialectMismatchError(fatal) ? fatal.reads : undefined;
  const hint =
    isAuthError(fatal) && args.token === undefined && !urlToken(args.url)
      ? NO_TOKEN_HINT
      : reads
        ? `; run with --dialect ${reads}`
        : isDialectMismatchError(fatal)
          ? `; run with --dialect NAME (${DIALECTS.filter((name) => name !== args.dialect).join(', ')})`
          : '';
  status(`${fatal.message}${hint}`);
  return isAuthError(fatal) ? 2 : isReconnectExhaustedError(fatal) ? 3 : 1;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`eventwire: ${String(error)}\n`);
    process.exitCode = 1;
  },
);
