/**
 * A test server driven from another process: end-to-end runners (Playwright) start servers in
 * a global setup and run tests in workers. `exposeTestServer` serves a server's controls over
 * HTTP on 127.0.0.1; `connectTestServer` drives them from anywhere on the machine.
 */
import { once } from 'node:events';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { shown } from '../errors/base.js';
import { fail } from '../options-check.js';
import { closest } from '../protocol/suggest.js';
import type { DialectName } from './backends.js';
import { type ErrorAnswer, errorAnswer, rebuilt, unreachable } from './kit-errors.js';
import type { NextMessageOptions, PublishOptions, TestServer } from './test-server.js';

/** The largest control request body read (bytes): a published event's data travels in it. */
const MAX_BODY = 1024 * 1024;

/**
 * A test server's controls over HTTP (see {@link exposeTestServer}).
 * @example `process.env.EVENTWIRE_CONTROL = (await exposeTestServer(server)).url`
 */
export interface ExposedTestServer {
  /** `http://127.0.0.1:<port>`: give it to {@link connectTestServer}. */
  readonly url: string;
  /** Stops serving the controls (the test server itself stays up). */
  close(): Promise<void>;
}

/**
 * A test server in another process, driven over HTTP: the same controls as {@link TestServer},
 * each a promise that settles once the server has done it, or rejects with the error the
 * in-process server throws (the same class and message: an `OptionsError` for a bad argument,
 * a `ClosedError` once it is stopped); a control server that no longer answers, with a
 * `ConnectionError` naming its url. Where the in-process server takes
 * a function (`nextMessage`'s `match`), this one takes a pattern: an object whose fields the
 * message must have, with the same JSON values.
 * @example
 * ```ts
 * const server = await connectTestServer(process.env.EVENTWIRE_CONTROL ?? '');
 * await server.restart({ downMs: 500 });
 * ```
 */
export interface RemoteTestServer {
  /** The dialect the server speaks ({@link TestServer.dialect}). */
  readonly dialect: DialectName;
  /** What a client of the dialect connects to as it is ({@link TestServer.url}). */
  readonly url: string;
  /** The token the server accepts ({@link TestServer.token}). */
  readonly token: string;
  /** The close code the dialect reads as refused credentials ({@link TestServer.authCloseCode}). */
  readonly authCloseCode: number;
  /** Connections open on the server now. */
  clients(): Promise<number>;
  /** Every message clients sent so far, parsed, in order ({@link TestServer.received}). */
  received(): Promise<unknown[]>;
  /**
   * The next message a client sends that has every field of `pattern` (every message, without
   * one); `from: 0` also looks at what was already received. Rejects with a `TimeoutError`
   * after `timeout` ms.
   * @default pattern `{}`, options `{ timeout: 5000, from: received.length }`
   */
  nextMessage(pattern?: Record<string, unknown>, options?: NextMessageOptions): Promise<unknown>;
  /** One event named `name`, in the dialect's wire format, to every client ({@link TestServer.publish}). */
  publish(name: string, data?: unknown, options?: PublishOptions): Promise<void>;
  /** Resets every connection, no close frame ({@link TestServer.drop}). */
  drop(): Promise<void>;
  /** Closes every connection with a close frame ({@link TestServer.close}). */
  close(code: number, reason?: string): Promise<void>;
  /** Cuts every connection and is down for `downMs` ({@link TestServer.restart}); settles once it is up again. */
  restart(options?: { downMs?: number }): Promise<void>;
  /** Silence on the open connections for `ms`, the sockets kept ({@link TestServer.blackhole}). */
  blackhole(ms: number): Promise<void>;
  /** Answers the next upgrades with HTTP `status` ({@link TestServer.refuse}). @default count: every one until `accept()` */
  refuse(status: number, options?: { count?: number }): Promise<void>;
  /** Lets upgrades through again after `refuse()`. */
  accept(): Promise<void>;
  /**
   * Protocol v1 only: `count` events no client got that the server will not replay
   * ({@link TestServer.gap}); rejects with an `OptionsError` for a server that never replays.
   * @default count 1
   */
  gap(count?: number): Promise<void>;
}

