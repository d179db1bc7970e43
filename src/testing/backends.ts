/**
 * One server per dialect behind one interface: the emulators (built from each server's own
 * code) and the v1 reference server, each started on 127.0.0.1, port 0, accepting one token,
 * publishing an event in its own wire format.
 */
import type { Dialect } from '../dialects/dialect.js';
import { kind } from '../errors/base.js';
import { fail } from '../protocol/option-rules.js';
import { closest } from '../protocol/suggest.js';
import { startBuster } from './emulators/buster.js';
import type { Emulator } from './emulators/emulator.js';
import { startForge } from './emulators/forge.js';
import { startMdb } from './emulators/mdb.js';
import { startProvisioning } from './emulators/provisioning.js';
import { startQuerri } from './emulators/querri.js';
import { ReferenceServer } from './reference-server.js';

/**
 * The servers a test server speaks, by the name of their dialect function in
 * `eventwire/dialects` (`eventwire` is protocol v1).
 * @example `const name: DialectName = 'querri'`
 */
export type DialectName = 'eventwire' | 'querri' | 'buster' | 'mdb' | 'forge' | 'provisioning';

/**
 * Every {@link DialectName}, in the order of README's table of servers: to run one test per dialect.
 * @example `for (const dialect of DIALECT_NAMES) await createTestServer({ dialect }).then((s) => s.stop())`
 */
export const DIALECT_NAMES: readonly DialectName[] = ['eventwire', 'provisioning', 'querri', 'forge', 'mdb', 'buster'];

/** What the test server needs of a server of one dialect. */
export interface Backend {
  /** The path (and any parameters the client does not add itself) its clients connect to. */
  readonly path: string;
  /** The close code its dialect reads as refused credentials. */
  readonly authCloseCode: number;
  /** The server's port, once started; a restart keeps it. */
  port(): number;
  start(): Promise<void>;
  /** Cuts every connection and stops listening; what a server keeps across a restart it keeps. */
  stop(): Promise<void>;
  /** Stops for good (timers included). */
  close(): Promise<void>;
  /** With `messageId`, the event asks for an ack (dialects whose servers take acks only). */
  publish(name: string, data: unknown, messageId?: string): void;
  /** Closes every connection with a close frame. */
  closeAll(code: number, reason: string): void;
  count(): number;
  /** Replay: forget what the server would replay (undefined where it never replays). */
  gap?(count: number): void;
  /** Set by the test server: every parsed message a client sent, and every change of the connection count. */
  listen(onMessage: (message: unknown) => void, onConnections: () => void): void;
}

/** The dialect's name, from its function's result or its name; a dialect the kit has no server for is an `OptionsError`. */
export function dialectName(dialect: Dialect | DialectName | undefined): DialectName {
  const name = dialect === undefined ? 'eventwire' : typeof dialect === 'string' ? dialect : dialect.name;
  if ((DIALECT_NAMES as readonly string[]).includes(name)) return name as DialectName;
  const near = typeof name === 'string' ? closest(name, DIALECT_NAMES) : undefined;
  fail(
    `eventwire/testing has no server for the dialect ${JSON.stringify(name)} (it has: ${DIALECT_NAMES.join(', ')}${near ? `; did you mean ${near}?` : ''})`,
  );
}

/** The publish of a server that takes no acks: an event that asks for one is an `OptionsError`. */
const noAcks =
  (dialect: string, publish: (name: string, data: unknown) => void) =>
  (name: string, data: unknown, messageId?: string): void => {
    if (messageId !== undefined)
      fail(
        `publish(): messageId asks for an ack, and the ${dialect} server takes none (the eventwire and querri servers do): publish without messageId`,
      );
    publish(name, data);
  };

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The backend of an emulator built on the shared harness (querri, mdb, forge, provisioning). */
function harnessed(
  emulator: Emulator,
  spec: { path: string; authCloseCode: number; publish(name: string, data: unknown, messageId?: string): void },
): Backend {
  return {
    path: spec.path,
    authCloseCode: spec.authCloseCode,
    port: () => emulator.port,
    start: async () => void (await emulator.start()),
    stop: () => emulator.stop(),
    close: () => emulator.close(),
    publish: spec.publish,
    closeAll: (code, reason) => emulator.dropAll(code, reason),
    count: () => emulator.conns.size,
    listen(onMessage, onConnections) {
      emulator.onMessage = (_conn, message) => onMessage(message);
      emulator.onConnections = onConnections;
    },
  };
}

