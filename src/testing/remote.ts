/**
 * A test server driven from another process: end-to-end runners (Playwright) start servers in
 * a global setup and run tests in workers. `exposeTestServer` serves a server's controls over
 * HTTP on 127.0.0.1; `connectTestServer` drives them from anywhere on the machine.
 */
import { once } from 'node:events';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fail } from '../options-check.js';
import type { DialectName } from './backends.js';
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
 * each a promise that settles once the server has done it. Where the in-process server takes
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
   * one); `from: 0` also looks at what was already received. Rejects after `timeout` ms.
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
   * ({@link TestServer.gap}); rejects for a server that never replays.
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

async function bodyOf(req: IncomingMessage): Promise<Command> {
  let size = 0;
  const chunks: Buffer[] = [];
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY) throw new RangeError(`a control request is at most ${MAX_BODY} bytes`);
    chunks.push(chunk);
  }
  const value: unknown = JSON.parse(Buffer.concat(chunks).toString('utf8'));
  const { op, args } = (value ?? {}) as { op?: unknown; args?: unknown };
  if (typeof op !== 'string' || !Array.isArray(args)) throw new TypeError('a control request is {op, args}');
  return { op, args };
}

/** Runs one command; what the server refuses (a bad status...) throws, and is answered 400. */
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
      if (!server.gap) throw new TypeError(`the ${server.dialect} server never replays: it has no gap`);
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
    default:
      throw new TypeError(`no control named ${JSON.stringify(op)}`);
  }
}

/**
 * Serves `server`'s controls over HTTP on 127.0.0.1, port 0, for tests in other processes
 * (Playwright's workers, where the server was started in `globalSetup`).
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
        (error: unknown) => answer(400, { error: error instanceof Error ? error.message : String(error) }),
      );
  });
  http.listen(0, '127.0.0.1');
  await once(http, 'listening');
  return {
    url: `http://127.0.0.1:${(http.address() as AddressInfo).port}`,
    close: () => new Promise<void>((r) => http.close(() => r())),
  };
}

/**
 * Drives a test server another process exposed with {@link exposeTestServer}.
 * @example
 * ```ts
 * const server = await connectTestServer(process.env.EVENTWIRE_CONTROL ?? '');
 * await server.publish('Tick', { n: 1 });
 * ```
 */
export async function connectTestServer(controlUrl: string): Promise<RemoteTestServer> {
  const info = (await (await fetch(controlUrl)).json()) as Pick<
    RemoteTestServer,
    'dialect' | 'url' | 'token' | 'authCloseCode'
  >;
  const call = async (op: string, ...args: unknown[]): Promise<unknown> => {
    const res = await fetch(controlUrl, { method: 'POST', body: JSON.stringify({ op, args }) });
    const body = (await res.json()) as { result?: unknown; error?: string };
    if (!res.ok) throw new Error(`the test server refused ${op}: ${body.error}`);
    return body.result;
  };
  const done =
    (op: string) =>
    async (...args: unknown[]) =>
      void (await call(op, ...args));
  return {
    ...info,
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
