// Unit specs live beside the code; e2e specs live in test/. Both run under `npm test`.
// swc transpiles (fast, no type-check: `npm run build` and `npm run lint` type-check).
const transform = {
  '^.+\\.ts$': [
    '@swc/jest',
    {
      jsc: {
        target: 'es2022',
        parser: { syntax: 'typescript', decorators: true },
        transform: { legacyDecorator: true, decoratorMetadata: true },
      },
      module: { type: 'commonjs' },
    },
  ],
};
// The package's own entry points, as the sample app and the connectors import them (tsconfig `paths` too).
const moduleNameMapper = {
  '^hookline$': '<rootDir>/src/index.ts',
  '^hookline/sdk$': '<rootDir>/src/hookline/connectors/sdk/index.ts',
  '^hookline/testing$': '<rootDir>/src/testing/index.ts',
  '^hookline/health$': '<rootDir>/src/hookline/health/index.ts',
};
const common = { transform, moduleNameMapper, testEnvironment: 'node', testTimeout: 30_000, moduleFileExtensions: ['ts', 'js', 'json', 'node'] };

module.exports = {
  // Loading NestJS (ESM) through Jest's VM modules takes seconds on a busy machine; no test relies on the default 5 s.
  testTimeout: 30_000,
  projects: [
    { ...common, displayName: 'unit', roots: ['<rootDir>/src', '<rootDir>/connectors', '<rootDir>/sample', '<rootDir>/bench'], testMatch: ['**/*.spec.ts'] },
    { ...common, displayName: 'e2e', roots: ['<rootDir>/test'], testMatch: ['**/*.e2e-spec.ts'] },
  ],
};
