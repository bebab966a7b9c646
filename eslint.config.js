import js from '@eslint/js'
import prettier from 'eslint-config-prettier'
import tseslint from 'typescript-eslint'

/**
 * The layer table of DESIGN.md: what each folder of src/ may import besides itself and the
 * shared modules at the root of src/ (errors/, clock, ids, bearer, permissions, shared-state). An import
 * against it fails `npm run lint` (test/unit/layers.test.ts proves it with a probe file).
 */
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
/** Where a whole Gatehouse is assembled: they may open the core. */
const COMPOSITION_ROOTS = ['src/http/app.ts', 'src/http/plugin.ts']
const ALL = [...Object.keys(LAYERS), 'cli']

function layerRules(layer, allowed, { core }) {
  const forbidden = ALL.filter((other) => other !== layer && !allowed.includes(other))
  const patterns = [
    {
      regex: `^(\\.\\./)+(${forbidden.join('|')})/`,
      message: `src/${layer}/ may import only ${allowed.length ? allowed.join(', ') : 'no other layer'} (the layer table in DESIGN.md).`,
    },
  ]
  if (!core) {
    patterns.push({
      regex: '^(\\.\\./)+core\\.js$',
      message: 'Only the composition roots (http/app.ts, http/plugin.ts, cli) open the core.',
    })
  }
  return { 'no-restricted-imports': ['error', { patterns }] }
}

const layerConfigs = Object.entries(LAYERS).flatMap(([layer, allowed]) => [
  {
    files: [`src/${layer}/**/*.ts`],
    ignores: COMPOSITION_ROOTS,
    rules: layerRules(layer, allowed, { core: false }),
  },
  ...(layer === 'http'
    ? [
        {
          files: COMPOSITION_ROOTS,
          // The roots assemble everything, the pages above the routes included.
          rules: layerRules(layer, [...allowed, 'ui'], { core: true }),
        },
      ]
    : []),
])

export default tseslint.config(
  {
    ignores: ['dist/**', 'dist-bench/**', 'dist-examples/**', 'node_modules/**', 'coverage/**'],
  },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: { allowDefaultProject: ['eslint.config.js'] } },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_' },
      ],
    },
  },
  ...layerConfigs,
  {
    // Every way into a session ends in `completeSignIn` (auth/sign-in.ts), which applies
    // the sign-in gates in order; a method that opened sessions itself could skip one.
    files: ['src/**/*.ts', 'src/**/*.tsx'],
    ignores: ['src/auth/sign-in.ts'],
    rules: {
      'no-restricted-syntax': [
        'error',
        {
          selector:
            "ImportSpecifier[imported.name='openSession'], ExportNamedDeclaration[source] > ExportSpecifier[local.name='openSession']",
          message: 'Only auth/sign-in.ts opens sessions: end a sign-in method in completeSignIn.',
        },
      ],
    },
  },
  { files: ['eslint.config.js'], ...tseslint.configs.disableTypeChecked },
  prettier,
)
