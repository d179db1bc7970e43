// size-limit budgets: everything an app can load from the built package (esbuild, browser, gzip),
// on demand chunks included: esbuild here does not split, so `share: 'tabs'` (6.6 KB), the fflate
// fallback (3.0 KB), the gzip inflater (1.7 KB), the log writer, the request tracker and the time
// cursor are inlined. What a page loads first with a splitting bundler (Vite, webpack, Rollup, esbuild
// --splitting) is budgeted in test/bundle-split.test.ts (21.64 KB measured; issue #22 aims at 12.8 KB,
// BENCHMARKS.md says where the bytes go). The React and Svelte entries add about 1.1 and 0.4 KB over the core: they share its one copy.
// History: 24.79 KB after honest limits; the hardened tab share (versioned, validated channel, fair
// outbox) and the no-silent-failures work took it to 33.95 KB; gzip through DecompressionStream keeps
// fflate as the fallback chunk (+1.1 KB here, -3 KB from the first load); 35.87 KB; the inflater loaded
// on the first gzip frame (+0.1 KB here for its loader, -1.5 KB from the first load): 35.97 KB; the idle-heap and hot-path work: 35.84 KB;
// on-demand code importing nothing of the first load's modules but the errors (one first-load chunk less to gzip apart; the same bytes here);
// Node's transport (`ws`'s API, Node's error codes, header checks) behind `#platform`, left out of browser bundles: 34.78 KB;
// the inflaters, the request tracker and the share taking the errors from their callers (the first load one chunk; +0.2 KB here, where nothing is split): 35.07 KB;
// mistakes refused at the call (EncodeError, listeners, close codes, methods, options with methods) less 0.3 KB of hand-overs and shared helpers; close() that always ends: 35.49 KB;
// later work 35.69 KB; the connect and handshake timeouts' 50 ms grace (the link's timer slot, core/link/phase-timer.ts): 35.74 KB;
// hand-built dialects checked, empty filter lists refused, the hint of an HTTP 400/404, shouldRetry's result checked: 35.95 KB
// (eventwire/advanced: decide() checks its facts and policy at the door, 2.83 KB); messages without their explanations in a
// browser production bundle (`#words`, README "Messages in a browser production bundle"; the share's and the lazy chunks' too),
// and the idle heap's cuts (+0.08 KB): 34.77 KB; the escapes of `__proto__` looked for alone, schema issues without a
// data type they cannot know, a heartbeat timeout's ms rounded: 34.83 KB (eventwire/advanced 2.66 KB); a hostile server's
// and newcomers' reviews: 35.8 KB; a wrong dialect named for certain (v1's welcome, a greeting that never came): 36.1 KB; on() refusing other SDKs' lifecycle names, server error words cut: 36.33 KB;
// out-of-order seqs said, AuthError's status, answers to no request and errors naming a request (a hostile-server review): 36.82 KB.
// esbuild must not read this repo's tsconfig: its `paths` entries for #inflate and #platform serve Node's sources
// (here they resolve through package.json "imports", as in an app's bundle: the browser's side).
const noRepoTsconfig = (config) => ({
  ...config,
  tsconfigRaw: '{}',
  // tsup keeps bare imports of shared chunks that are free of side effects: harmless
  logOverride: { 'ignored-bare-import': 'silent' },
});

export default [
  {
    name: "core: import { createClient } from 'eventwire' (browser, everything it imports)",
    path: 'dist/index.js',
    import: '{ createClient }',
    gzip: true,
    limit: '36.9 KB',
    modifyEsbuildConfig: noRepoTsconfig,
  },
  {
    name: 'eventwire + eventwire/react (core + 1 KB; react external)',
    path: ['dist/index.js', 'dist/react.js'],
    import: {
      'dist/index.js': '{ createClient }',
      'dist/react.js': '{ EventwireProvider, useEvents, useConnectionState }',
    },
    ignore: ['react', 'react-dom'],
    gzip: true,
    limit: '37.95 KB',
    modifyEsbuildConfig: noRepoTsconfig,
  },
  {
    name: 'eventwire + eventwire/svelte (core + 0.5 KB)',
    path: ['dist/index.js', 'dist/svelte.js'],
    import: {
      'dist/index.js': '{ createClient }',
      'dist/svelte.js': '{ eventList, connectionState }',
    },
    gzip: true,
    limit: '37.3 KB',
    modifyEsbuildConfig: noRepoTsconfig,
  },
  {
    // what moved off the main entry (issue #21): an app that imports it pays for it alone
    // 1.66 KB measured since the error guards are pure (decide() brings the errors); 2.43 KB once backoff() and
    // backoffCeiling() check their policy with the client's option rules (unknown keys with the nearest known one)
    name: 'eventwire/advanced, everything on it',
    path: 'dist/advanced.js',
    import: '{ decide, backoff, backoffCeiling, DEFAULT_BACKOFF, closeAction, CloseCode, systemClock, browserSignals }',
    gzip: true,
    limit: '2.85 KB',
    modifyEsbuildConfig: noRepoTsconfig,
  },
];
