/**
 * `createTestServer`: a server of one dialect on 127.0.0.1, port 0, behind the fault proxy, so
 * an app's own tests can publish events in its server's wire format, read what the app sent,
 * and break the link on demand.
 */
import { systemClock } from '../core/util/clock.js';
import type { Dialect } from '../dialects/dialect.js';
import { fail, num, optionObject, typed } from '../options-check.js';
import { closeFrameCarries } from '../protocol/close-codes.js';
import { utf8Length } from '../protocol/utf8.js';
import { type Backend, backend, type DialectName, dialectName } from './backends.js';
import { type Chaos, type ChaosOptions, startChaos } from './chaos.js';
import { type ChaosProxy, startChaosProxy } from './chaos-proxy.js';

/**
 * Options of {@link createTestServer}.
 * @example `{ dialect: querri(), token: 'jwt-1' }`
 */
export interface TestServerOptions {
  /**
   * The server's dialect: the dialect function's result (`querri()`) or its name (`'querri'`).
   * @default 'eventwire' (protocol v1, with replay)
   */
  dialect?: Dialect | DialectName;
  /** The one token the server accepts. @default 'test-token' */
  token?: string;
  /** The most client messages kept in `received` (the oldest go first). @default 10000 */
  maxReceived?: number;
  /** Start seeded random faults at once (see {@link TestServer.chaos}). @default undefined (none) */
  chaos?: ChaosOptions;
}

/**
 * Options of {@link TestServer.nextMessage}.
 * @example `{ timeout: 2000, from: 0 }`
 */
export interface NextMessageOptions {
  /** ms before the promise rejects. @default 5000 */
  timeout?: number;
  /**
   * The index in `received` to look from: 0 also matches what was already received.
   * @default received.length (only messages still to come)
   */
  from?: number;
}

/**
 * Options of {@link TestServer.publish}.
 * @example `{ messageId: 'deploy-42' }`
 */
export interface PublishOptions {
  /** The event asks for an ack under this id (v1 re-sends it until acked). @default undefined (no ack) */
  messageId?: string;
}

/**
 * A running test server (see {@link createTestServer}).
 * @example
 * ```ts
 * const server = await createTestServer({ dialect: 'querri' });
 * const client = createClient({ url: server.url, token: server.token, dialect: querri() });
 * server.publish('step_completed', { step: 2 });
 * server.drop();
 * await server.stop();
 * ```
 */
export interface TestServer {
  /** The dialect it speaks. */
  readonly dialect: DialectName;
  /** What a client of the dialect connects to as it is: `ws://127.0.0.1:<port>` and the server's path. */
  readonly url: string;
  /** The token the server accepts (`options.token`). */
  readonly token: string;
  /** The close code the dialect reads as refused credentials: `close(server.authCloseCode)` stops a client with `AuthError`. */
  readonly authCloseCode: number;
  /** Connections open on the server now. */
  readonly clients: number;
  /** Every message clients sent, parsed (a frame that is not JSON as its text), in order. */
  readonly received: readonly unknown[];
  /**
   * The next message a client sends that matches (every message, without `match`): to await
   * an ack, a subscribe, a request, instead of sleeping. Rejects after `timeout`, or when the
   * server stops.
   * @default match: every message; options: {@link NextMessageOptions}
   */
  nextMessage(match?: (message: unknown) => boolean, options?: NextMessageOptions): Promise<unknown>;
  /**
   * Resolves once at least `count` connections are open: to act once the app is connected.
   * Rejects after `timeout` ms, or when the server stops.
   * @default count 1, timeout 5000
   */
  connected(count?: number, options?: { timeout?: number }): Promise<void>;
  /**
   * One event named `name`, in the dialect's wire format, to every connected client. With
   * `messageId`, the event asks for an ack (protocol v1, querri; the other servers take none
   * and throw a `TypeError`): await it with `nextMessage`. Without `data`, the server's default
   * (`{}` on v1). A name that is not a non-empty string, or an unknown option, throws an `OptionsError`.
   */
  publish(name: string, data?: unknown, options?: PublishOptions): void;
  /** Resets every connection (TCP RST, no close frame: the client sees 1006). Returns how many. */
  drop(): number;
  /** Closes every connection with a close frame (`code` 1006, which no frame carries, is `drop()`). */
  close(code: number, reason?: string): void;
  /**
   * Cuts every connection, stops listening for `downMs` (connections are refused), and starts
   * again on the same port; resolves once it listens again. v1 keeps what it would replay.
   * @default downMs 0
   */
  restart(options?: { downMs?: number }): Promise<void>;
  /**
   * For `ms`, nothing is read or sent on the connections open now (the sockets stay): what a
   * heartbeat exists to notice; then it all flows again. Returns how many connections it froze.
   */
  blackhole(ms: number): number;
  /**
   * Answers the next upgrades with HTTP `status` (401/403: the client stops with `AuthError`;
   * 5xx: it retries), with `headers` (a `Retry-After`...).
   * @default count: every upgrade until `accept()`
   */
  refuse(status: number, options?: { count?: number; headers?: Record<string, string> }): void;
  /** Lets upgrades through again after `refuse()`. */
  accept(): void;
  /**
   * Protocol v1 only (undefined for servers that never replay): `count` events published that
   * no client received and the server will not replay, nor anything before them. A client
   * that resumes learns of it as a subscription's `gap`.
   */
  readonly gap: ((count?: number) => void) | undefined;
  /** Starts seeded random faults until the returned handle's `stop()` (or the server's). */
  chaos(options: ChaosOptions): Chaos;
  /** Closes every connection and the server, so the test process can exit. */
  stop(): Promise<void>;
}

