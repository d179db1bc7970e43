/**
 * `createTestServer`: a server of one dialect on 127.0.0.1, port 0, behind the fault proxy, so
 * an app's own tests can publish events in its server's wire format, read what the app sent,
 * and break the link on demand.
 */
import { systemClock } from '../core/util/clock.js';
import type { Dialect } from '../dialects/dialect.js';
import { checkHeaders, fail, num, optionObject, typed } from '../options-check.js';
import { closeFrameCarries } from '../protocol/close-codes.js';
import { utf8Length } from '../protocol/utf8.js';
import { type Backend, backend, type DialectName, dialectName } from './backends.js';
import { type Chaos, type ChaosOptions, startChaos } from './chaos.js';
import { type ChaosProxy, startChaosProxy } from './chaos-proxy.js';
import { calledAfterStop, callOptions, check, encodable, stoppedError, waitedTooLong } from './kit-errors.js';

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
 * A running test server (see {@link createTestServer}). A bad argument to a call (an unknown
 * option, a name that is not a string, a number out of range) throws an `OptionsError`; every
 * call after `stop()` (but `stop()` again) throws a `ClosedError` saying the server is stopped.
 * A call that returns a promise rejects with them instead.
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
   * an ack, a subscribe, a request, instead of sleeping. Rejects with a `TimeoutError` after
   * `timeout`, with a `ClosedError` when the server stops first.
   * @default match: every message; options: {@link NextMessageOptions}
   */
  nextMessage(match?: (message: unknown) => boolean, options?: NextMessageOptions): Promise<unknown>;
  /**
   * Resolves once at least `count` connections are open: to act once the app is connected.
   * Rejects with a `TimeoutError` after `timeout` ms, with a `ClosedError` when the server stops first.
   * @default count 1, timeout 5000
   */
  connected(count?: number, options?: { timeout?: number }): Promise<void>;
  /**
   * One event named `name`, in the dialect's wire format, to every connected client. With
   * `messageId`, the event asks for an ack (protocol v1, querri; the other servers take none:
   * an `OptionsError`): await it with `nextMessage`. Without `data`, the server's default (`{}`
   * on v1; provisioning's data is an object, else an `OptionsError`). A name that is not a
   * non-empty string, or an unknown option, throws an `OptionsError`; `data` JSON cannot hold
   * (a BigInt, a cycle, a function) an `EncodeError`, whether or not a client is connected.
   */
  publish(name: string, data?: unknown, options?: PublishOptions): void;
  /** Resets every connection (TCP RST, no close frame: the client sees 1006). Returns how many. */
  drop(): number;
  /** Closes every connection with a close frame (`code` 1006, which no frame carries, is `drop()`). */
  close(code: number, reason?: string): void;
  /**
   * Cuts every connection, stops listening for `downMs` (connections are refused), and starts
   * again on the same port; resolves once it listens again (or once `downMs` is over, if
   * `stop()` came first: it stays down). v1 keeps what it would replay.
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
   * 5xx: it retries), with `headers` (a `Retry-After`, a redirect's `Location`...). A status
   * that refuses an upgrade is an integer 300-599 (a redirect, a client or a server error):
   * another (101, 200, 99) throws an `OptionsError`, as do a `count` that is not an integer
   * >= 1 and a header no HTTP response carries.
   * @default count: every upgrade until `accept()`
   */
  refuse(status: number, options?: { count?: number; headers?: Record<string, string> }): void;
  /** Lets upgrades through again after `refuse()`. */
  accept(): void;
  /**
   * Protocol v1 only (undefined for servers that never replay): `count` events published that
   * no client received and the server will not replay, nor anything before them. A client
   * that resumes learns of it as a subscription's `gap`. A `count` that is not an integer >= 1
   * throws an `OptionsError`.
   * @default count 1
   */
  readonly gap: ((count?: number) => void) | undefined;
  /**
   * Starts seeded random faults until the returned handle's `stop()` (or the server's). Options
   * it cannot use (no `seed`, an unknown key, a fault it does not know) throw an `OptionsError`.
   */
  chaos(options: ChaosOptions): Chaos;
  /** Closes every connection and the server, so the test process can exit. A second call does nothing. */
  stop(): Promise<void>;
}

interface Waiter {
  match: (message: unknown) => boolean;
  resolve: (message: unknown) => void;
  reject: (error: Error) => void;
  timer: unknown;
}

