// ESLint flat config: type-aware rules, and the layer rule that keeps the domain core free of adapters.
import js from "@eslint/js";
import tseslint from "typescript-eslint";

export default tseslint.config(
  { ignores: ["dist/**", "node_modules/**", "coverage/**"] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      "@typescript-eslint/no-floating-promises": "error",
      "@typescript-eslint/no-misused-promises": "error",
      "@typescript-eslint/switch-exhaustiveness-check": ["error", { considerDefaultExhaustiveForUnions: true }],
      "@typescript-eslint/consistent-type-imports": "error",
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
      "max-lines": ["warn", { max: 400, skipBlankLines: true, skipComments: true }],
    },
  },
  {
    // Architecture rule 1: src/ never imports adapters/; only the composition root wires them: src/main.ts
    // with src/app/ (the daemon) and src/cli/ (the commands).
    files: ["src/**/*.ts"],
    ignores: ["src/main.ts", "src/app/**", "src/cli/**"],
    rules: {
      "no-restricted-imports": ["error", { patterns: [{ group: ["**/adapters/**"], message: "src/ must not import adapters/; wire them in src/app/ (composition root) or src/cli/." }] }],
    },
  },
  {
    files: ["test/**/*.ts", "bench/**/*.ts"],
    rules: {
      "@typescript-eslint/no-non-null-assertion": "off",
      "@typescript-eslint/unbound-method": "off",
      "max-lines": "off",
    },
  },
  { files: ["eslint.config.js"], ...tseslint.configs.disableTypeChecked },
  {
    // The status page's browser scripts: plain JS served as is, no build step.
    files: ["adapters/http/static/**/*.js"],
    ...tseslint.configs.disableTypeChecked,
    languageOptions: {
      sourceType: "script",
      parserOptions: { projectService: false, project: null },
      globals: Object.fromEntries(
        ["document", "window", "location", "localStorage", "fetch", "EventSource", "requestAnimationFrame", "setInterval", "Node", "URLSearchParams", "console"].map((g) => [g, "readonly"]),
      ),
    },
  },
);
