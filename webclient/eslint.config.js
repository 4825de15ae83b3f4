// ESLint for the participant app (src/), its node tests (test/) and the benchmark page
// (../bench/web, linted by `npm run lint` from the repository root with this file as --config).
import js from '@eslint/js';
import globals from 'globals';

export default [
  js.configs.recommended,
  {
    // src/ and bench/web run in the browser as ES modules; anything else overrides below
    languageOptions: { ecmaVersion: 2024, sourceType: 'module', globals: globals.browser },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      eqeqeq: ['error', 'always', { null: 'ignore' }],
      'no-var': 'error',
      'prefer-const': 'error',
    },
  },
  {
    files: ['test/**/*.js', 'eslint.config.js'],
    languageOptions: { globals: globals.node },
  },
];