function v1(token: string): Backend {
  const server = new ReferenceServer({ tokens: [token] });
  return {
    path: '',
    authCloseCode: 4003,
    port: () => server.port,
    start: async () => void (await server.start()),
    stop: () => server.stop(true),
    close: () => server.close(),
    publish: (name, data, message_id) =>
      void server.publish(
        // without data, the server's default ({}): `data: undefined` left an event with no data, which clients refuse
        {
          event_type: name,
          ...(data === undefined ? {} : { data }),
          ...(message_id === undefined ? {} : { message_id }),
        },
      ),
    closeAll: (code, reason) => server.dropAll(code, reason),
    count: () => server.connections.length,
    gap: (count) => server.forget(count),
    listen(onMessage, onConnections) {
      server.on('frame', (_conn, message) => onMessage(message));
      server.on('connection', onConnections);
      server.on('disconnect', onConnections);
    },
  };
}

function querri(token: string): Backend {
  const server = startQuerri({ tokens: [token] });
  return harnessed(server, {
    // A project's room, as the server routes it (`/ws/project/{uuid}`).
    path: '/ws/project/00000000-0000-4000-8000-000000000001',
    authCloseCode: 4403,
    // Querri's messages are flat: `{type, ...fields}`, the whole message the event's data.
    publish(name, data, message_id) {
      const message = isRecord(data) ? { ...data, type: name } : { type: name, data };
      server.publish(message_id === undefined ? message : { ...message, requires_ack: true, message_id });
    },
  });
}

function mdb(token: string): Backend {
  const server = startMdb({ tokens: [token] });
  return harnessed(server, {
    path: '/ws',
    authCloseCode: 1008,
    publish: noAcks('mdb', (name, data) => server.broadcast({ type: name, data })),
  });
}

function forge(token: string): Backend {
  const server = startForge({ requireAuth: true, authToken: token });
  return harnessed(server, {
    path: '',
    authCloseCode: 1008,
    // `{event_type, data}` to every authenticated connection (the server routes by session; the kit does not).
    publish: noAcks('forge', (name, data) => {
      for (const conn of server.conns)
        if (conn.state.authenticated === true) server.send(conn, { event_type: name, data });
    }),
  });
}

function provisioning(token: string): Backend {
  const server = startProvisioning({ tokens: [token] });
  return harnessed(server, {
    path: '/ws',
    authCloseCode: 4001,
    publish: noAcks('provisioning', (name, data) => {
      if (data !== undefined && !isRecord(data))
        fail(`publish(): a provisioning event's data is an object (the server sends its fields), got ${kind(data)}`);
      server.publish(name, data ?? {});
    }),
  });
}

function buster(token: string): Backend {
  const server = startBuster({ tokens: [token] });
  return {
    path: '/api/v1/ws',
    authCloseCode: 4003,
    port: () => server.port,
    start: async () => void (await server.start()),
    stop: () => server.stop(),
    close: () => server.close(),
    // A message on a route no request waits on: an event named by `event`, `payload` its data.
    publish: noAcks('buster', (name, data) => server.push('/events', name, data ?? null)),
    closeAll: (code, reason) => server.dropAll(code, reason),
    count: () => server.conns.size,
    listen(onMessage, onConnections) {
      server.onMessage = (_conn, message) => onMessage(message);
      server.onConnections = onConnections;
    },
  };
}

/** A server of `name` (not started) that accepts `token`. */
export function backend(name: DialectName, token: string): Backend {
  switch (name) {
    case 'eventwire':
      return v1(token);
    case 'querri':
      return querri(token);
    case 'mdb':
      return mdb(token);
    case 'forge':
      return forge(token);
    case 'provisioning':
      return provisioning(token);
    case 'buster':
      return buster(token);
  }
}
