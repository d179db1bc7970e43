#!/usr/bin/env node
/**
 * The `eventwire` command. `eventwire tail <url>` prints events as NDJSON on stdout and
 * status on stderr; see `eventwire --help`.
 */
import { once } from 'node:events';
import { createRequire } from 'node:module';
import { createClient } from '../client.js';
import { redact } from '../core/util/logger.js';
import { buster, eventwire, forge, mdb, provisioning, querri } from '../dialects/index.js';
import type { EventwireError } from '../errors/base.js';
import { isAuthError, isReconnectExhaustedError } from '../errors/errors.js';
import { EX_USAGE, HELP, parseTailArgs, UsageError } from './args.js';

/** A token written into the URL itself (`?token=`) is a secret too. */
function urlToken(url: string): string | undefined {
  try {
    return new URL(url).searchParams.get('token') ?? undefined;
  } catch {
    return undefined;
  }
}

async function main(argv: string[]): Promise<number> {
  let args: ReturnType<typeof parseTailArgs>;
  try {
    args = parseTailArgs(argv, process.env);
  } catch (error) {
    const message =
      error instanceof UsageError || (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')
        ? (error as Error).message
        : String(error);
    process.stderr.write(`eventwire: ${message}\n(see eventwire --help)\n`);
    return EX_USAGE;
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
  const secrets = [args.token, urlToken(args.url)];
  const status = (line: string) => process.stderr.write(`eventwire: ${redact(line, secrets)}\n`);
  let fatal: EventwireError | undefined;
  let lastClose = '';
  const client = createClient({
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
      reconnecting: ({ attempt, delay }) =>
        status(`reconnecting: attempt ${attempt} in ${Math.round(delay)} ms (closed: ${lastClose})`),
      error: (error) => {
        if (client.state === 'closed') fatal = error;
        else status(`${error.code}: ${error.message}`);
      },
    },
  });
  const stream = client.stream(args.events, { filters: args.filters, since: args.since, bufferSize: 10_000 });
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
  // `eventwire tail ... | head -3`: the reader went away; end quietly, like any Unix filter
  let piped = true;
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EPIPE') throw error;
    piped = false;
    stop();
  });
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
  status(isReconnectExhaustedError(fatal) && lastClose ? `${fatal.message} (last: ${lastClose})` : fatal.message);
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
