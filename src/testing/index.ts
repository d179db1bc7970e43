/**
 * `eventwire/testing` (Node only): servers of every dialect eventwire speaks, for an app's
 * own tests. Each listens on 127.0.0.1, port 0, publishes events in its server's wire format,
 * records what clients sent, and breaks the link on demand (reset, close, restart, blackhole,
 * refused upgrades, replay gaps, seeded chaos). Never imported by the client: it costs the
 * client's bundles nothing.
 *
 * @example
 * ```ts
 * import { createClient } from 'eventwire';
 * import { querri } from 'eventwire/dialects';
 * import { createTestServer } from 'eventwire/testing';
 *
 * const server = await createTestServer({ dialect: querri() });
 * const client = createClient({ url: server.url, token: server.token, dialect: querri() });
 * server.drop(); // the client reconnects
 * client.close();
 * await server.stop();
 * ```
 */
export { DIALECT_NAMES, type DialectName } from './backends.js';
export type { Chaos, ChaosEntry, ChaosFault, ChaosOptions } from './chaos.js';
export {
  connectTestServer,
  type ExposedTestServer,
  exposeTestServer,
  type RemoteTestServer,
} from './remote.js';
export {
  createTestServer,
  type NextMessageOptions,
  type PublishOptions,
  type TestServer,
  type TestServerOptions,
} from './test-server.js';