const everything = () => true;

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
  /** The restarts under way, one after another (settled), and what ends the downtime of the one running early. */
  let restarts: Promise<void> = Promise.resolve();
  let wake: (() => void) | undefined;
  /** A `ClosedError` for a call after `stop()`: it did nothing, without a word. */
  const alive = (call: string) => {
    if (stopped) throw calledAfterStop(call);
  };

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
        alive('nextMessage');
        typed('match', match, 'function'); // a match object ({ type }) is the remote server's
        ({ timeout = 5000, from } = callOptions('nextMessage', options, 'timeout from'));
        if (from !== undefined) num('from', from, 0, false, true);
      } catch (error) {
        return Promise.reject(error);
      }
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
            const sent = `clients sent ${received.length} message${received.length === 1 ? '' : 's'} in all: see received`;
            reject(waitedTooLong('nextMessage', `no matching client message within ${timeout} ms`, sent));
          }, timeout),
        };
        waiters.add(waiter);
      });
    },
    connected(count = 1, options) {
      let timeout: number;
      try {
        alive('connected');
        num('count', count, 1, false, true);
        ({ timeout = 5000 } = callOptions('connected', options, 'timeout'));
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
          if (stopped) done(stoppedError('connected() was still waiting when stop() was called'));
          else if (server.count() >= count) done();
        };
        const timer = systemClock.setTimeout(() => {
          const open = `${server.count()} connected`;
          done(waitedTooLong('connected', `fewer than ${count} clients within ${timeout} ms`, open));
        }, timeout);
        counters.add(notify);
      });
    },
    publish(event, data, publishing) {
      alive('publish');
      // a name that is not one reached no client (publish(5)), a misspelled messageId asked for no ack
      if (typeof event !== 'string' || event === '') fail('the event name', 'a non-empty string', event);
      const { messageId } =
        optionObject('publish options', publishing ?? undefined, ['messageId'], 'publish option') ?? {};
      if (messageId !== undefined && (typeof messageId !== 'string' || messageId === ''))
        fail('messageId', 'a non-empty string', messageId);
      encodable(data);
      server.publish(event, data, messageId);
    },
    drop() {
      alive('drop');
      return proxy.inject('rst');
    },
    close(code, reason = '') {
      alive('close');
      // what a close frame carries (ws threw its own TypeError at the first connection; with none, nothing)
      if (code !== 1006 && !closeFrameCarries(code))
        fail('code', '1000-1003, 1006 (a reset), 1007-1014 or 3000-4999', code);
      if (typeof reason !== 'string' || utf8Length(reason, 123) > 123)
        fail('reason', 'a string of at most 123 UTF-8 bytes', reason);
      if (code === 1006) proxy.inject('rst');
      else server.closeAll(code, reason);
    },
    async restart(restarting) {
      alive('restart');
      const { downMs = 0 } =
        optionObject('restart options', restarting ?? undefined, ['downMs'], 'restart option') ?? {};
      check('downMs', downMs, 0);
      // one after another (chaos and a test's own may overlap: two listens on one port failed); stop() meanwhile
      // ends the downtime and waits for this, each step after an await asking whether it came
      const run = restarts.then(async () => {
        if (stopped) return;
        await proxy.pause();
        proxy.inject('rst');
        await server.stop();
        if (downMs > 0 && !stopped)
          await new Promise<void>((r) => {
            const timer = setTimeout(r, downMs);
            wake = () => {
              clearTimeout(timer); // nothing of it keeps the process alive
              r();
            };
          });
        if (!stopped) await server.start();
        if (!stopped) await proxy.listen();
      });
      restarts = run.catch(() => {});
      await run;
    },
    blackhole(ms) {
      alive('blackhole');
      check('ms', ms, 0);
      return proxy.inject('stall', { ms });
    },
    refuse(status, refusal) {
      alive('refuse');
      // what answers an upgrade instead of 101: a redirect, a client or a server error (a 200 or a 101 is no refusal)
      if (!Number.isInteger(status) || status < 300 || status > 599)
        fail('status', 'an HTTP status that refuses an upgrade: an integer 300-599 (401, 403, 503...)', status);
      const { count, headers } =
        optionObject('refuse options', refusal ?? undefined, ['count', 'headers'], 'refuse option') ?? {};
      if (count !== undefined) num('count', count, 1, false, true);
      proxy.refuse(status, { count, headers: checkHeaders(headers) });
    },
    accept() {
      alive('accept');
      proxy.refuse(undefined);
    },
    gap: server.gap
      ? (count = 1) => {
          alive('gap');
          num('count', count, 1, false, true); // a string was added to the seq ('2': seq 12), a negative took it back
          server.gap?.(count);
        }
      : undefined,
    chaos(chaosOptions) {
      alive('chaos');
      const chaos = startChaos(api, proxy, chaosOptions);
      chaoses.add(chaos);
      return chaos;
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      wake?.(); // a restart's downtime: it stays down
      await restarts; // a restart in the middle of a listen: what it opened is closed below
      for (const chaos of chaoses) void chaos.stop();
      for (const w of waiters) {
        systemClock.clearTimeout(w.timer);
        w.reject(stoppedError('nextMessage() was still waiting when stop() was called'));
      }
      waiters.clear();
      for (const notify of counters) notify();
      await proxy.close();
      await server.close();
    },
  };
  try {
    if (options.chaos) api.chaos(options.chaos);
  } catch (error) {
    await api.stop(); // chaos options it cannot use: the server it started is no one's to stop
    throw error;
  }
  return api;
}
