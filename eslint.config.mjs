import { defineConfig, globalIgnores } from 'eslint/config';
import nextVitals from 'eslint-config-next/core-web-vitals';
import nextTs from 'eslint-config-next/typescript';

const DEV = {
  group: ['@/dev', '@/dev/*', '**/src/dev/*', '../dev/*', '../../dev/*', '../../../dev/*'],
  message: 'src/dev holds development servers; the app and the kit never import them.',
};
const DB = {
  group: ['@/db', '@/db/*'],
  message: 'The app reaches the database through src/auth (app → auth → db).',
};
const CLIENT = {
  group: ['@/client', '@/client/*'],
  // The wire types the client declares may describe what the server sends.
  allowTypeImports: true,
  message: 'Server code never imports the browser client, only its wire types (import type).',
};
const AUTH = {
  group: ['@/auth', '@/auth/*', '**/src/auth/*', '../auth/*', '../../auth/*', '../../../auth/*'],
  message:
    'The database layer never imports src/auth (app → auth → db): src/auth passes the settings down.',
};
const SERVER_CODE = {
  group: ['@/auth', '@/auth/*', '@/db', '@/db/*'],
  allowTypeImports: true,
  message: 'The client imports no server code, only its types (import type).',
};

/** One layer's forbidden imports, as an ESLint config for `files`. */
function layer(files, patterns) {
  return {
    files,
    ignores: ['src/dev/**'],
    rules: { 'no-restricted-imports': ['error', { patterns }] },
  };
}

export default defineConfig([
  ...nextVitals,
  ...nextTs,
  globalIgnores([
    '.next/**',
    '.next-*/**',
    '.bench-app/**',
    // The benchmark's peer apps (Better Auth, Auth.js): their own packages and builds.
    'tests/bench/peers/**',
    '.data/**',
    'node_modules/**',
    'next-env.d.ts',
    'tests/artifacts/**',
    'bench/results/**',
  ]),
  {
    rules: {
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_' },
      ],
      '@typescript-eslint/consistent-type-imports': 'error',
    },
  },
  // Dependencies point one way: app → auth → db (and auth → mail); the client imports no server code (types only);
  // src/dev holds development servers (the stand-in IdP) that only npm run dev and the tests
  // start, so nothing the app builds can import them.
  layer(['app/**', 'proxy.ts', 'instrumentation.ts'], [DEV, DB]),
  layer(['src/client/**'], [DEV, SERVER_CODE]),
  layer(['src/auth/**'], [DEV, CLIENT]),
  layer(['src/cli/**'], [DEV, CLIENT]),
  layer(['src/db/**'], [DEV, CLIENT, AUTH]),
  // Mail sits below auth beside db: it sends what src/auth composes, and knows no account.
  layer(['src/mail/**'], [DEV, CLIENT, AUTH, DB]),
  // No import circle in the kit (type-only imports aside, which have no run-time effect; the
  // type-level ones are gone too: `npx madge --circular --extensions ts,tsx src`).
  {
    files: ['src/**/*.{ts,tsx}'],
    // Packages are never parsed: a cycle inside one is not the kit's, and some are too large.
    settings: { 'import/ignore': ['node_modules'] },
    rules: { 'import/no-cycle': ['error', { ignoreExternal: true }] },
  },
]);
