/**
 * The import rules of src/ (DESIGN.md's layer table, LAYOUT.md's capability rules), checked
 * by `npm run lint` and proved by test/unit/layers.server.test.ts. Type-only imports count too.
 */

/** What each layer may import besides itself and the shared modules at the root of src/. */
const LAYERS = {
  config: [],
  store: ['config'],
  tokens: ['config'],
  auth: ['store', 'tokens', 'mail', 'config'],
  cluster: ['config'],
  mail: ['config'],
  http: ['auth', 'cluster', 'config'],
  ui: ['auth', 'http', 'config'],
  guard: ['tokens'],
}
const ALL_LAYERS = [...Object.keys(LAYERS), 'cli']

/**
 * Which capabilities a capability may import (through their index.ts). It must match the
 * `dependsOn` of each capability.ts (a test compares them) and stay free of cycles.
 */
const CAPABILITIES = {
  keys: [],
  sessions: [],
  'machine-access': ['sessions'],
  email: ['sessions', 'machine-access'],
  'second-factors': ['sessions'],
  accounts: ['sessions', 'machine-access', 'email', 'second-factors', 'apps'],
  apps: ['sessions', 'machine-access', 'keys'],
  admin: ['accounts', 'sessions', 'machine-access', 'second-factors', 'keys'],
}

/** Where the whole of Gatehouse is assembled: they may import any capability and the core. */
const COMPOSITION_ROOTS = [
  '^src/index\\.ts$',
  '^src/core\\.ts$',
  '^src/auth/context\\.ts$',
  '^src/http/app\\.ts$',
  '^src/http/plugin\\.ts$',
  '^src/cli/',
]
/** Kits that have handed their capability parts over already: they never import one. */
const CLOSED_KITS = ['auth', 'store', 'tokens', 'cluster', 'config', 'mail', 'guard', 'errors']

const inLayer = (layers) => [
  `^src/(${layers.join('|')})/`,
  `^src/capabilities/[^/]+/(${layers.join('|')})/`,
]
const escape = (name) => name.replace(/[-]/g, '\\-')

const layerRules = Object.entries(LAYERS).map(([layer, allowed]) => ({
  name: `layer-${layer}`,
  comment: `src/${layer}/ may import only ${allowed.length ? allowed.join(', ') : 'no other layer'} (the layer table in DESIGN.md)`,
  severity: 'error',
  from: { path: inLayer([layer]), pathNot: COMPOSITION_ROOTS },
  to: { path: inLayer(ALL_LAYERS.filter((other) => other !== layer && !allowed.includes(other))) },
}))

const capabilityTableRules = Object.entries(CAPABILITIES).map(([name, allowed]) => ({
  name: `capability-${name}`,
  comment: `capabilities/${name} may import only ${allowed.length ? allowed.join(', ') : 'no other capability'} (the table in .dependency-cruiser.cjs)`,
  severity: 'error',
  from: { path: `^src/capabilities/${escape(name)}/` },
  to: {
    path: '^src/capabilities/[^/]+/',
    pathNot: [`^src/capabilities/(${[name, ...allowed].map(escape).join('|')})/`],
  },
}))

const config = {
  forbidden: [
    {
      name: 'no-circular',
      comment: 'An import cycle: split the shared part out, or turn one direction into an event',
      severity: 'error',
      from: { path: '^src/' },
      to: { circular: true },
    },
    {
      name: 'capability-deep-import',
      comment: 'Another capability is reached only through its index.ts',
      severity: 'error',
      from: { path: '^src/capabilities/([^/]+)/' },
      to: {
        path: '^src/capabilities/[^/]+/',
        pathNot: ['^src/capabilities/$1/', '^src/capabilities/[^/]+/index\\.ts$'],
      },
    },
    {
      name: 'root-deep-import',
      comment:
        'Outside its folder a capability is reached through its index.ts; only the auth context (which assembles the key ring, API-key cache and revocations), the capability list (capability.ts) and the CLI (its commands, loaded on use) reach further',
      severity: 'error',
      from: {
        path: '^src/',
        pathNot: ['^src/capabilities/', '^src/auth/context\\.ts$', '^src/cli/main\\.ts$'],
      },
      to: { path: '^src/capabilities/[^/]+/', pathNot: '^src/capabilities/[^/]+/index\\.ts$' },
    },
    {
      name: 'kit-imports-capability',
      comment: 'A kit mounts what capabilities declare; only the composition roots import them',
      severity: 'error',
      from: { path: `^src/(${CLOSED_KITS.join('|')})/`, pathNot: COMPOSITION_ROOTS },
      to: { path: '^src/capabilities/' },
    },
    {
      name: 'open-kit-imports-capability',
      comment:
        'http/ and ui/ use a capability only for what every request needs (the sessions capability, through its index.ts); the rest is mounted from manifests',
      severity: 'error',
      from: { path: '^src/(http|ui)/', pathNot: COMPOSITION_ROOTS },
      to: { path: '^src/capabilities/', pathNot: '^src/capabilities/sessions/index\\.ts$' },
    },
    {
      name: 'core-outside-roots',
      comment: 'Only the composition roots (http/app.ts, http/plugin.ts, cli) open the core',
      severity: 'error',
      // A capability's commands are the CLI's: they open the core as it does.
      from: { path: '^src/', pathNot: [...COMPOSITION_ROOTS, '^src/capabilities/[^/]+/cli/'] },
      to: { path: '^src/core\\.ts$' },
    },
    ...layerRules,
    ...capabilityTableRules,
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^(dist|node_modules)/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
  },
}

// The table, for the test comparing it with the capabilities' own `dependsOn`; not
// enumerable, so dependency-cruiser's validation of the configuration does not see it.
Object.defineProperty(config, 'capabilityTable', { value: CAPABILITIES, enumerable: false })
module.exports = config
