/**
 * Which folder of src/ may import which (issue 19, "the architecture is checked, not hoped for").
 *
 * Layers, bottom up: errors/ < protocol/ < dialects/, codec/, transport/ < core/ (util < outbox, link, streams <
 * core.ts) < options.ts, types.ts < share/ < client.ts < index.ts, adapters/, cli/.
 * Type-only imports count (`tsPreCompilationDeps`): a cycle through types is still a cycle for the reader.
 *
 * `npm run check:architecture` runs this with `--ignore-known`: violations recorded in
 * .dependency-cruiser-known-violations.json (the ones present when the rules were written, each owned by a refactor
 * in progress) are reported as ignored; any new one fails. Regenerate that file with `npm run check:deps:baseline`
 * only to shrink it.
 */

/** Paths of src/ by layer (regular expressions on the path from the repository root). */
const ERRORS = '^src/errors/';
const PROTOCOL = '^src/protocol/';
const DIALECTS = '^src/dialects/';
const CODEC = '^src/codec/';
const TRANSPORT = '^src/transport/';
const CORE = '^src/core/';
const SHARE = '^src/share/';

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'No import cycle anywhere in src/ (type-only imports included).',
      from: { path: '^src/' },
      to: { circular: true },
    },
    {
      name: 'errors-standalone',
      severity: 'error',
      comment: 'errors/ is the bottom layer: it imports nothing of src/ outside errors/.',
      from: { path: ERRORS },
      to: { path: '^src/', pathNot: ERRORS },
    },
    {
      name: 'protocol-only-errors',
      severity: 'error',
      comment:
        'protocol/ (wire types, close codes and actions, RateLimit, filters, schemas) imports only protocol/ and errors/.',
      from: { path: PROTOCOL },
      to: { path: '^src/', pathNot: [PROTOCOL, ERRORS] },
    },
    {
      name: 'dialects-not-core',
      severity: 'error',
      comment: 'A dialect translates frames; it never imports core/, the client, the options or share/.',
      from: { path: DIALECTS },
      to: { path: [CORE, '^src/client\\.ts$', '^src/options\\.ts$', SHARE] },
    },
    {
      name: 'dialects-leaf',
      severity: 'error',
      comment: 'dialects/ imports only dialects/, protocol/, errors/ and codec/.',
      from: { path: DIALECTS },
      to: {
        path: '^src/',
        pathNot: [DIALECTS, PROTOCOL, ERRORS, CODEC, CORE, '^src/client\\.ts$', '^src/options\\.ts$', SHARE],
      },
    },
    {
      name: 'codec-transport-not-core',
      severity: 'error',
      comment: 'Codecs and transports are parts the core uses; they never import it.',
      from: { path: [CODEC, TRANSPORT] },
      to: { path: CORE },
    },
    {
      name: 'codec-leaf',
      severity: 'error',
      comment: 'codec/ imports only codec/, protocol/ and errors/.',
      from: { path: CODEC },
      to: { path: '^src/', pathNot: [CODEC, PROTOCOL, ERRORS, CORE] },
    },
    {
      name: 'transport-leaf',
      severity: 'error',
      comment: 'transport/ imports only transport/, protocol/ and errors/.',
      from: { path: TRANSPORT },
      to: { path: '^src/', pathNot: [TRANSPORT, PROTOCOL, ERRORS, CORE] },
    },
    {
      name: 'core-util-standalone',
      severity: 'error',
      comment:
        'core/util/ (emitter, bounded map, clock, logger) imports nothing else of core/, nor anything above core/.',
      from: { path: '^src/core/util/' },
      to: { path: '^src/', pathNot: ['^src/core/util/', ERRORS, PROTOCOL] },
    },
    {
      name: 'core-outbox-below-link-and-streams',
      severity: 'error',
      comment:
        'core/outbox/ (outbox, rate, requests) uses core/util/ only: never core/link/, core/streams/ or core.ts.',
      from: { path: '^src/core/outbox/' },
      to: { path: ['^src/core/link/', '^src/core/streams/', '^src/core/core\\.ts$'] },
    },
    {
      name: 'core-link-not-streams',
      severity: 'error',
      comment:
        'core/link/ (the socket end to end) uses core/util/ and core/outbox/; it never reaches into streams or core.ts.',
      from: { path: '^src/core/link/' },
      to: { path: ['^src/core/streams/', '^src/core/core\\.ts$'] },
    },
    {
      name: 'core-streams-not-link',
      severity: 'error',
      comment: 'core/streams/ uses core/util/ and core/outbox/; it never reaches into the link or core.ts.',
      from: { path: '^src/core/streams/' },
      to: { path: ['^src/core/link/', '^src/core/core\\.ts$'] },
    },
    {
      name: 'core-not-above',
      severity: 'error',
      comment: 'Nothing in core/ imports what is built on it: the client, adapters, the CLI, share/ or the entry.',
      from: { path: CORE },
      to: { path: ['^src/client\\.ts$', '^src/index\\.ts$', '^src/adapters/', '^src/cli/', SHARE] },
    },
    {
      name: 'only-client-imports-share',
      severity: 'error',
      comment: 'src/client.ts is the one file that knows about share/ (src/index.ts may re-export its types).',
      from: { path: '^src/', pathNot: [SHARE, '^src/client\\.ts$', '^src/index\\.ts$', '^src/core/'] },
      to: { path: SHARE },
    },
    {
      name: 'share-not-client',
      severity: 'error',
      comment: 'share/ sits below the front door: it never imports src/client.ts (nor the entry, adapters or CLI).',
      from: { path: SHARE },
      to: { path: ['^src/client\\.ts$', '^src/index\\.ts$', '^src/adapters/', '^src/cli/'] },
    },
    {
      name: 'share-not-client-core',
      severity: 'error',
      comment: "The hub of share/ talks to a small link API, not to the client's core (core/core.ts).",
      from: { path: SHARE },
      to: { path: '^src/core/core\\.ts$' },
    },
    {
      name: 'only-testing-imports-testing',
      severity: 'error',
      comment:
        'src/testing/ (eventwire/testing, Node only) is built on the rest of src/; nothing outside it imports it, so the client and its bundles never carry it. One exception: src/cli/serve.ts (`eventwire serve`) runs the reference server, which eventwire/testing does not export (createTestServer has no port); tsup builds it into dist/cli-serve.js, apart from the client and the CLI (rules cli-serve-reference-server-only and cli-serve-loaded-lazily).',
      from: { path: '^src/', pathNot: ['^src/testing/', '^src/cli/serve\\.ts$'] },
      to: { path: '^src/testing/' },
    },
    {
      name: 'cli-serve-reference-server-only',
      severity: 'error',
      comment: 'src/cli/serve.ts takes the reference server (and its types) from src/testing/, nothing else of it.',
      from: { path: '^src/cli/serve\\.ts$' },
      to: { path: '^src/testing/', pathNot: '^src/testing/reference-(server|types)\\.ts$' },
    },
    {
      name: 'cli-serve-loaded-lazily',
      severity: 'error',
      comment:
        "The rest of the CLI loads src/cli/serve.ts with import() (or its types): `eventwire tail` starts without the server's code.",
      from: { path: '^src/', pathNot: '^src/cli/serve\\.ts$' },
      to: { path: '^src/cli/serve\\.ts$', dependencyTypesNot: ['dynamic-import', 'type-only'] },
    },
    {
      name: 'not-to-test-or-tools',
      severity: 'error',
      comment: 'src/ never imports tests, benchmarks, scripts or the demo.',
      from: { path: '^src/' },
      to: { path: '^(test|bench|scripts|demo)/' },
    },
    {
      name: 'no-unresolvable',
      severity: 'error',
      comment: 'Every import of src/ resolves (a typo, or a dependency missing from package.json).',
      from: { path: '^src/' },
      to: { couldNotResolve: true, pathNot: '^#(inflate|platform)$' },
    },
    {
      name: 'no-dev-dependency-in-src',
      severity: 'error',
      comment: 'What ships imports only dependencies and peer dependencies.',
      from: { path: '^src/', pathNot: '\\.test\\.ts$' },
      to: { dependencyTypes: ['npm-dev'], dependencyTypesNot: ['type-only', 'npm-peer'] },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
      mainFields: ['module', 'main', 'types', 'typings'],
    },
    reporterOptions: {
      text: { highlightFocused: true },
    },
  },
};
