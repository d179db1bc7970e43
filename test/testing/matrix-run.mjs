// The "done when" matrix against the BUILT package, as an app would import it (the package's
// own name resolves to dist/). It never calls process.exit: the process ends by itself once
// every client is closed and every test server stopped, or the test that runs it fails.
import { createClient, isAuthError } from 'eventwire';
import * as dialects from 'eventwire/dialects';
import { createTestServer, DIALECT_NAMES } from 'eventwire/testing';
import { scenario } from './matrix-scenario.mjs';

const results = await Promise.all(
  DIALECT_NAMES.map((name) => scenario({ createClient, isAuthError, dialects, createTestServer }, name)),
);
process.stdout.write(`${JSON.stringify(results)}\n`);