interface Waiter {
  match: (message: unknown) => boolean;
  resolve: (message: unknown) => void;
  reject: (error: Error) => void;
  timer: unknown;
}

const everything = () => true;

/** An `OptionsError` unless `value` is a finite number at least `min` (`Infinity` would wait for ever). */
function check(name: string, value: number, min: number): void {
  if (num(name, value, min) === Infinity) fail(name, `a finite number >= ${min}`, value);
}

/**
 * A call's options object with known keys only, and its `timeout` a number > 0 (`Infinity`: none): else an
 * `OptionsError`, as the client's own options (a misspelled key was ignored; a string timeout fired at once).
 */
function waitOptions<T extends { timeout?: number }>(what: string, options: T | undefined, known: string): T {
  const checked = optionObject(`${what} options`, options, known.split(' '), `${what} option`) ?? ({} as T);
  if (checked.timeout !== undefined) num('timeout', checked.timeout, 0, true);
  return checked;
}

/**
 * Starts a server of a dialect on 127.0.0.1, port 0, for an app's own tests: publish events
 * in the server's wire format, read what the app sent, break the link on demand. Node only.
 *
 * @example
 * ```ts
 * import { createClient } from 'eventwire';
 * import { createTestServer } from 'eventwire/testing';
 *
 * const server = await createTestServer();
 * const client = createClient({ url: server.url, token: server.token });
 * client.on('open', () => server.publish('Tick', { n: 1 }));
 * client.on('Tick', (event) => console.log(event.data));
 * // ... then
 * client.close();
 * await server.stop();
 * ```
 */
