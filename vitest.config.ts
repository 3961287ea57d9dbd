import { defineConfig } from 'vitest/config';

export default defineConfig({
  // Test files are outside the packages' tsconfig `include`, so the transformer is told
  // directly that the code uses TypeScript's (legacy) decorators, as tsc compiles it.
  oxc: { decorator: { legacy: true } },
  test: {
    include: ['{core,config,host,local-cloud,plugins/*,demo}/{src,test}/**/*.test.ts'],
    exclude: ['**/node_modules/**', '**/dist/**'],
    globalSetup: ['./vitest.global-setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
    // oclif prints through console.log; the CLI tests capture process.stdout, which vitest's console interception would bypass.
    disableConsoleIntercept: true,
  },
});