/** Whether `message` has every field of `pattern`, with the same JSON value. */
function matches(message: unknown, pattern: unknown): boolean {
  if (typeof pattern !== 'object' || pattern === null) return true;
  if (typeof message !== 'object' || message === null) return false;
  const fields = message as Record<string, unknown>;
  return Object.entries(pattern).every(([key, value]) => JSON.stringify(fields[key]) === JSON.stringify(value));
}

type Command = { op: string; args: unknown[] };

/** The controls, by the name a request gives (`op`). */
const CONTROLS = [
  'clients',
  'received',
  'nextMessage',
  'publish',
  'drop',
  'close',
  'restart',
  'blackhole',
  'refuse',
  'accept',
  'gap',
];

/**
 * A control request: JSON `{op, args, absent}`, `absent` the indexes of the arguments that were undefined (JSON
 * makes them null: `publish('X', undefined, ...)` published null). Anything else is an `OptionsError`.
 */
async function bodyOf(req: IncomingMessage): Promise<Command> {
  let size = 0;
  const chunks: Buffer[] = [];
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY) fail(`a control request is at most ${MAX_BODY} bytes (a published event's data included)`);
    chunks.push(chunk);
  }
  let value: unknown;
  try {
    value = JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch (error) {
    fail(`a control request is JSON {op, args}: ${error instanceof Error ? error.message : String(error)}`);
  }
  const { op, args, absent = [] } = (value ?? {}) as { op?: unknown; args?: unknown; absent?: unknown };
  if (typeof op !== 'string' || !Array.isArray(args) || !Array.isArray(absent))
    fail('a control request is JSON {op: the control, args: an array}, as connectTestServer() sends it');
  for (const index of absent) if (Number.isInteger(index) && index >= 0 && index < args.length) args[index] = undefined;
  return { op, args };
}

/** Runs one command; what the server refuses (a bad status...) throws, and is answered 400 with its code. */
async function run(server: TestServer, { op, args }: Command): Promise<unknown> {
  const [a, b, c] = args as [never, never, never];
  switch (op) {
    case 'clients':
      return server.clients;
    case 'received':
      return server.received;
    case 'nextMessage':
      return server.nextMessage((message) => matches(message, a), b);
    case 'gap':
      if (!server.gap)
        fail(
          `gap(): the ${server.dialect} server never replays, so it has no gap (the eventwire server alone has one)`,
        );
      return server.gap(a);
    case 'publish':
      return server.publish(a, b, c);
    case 'drop':
      return void server.drop();
    case 'close':
      return server.close(a, b);
    case 'restart':
      return server.restart(a);
    case 'blackhole':
      return void server.blackhole(a);
    case 'refuse':
      return server.refuse(a, b);
    case 'accept':
      return server.accept();
    default: {
      const near = closest(op, CONTROLS);
      fail(
        `no control named ${JSON.stringify(op)}${near ? ` (did you mean ${near}?)` : ''}; the controls are ${CONTROLS.join(', ')}`,
      );
    }
  }
}

/**
 * Serves `server`'s controls over HTTP on 127.0.0.1, port 0, for tests in other processes
 * (Playwright's workers, where the server was started in `globalSetup`). A control it cannot
 * run (unknown, a body that is not `{op, args}`, an argument the server refuses, a stopped
 * server) is answered 400 with JSON `{ error, code, name }`: the error's message, `code` and
 * class, which {@link connectTestServer} rebuilds; a failure of its own, 500.
 * @example
 * ```ts
 * // global-setup.ts
 * const server = await createTestServer();
 * process.env.EVENTWIRE_CONTROL = (await exposeTestServer(server)).url;
 * ```
 */
