import { defineConfig, globalIgnores } from 'eslint/config';
import nextVitals from 'eslint-config-next/core-web-vitals';
import nextTs from 'eslint-config-next/typescript';

export default defineConfig([
  ...nextVitals,
  ...nextTs,
  globalIgnores(['.next/**', '.next-*/**', '.bench-app/**', '.data/**', 'node_modules/**', 'next-env.d.ts', 'tests/artifacts/**', 'bench/results/**']),
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
    },
  },
  {
    // src/dev holds development servers (the stand-in IdP): npm run dev and the tests start
    // them; the app, the kit and the CLI never import them, so a production build cannot either.
    files: ['app/**', 'src/**', 'proxy.ts', 'instrumentation.ts'],
    ignores: ['src/dev/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['@/dev', '@/dev/*', '**/src/dev/*', '../dev/*', '../../dev/*', '../../../dev/*'],
              message: 'src/dev holds development servers; the app and the kit never import them.',
            },
          ],
        },
      ],
    },
  },
]);
