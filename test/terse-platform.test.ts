/**
 * The browser's side of `#platform` run in Node, as a browser production bundle (terse `#words`) is when an app
 * bundles a Node program without the `node` condition: `#platform` and `#words` resolve on the same conditions,
 * so this is where its refusals are read, and they keep the fix in their facts.
 */
import { expect, it, vi } from 'vitest';
import WebSocket from 'ws';
import { createClient } from '../src/index.js';

vi.mock('#platform', () => import('../src/transport/websocket-browser.js'));
vi.mock('#words', () => ({ words: false }));

it('a browser production bundle run in Node refuses headers and says to bundle with the node condition', () => {
  expect(() => createClient({ url: 'ws://127.0.0.1:9/', WebSocket, headers: { cookie: 'sid=1' } })).toThrow(
    expect.objectContaining({
      name: 'OptionsError',
      code: 'ERR_OPTIONS',
      message: "headers cannot be sent: browser build in Node: import 'eventwire', or bundle with the node condition",
    }),
  );
});