export async function exposeTestServer(server: TestServer): Promise<ExposedTestServer> {
  const http = createServer((req, res) => {
    const answer = (status: number, value: unknown) =>
      res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(value ?? null));
    if (req.method === 'GET') {
      const { dialect, url, token, authCloseCode } = server;
      answer(200, { dialect, url, token, authCloseCode });
      return;
    }
    bodyOf(req)
      .then((command) => run(server, command))
      .then(
        (result) => answer(200, { result }),
        (error: unknown) => {
          const { status, body } = errorAnswer(error);
          answer(status, body);
        },
      );
  });
  http.listen(0, '127.0.0.1');
  await once(http, 'listening');
  return {
    url: `http://127.0.0.1:${(http.address() as AddressInfo).port}`,
    close: () => new Promise<void>((r) => http.close(() => r())),
  };
}

/** `res`'s JSON body, or undefined when it has none (not JSON: something else answered). */
async function jsonOf(res: Response): Promise<unknown> {
  try {
    return await res.json();
  } catch {
    return undefined;
  }
}

/** `fetch`, its bare `TypeError: fetch failed` (nothing listening...) a `ConnectionError` naming `url`. */
async function reach(url: string, init?: RequestInit): Promise<Response> {
  try {
    return await fetch(url, init);
  } catch (error) {
    throw unreachable(url, error);
  }
}

type Info = Pick<RemoteTestServer, 'dialect' | 'url' | 'token' | 'authCloseCode'>;

/**
 * Drives a test server another process exposed with {@link exposeTestServer}. A `controlUrl` that
 * is not an http:// URL, or whose server is not one `exposeTestServer` started, rejects with an
 * `OptionsError`; one where nothing answers with a `ConnectionError` naming it. A control the
 * server refuses rejects with the error the in-process server throws, rebuilt: the same class
 * and message (`OptionsError`, `TimeoutError`, `ClosedError` once the server is stopped...).
 * @example
 * ```ts
 * const server = await connectTestServer(process.env.EVENTWIRE_CONTROL ?? '');
 * await server.publish('Tick', { n: 1 });
 * ```
 */
export async function connectTestServer(controlUrl: string): Promise<RemoteTestServer> {
  // '' when the variable a global setup sets is missing here; a test server's ws:// url given instead
  if (typeof controlUrl !== 'string' || !URL.canParse(controlUrl) || !/^https?:$/.test(new URL(controlUrl).protocol))
    fail(
      `connectTestServer() needs the url exposeTestServer() gave (http://127.0.0.1:<port>), got ${shown(controlUrl)}${controlUrl === '' ? ' (is the variable your global setup sets, set in this process?)' : ''}`,
    );
  const res = await reach(controlUrl);
  const info = (await jsonOf(res)) as Partial<Info> | undefined;
  if (!res.ok || typeof info?.dialect !== 'string' || typeof info.url !== 'string')
    fail(
      `${controlUrl} answered HTTP ${res.status}, not a test server's controls: give connectTestServer the url exposeTestServer() returned`,
    );
  const call = async (op: string, ...args: unknown[]): Promise<unknown> => {
    const absent = args.flatMap((arg, index) => (arg === undefined ? [index] : []));
    const answer = await reach(controlUrl, { method: 'POST', body: JSON.stringify({ op, args, absent }) });
    const body = (await jsonOf(answer)) as ({ result?: unknown } & Partial<ErrorAnswer>) | undefined;
    if (!answer.ok) throw rebuilt(op, answer.status, body);
    return body?.result;
  };
  const done =
    (op: string) =>
    async (...args: unknown[]) =>
      void (await call(op, ...args));
  const { dialect, url, token, authCloseCode } = info as Info;
  return {
    dialect,
    url,
    token,
    authCloseCode,
    clients: async () => (await call('clients')) as number,
    received: async () => (await call('received')) as unknown[],
    nextMessage: async (pattern, options) => {
      // a function cannot cross to the server: sent as JSON it became {}, which matched any message
      if (pattern !== undefined && (typeof pattern !== 'object' || pattern === null || Array.isArray(pattern)))
        fail('nextMessage pattern', 'an object of the fields to match (a function works in-process only)', pattern);
      return call('nextMessage', pattern ?? {}, options ?? {});
    },
    publish: done('publish'),
    drop: done('drop'),
    close: done('close'),
    restart: done('restart'),
    blackhole: done('blackhole'),
    refuse: done('refuse'),
    accept: done('accept'),
    gap: done('gap'),
  };
}
