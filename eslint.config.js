import js from '@eslint/js'
import prettier from 'eslint-config-prettier'
import tseslint from 'typescript-eslint'

// Layers, capability boundaries and cycles: .dependency-cruiser.cjs (also run by `npm run lint`).

export default tseslint.config(
  {
    ignores: [
      '.dependency-cruiser.cjs',
      'dist/**',
      'dist-bench/**',
      'dist-examples/**',
      'node_modules/**',
      'coverage/**',
    ],
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
  {
    // Every way into a session ends in `completeSignIn` (sessions' auth/sign-in.ts), which
    // applies the sign-in gates in order; a method that opened sessions itself could skip one.
    files: ['src/**/*.ts', 'src/**/*.tsx'],
    ignores: ['src/capabilities/sessions/auth/sign-in.ts'],
    rules: {
      'no-restricted-syntax': [
        'error',
        {
          selector:
            "ImportSpecifier[imported.name='openSession'], ExportNamedDeclaration[source] > ExportSpecifier[local.name='openSession']",
          message:
            'Only sessions/auth/sign-in.ts opens sessions: end a sign-in method in completeSignIn.',
        },
      ],
    },
  },
  { files: ['eslint.config.js'], ...tseslint.configs.disableTypeChecked },
  prettier,
)
