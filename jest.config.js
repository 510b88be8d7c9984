/** jest runs TypeScript through swc (fast, no type-check); `npm run typecheck` catches type errors. */
module.exports = {
  testEnvironment: "node",
  roots: ["<rootDir>/tests"],
  testMatch: ["**/*.test.ts"],
  transform: { "^.+\\.(t|j)sx?$": ["@swc/jest", { jsc: { target: "es2022" } }] },
  // Real nginx/redis tests and whole-program mock runs share two cores.
  maxWorkers: 2,
  // The known-slow files first on a fresh clone too (jest's own order needs timings from an earlier run).
  testSequencer: "<rootDir>/tests/harness/sequencer.js",
  moduleNameMapper: {
    // The contract's source, not its build (tests never depend on a stale dist).
    "^@edgestack/contract$": "<rootDir>/packages/contract/src/index.ts",
    // The example programs import the package by its name (examples/tsconfig.json maps it the same way).
    "^edgestack$": "<rootDir>/infra/index.ts",
  },
  // Tests and hooks (a whole-program run in beforeAll takes ~10 s alone, several times that while both workers run
  // real processes on a shared machine).
  testTimeout: 120000,
};
