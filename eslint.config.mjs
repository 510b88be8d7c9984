// ESLint (flat config) for the program, the app, the policy pack, offline/, local/, ops/, scripts/ and the tests.
// Type-aware rules catch promises nobody awaits or handles: a floating promise in a shutdown path
// or a server callback fails silently at run time.
import eslint from "@eslint/js";
import tseslint from "typescript-eslint";

export default tseslint.config(
  { ignores: ["**/node_modules/**", "**/dist/**", "bin/**", "**/*.js", "**/*.mjs", "**/*.cjs"] },
  eslint.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    linterOptions: { reportUnusedDisableDirectives: "error" },
    rules: {
      "@typescript-eslint/no-floating-promises": "error",
      "@typescript-eslint/no-misused-promises": "error",
      // tsc (noUnusedLocals/noUnusedParameters) already reports these, with `_` for deliberate ones.
      "@typescript-eslint/no-unused-vars": "off",
      // Tests read captured resource inputs as loose JSON; production code keeps strict types through tsc.
      "@typescript-eslint/no-explicit-any": "off",
    },
  },
);
