import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['**/dist/**', '**/node_modules/**', 'bench/results/**', 'examples/**/node_modules/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { process: 'readonly', console: 'readonly', setTimeout: 'readonly', clearTimeout: 'readonly', setInterval: 'readonly', clearInterval: 'readonly', Buffer: 'readonly', URL: 'readonly', fetch: 'readonly' } },
    rules: {
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-console': 'off',
    },
  },
  {
    // The inspector's page runs in a browser, with no build step.
    files: ['host/inspector-page/**/*.js'],
    languageOptions: {
      globals: Object.fromEntries(
        ['document', 'window', 'navigator', 'EventSource', 'HTMLElement', 'HTMLInputElement', 'HTMLButtonElement', 'Element', 'Node', 'SVGElement', 'Intl', 'requestAnimationFrame', 'ResizeObserver', 'matchMedia'].map((name) => [name, 'readonly']),
      ),
    },
  },
  {
    // A plugin's code reaches equinox only through the plugin API (DESIGN.md §5): the engine,
    // the store's connection, the server compiler, the local cloud and the host stay out of
    // reach, so a plugin cannot come to depend on them. Its tests may use anything.
    files: ['plugins/*/src/**/*.{ts,js,mjs}', 'examples/**/*.{ts,js,mjs}'],
    ignores: ['**/*.test.ts', 'examples/embedding.mjs'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [
          {
            regex: '^@equinox-sync/(?!core/plugin$|host/command-kit$|plugin-)',
            message: 'A plugin imports equinox only through @equinox-sync/core/plugin (its commands also @equinox-sync/host/command-kit) and other plugins\' packages.',
          },
          {
            regex: '^(\\.\\./)+(core|host|config|local-cloud|demo)/',
            message: 'A plugin does not reach into another package\'s files: import @equinox-sync/core/plugin.',
          },
        ],
      }],
    },
  },
);