export async function createTestServer(options: TestServerOptions = {}): Promise<TestServer> {
  optionObject('createTestServer options', options, ['dialect', 'token', 'maxReceived', 'chaos'], 'option');
  const name = dialectName(options.dialect);
  const token = options.token ?? 'test-token';
  if (typeof token !== 'string' || token === '') fail('token', 'a non-empty string', token);
  const maxReceived = options.maxReceived ?? 10_000;
  check('maxReceived', maxReceived, 1);
  const server: Backend = backend(name, token);
  const received: unknown[] = [];
  const waiters = new Set<Waiter>();
  const counters = new Set<() => void>();
  const chaoses = new Set<Chaos>();
  server.listen(
    (message) => {
      received.push(message);
      if (received.length > maxReceived) received.shift();
      for (const w of waiters) {
        if (!w.match(message)) continue;
        waiters.delete(w);
        systemClock.clearTimeout(w.timer);
        w.resolve(message);
      }
    },
    () => {
      for (const notify of counters) notify();
    },
  );
  await server.start();
  let proxy: ChaosProxy;
  try {
    proxy = await startChaosProxy(server.port());
  } catch (error) {
    await server.close();
    throw error;
  }
  let stopped = false;

  const api: TestServer = {
    dialect: name,
    url: `${proxy.url}${server.path}`,
    token,
    authCloseCode: server.authCloseCode,
    get clients() {
      return server.count();
    },
    received,
    nextMessage(match = everything, options) {
      let timeout: number;
      let from: number | undefined;
      try {
        typed('match', match, 'function'); // a match object ({ type }) is the remote server's
        ({ timeout = 5000, from } = waitOptions('nextMessage', options, 'timeout from'));
        if (from !== undefined) num('from', from, 0, false, true);
      } catch (error) {
        return Promise.reject(error);
      }
      if (stopped) return Promise.reject(new Error('the test server is stopped'));
      for (let i = Math.max(0, from ?? received.length); i < received.length; i++) {
        if (match(received[i])) return Promise.resolve(received[i]);
      }
      return new Promise((resolve, reject) => {
        const waiter: Waiter = {
          match,
          resolve,
          reject,
          timer: systemClock.setTimeout(() => {
            waiters.delete(waiter);
            reject(new Error(`no matching client message within ${timeout} ms`));
          }, timeout),
        };
        waiters.add(waiter);
      });
    },
    connected(count = 1, options) {
      let timeout: number;
      try {
        num('count', count, 1, false, true);
        ({ timeout = 5000 } = waitOptions('connected', options, 'timeout'));
      } catch (error) {
        return Promise.reject(error);
      }
      if (server.count() >= count) return Promise.resolve();
      return new Promise((resolve, reject) => {
        const done = (error?: Error) => {
          counters.delete(notify);
          systemClock.clearTimeout(timer);
          if (error) reject(error);
          else resolve();
        };
        const notify = () => {
          if (stopped) done(new Error('the test server is stopped'));
          else if (server.count() >= count) done();
        };
        const timer = systemClock.setTimeout(
          () => done(new Error(`fewer than ${count} clients within ${timeout} ms`)),
          timeout,
        );
        counters.add(notify);
      });
    },
    publish(event, data, publishing) {
      // a name that is not one reached no client (publish(5)), a misspelled messageId asked for no ack
      if (typeof event !== 'string' || event === '') fail('the event name', 'a non-empty string', event);
      const { messageId } =
        optionObject('publish options', publishing ?? undefined, ['messageId'], 'publish option') ?? {};
      if (messageId !== undefined && (typeof messageId !== 'string' || messageId === ''))
        fail('messageId', 'a non-empty string', messageId);
      server.publish(event, data, messageId);
    },
    drop: () => proxy.inject('rst'),
    close(code, reason = '') {
      // what a close frame carries (ws threw its own TypeError at the first connection; with none, nothing)
      if (code !== 1006 && !closeFrameCarries(code))
        fail('code', '1000-1003, 1006 (a reset), 1007-1014 or 3000-4999', code);
      if (typeof reason !== 'string' || utf8Length(reason, 123) > 123)
        fail('reason', 'a string of at most 123 UTF-8 bytes', reason);
      if (code === 1006) proxy.inject('rst');
      else server.closeAll(code, reason);
    },
    async restart({ downMs = 0 } = {}) {
      check('downMs', downMs, 0);
      await proxy.pause();
      proxy.inject('rst');
      await server.stop();
      if (downMs > 0) await new Promise((r) => setTimeout(r, downMs));
      if (stopped) return;
      await server.start();
      await proxy.listen();
    },
    blackhole(ms) {
      check('ms', ms, 0);
      return proxy.inject('stall', { ms });
    },
    refuse(status, refusal = {}) {
      if (!Number.isInteger(status) || status < 100 || status > 599) fail('status', 'an HTTP status (100-599)', status);
      proxy.refuse(status, refusal);
    },
    accept: () => proxy.refuse(undefined),
    gap: server.gap ? (count = 1) => server.gap?.(count) : undefined,
    chaos(chaosOptions) {
      const chaos = startChaos(api, proxy, chaosOptions);
      chaoses.add(chaos);
      return chaos;
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      for (const chaos of chaoses) void chaos.stop();
      for (const w of waiters) {
        systemClock.clearTimeout(w.timer);
        w.reject(new Error('the test server is stopped'));
      }
      waiters.clear();
      for (const notify of counters) notify();
      await proxy.close();
      await server.close();
    },
  };
  if (options.chaos) api.chaos(options.chaos);
  return api;
}
