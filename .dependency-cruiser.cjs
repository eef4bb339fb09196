/**
 * Layer boundaries, checked by `npm run deps:check` (part of `npm test`). The layers, inner to outer:
 *   core (pure domain) → adapters (ports' implementations) → wiring (the one place that builds them)
 *   → functions / cli / local / infra (entry points).
 * Inner layers never import outer ones, and nothing imports itself back through a cycle.
 */
const CORE_MAY_NOT = [
  '^adapters/',
  '^api/',
  '^wiring/',
  '^local/',
  '^cli/',
  '^functions/',
  '^infra/',
  '^bench/',
  '^test/',
];

module.exports = {
  forbidden: [
    {
      name: 'no-cycles',
      severity: 'error',
      comment: 'Import cycles leave symbols undefined at load time and hide a missing layer.',
      from: {},
      to: { circular: true },
    },
    {
      name: 'core-is-pure',
      severity: 'error',
      comment: 'core/ is the domain: no AWS SDK, no adapters, no entry points (DESIGN.md).',
      from: { path: '^core/' },
      to: { path: CORE_MAY_NOT },
    },
    {
      name: 'core-no-aws-sdk',
      severity: 'error',
      comment: 'core/ talks to AWS only through the ports adapters implement.',
      from: { path: '^core/' },
      to: {
        path: [
          'node_modules/@aws-sdk/',
          'node_modules/@smithy/',
          'node_modules/@aws-lambda-powertools/',
          'node_modules/aws-lambda',
        ],
      },
    },
    {
      name: 'adapters-below-wiring',
      severity: 'error',
      comment: "Adapters implement ports; choosing and composing them is the wiring layer's job.",
      from: { path: '^adapters/' },
      to: { path: ['^wiring/', '^local/', '^cli/', '^functions/', '^infra/', '^bench/', '^test/'] },
    },
    {
      name: 'wiring-below-entry-points',
      severity: 'error',
      comment: 'Entry points ask the wiring layer for their dependencies, never the reverse.',
      from: { path: '^wiring/' },
      to: { path: ['^cli/', '^functions/', '^infra/', '^bench/', '^test/'] },
    },
    {
      name: 'functions-not-local-or-cli',
      severity: 'error',
      comment: 'A Lambda bundle must not drag in the local cloud or the CLI.',
      from: { path: '^functions/' },
      to: { path: ['^local/', '^cli/', '^wiring/local/', '^adapters/local/', '^bench/', '^test/'] },
    },
    {
      name: 'local-runtime-below-wiring',
      severity: 'error',
      comment:
        'The local cloud and its workflow runners are what wiring/local builds on; only the entry points in local/ (demo, local up) ask the wiring layer.',
      from: { path: '^local/', pathNot: ['^local/demo', '^local/local-up\\.ts$'] },
      to: { path: '^wiring/' },
    },
    {
      name: 'aws-wiring-not-local',
      severity: 'error',
      comment: 'What a Lambda bundles (wiring/aws) must not drag in the local cloud or its adapters.',
      from: { path: '^wiring/aws/' },
      to: { path: ['^wiring/local/', '^local/', '^adapters/local/'] },
    },
    {
      name: 'web-is-its-own-layer',
      severity: 'error',
      comment:
        'The web app runs in the browser and talks to the API over HTTP only: it imports nothing from the server side (its API types are generated from schema/openapi.json).',
      from: { path: '^web/src/' },
      to: {
        path: [
          '^core/',
          '^adapters/',
          '^wiring/',
          '^api/',
          '^functions/',
          '^cli/',
          '^local/',
          '^infra/',
          '^bench/',
          '^test/',
          '^config\\.ts$',
        ],
      },
    },
    {
      name: 'nothing-imports-the-web-app',
      severity: 'error',
      comment: 'Server code serves web/dist as files; it never imports the browser code.',
      from: { path: ['^core/', '^adapters/', '^wiring/', '^api/', '^functions/', '^cli/', '^local/', '^infra/'] },
      to: { path: '^web/src/' },
    },
    {
      name: 'api-is-an-interface',
      severity: 'error',
      comment: 'The API maps HTTP onto use cases; what it runs on comes from the wiring layer, through ApiDeps.',
      from: { path: '^api/' },
      to: { path: ['^adapters/', '^wiring/', '^local/', '^cli/', '^functions/', '^infra/', '^bench/', '^test/'] },
    },
    {
      name: 'infra-not-runtime',
      severity: 'error',
      comment: 'The CDK app describes resources; it never runs product code paths other than names and schemas.',
      from: { path: '^infra/' },
      to: { path: ['^cli/', '^local/', '^wiring/', '^adapters/', '^api/', '^bench/', '^test/'] },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: ['^cdk\\.out', '^\\.reversa', '^node_modules'] },
    tsPreCompilationDeps: true,
    combinedDependencies: false,
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
      extensions: ['.ts', '.tsx', '.js', '.mjs', '.cjs', '.json'],
    },
  },
};
