// ESLint flat config: type-aware rules, and the layer rule that keeps the domain core free of adapters.
import { readdirSync } from "node:fs";
import { join } from "node:path";
import js from "@eslint/js";
import tseslint from "typescript-eslint";

// Architecture rule 2: adapters stay independent. A device adapter (rakel-pei, gsm-sms, mqtt, sip-conference,
// net-probes, …: every folder of adapters/ except the shared ones) may import the AT engine, the byte links,
// the shared kits and src/, never another device adapter.
const SHARED_ADAPTER_DIRS = new Set(["at", "serial-link", "shared-kits"]);
const adapterDirs = readdirSync(join(import.meta.dirname, "adapters"), { withFileTypes: true })
  .filter((d) => d.isDirectory())
  .map((d) => d.name);
const deviceAdapterRules = adapterDirs
  .filter((dir) => !SHARED_ADAPTER_DIRS.has(dir))
  .map((dir) => ({
    files: [`adapters/${dir}/**/*.ts`],
    rules: {
      "no-restricted-imports": [
        "error",
        {
          patterns: adapterDirs
            .filter((other) => other !== dir && !SHARED_ADAPTER_DIRS.has(other))
            .map((other) => ({
              group: [`**/adapters/${other}/**`, `../${other}/**`, `../../${other}/**`, `../../../${other}/**`],
              message: `adapters/${dir} must not import adapters/${other} (no device adapter imports another: README, *Layout*); move what both need to adapters/shared-kits/ or src/shared/.`,
            })),
        },
      ],
    },
  }));

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
    // The gateway's processes order strings by code units: an ICU collator would page in about 1.7 MiB of
    // collation data and keep it for the process's life (src/shared/code-unit-order.ts). The status page's
    // script, which runs in the duty officer's browser, may collate.
    files: ["src/**/*.ts", "adapters/**/*.ts"],
    rules: {
      "no-restricted-syntax": [
        "error",
        {
          selector: "CallExpression[callee.property.name='localeCompare'], MemberExpression[object.name='Intl'][property.name='Collator']",
          message: "an ICU collator pages in about 1.7 MiB of collation data and keeps it for the process's life; order by code units (src/shared/code-unit-order.ts).",
        },
      ],
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
  ...deviceAdapterRules,
  {
    // The shared kits serve every adapter, so they import none of the device adapters either.
    files: ["adapters/shared-kits/**/*.ts", "adapters/at/**/*.ts", "adapters/serial-link/**/*.ts"],
    rules: {
      "no-restricted-imports": [
        "error",
        {
          patterns: adapterDirs
            .filter((other) => !SHARED_ADAPTER_DIRS.has(other))
            .map((other) => ({ group: [`**/adapters/${other}/**`, `../${other}/**`, `../../${other}/**`, `../../../${other}/**`], message: `shared adapter code must not import the device adapter adapters/${other} (README, *Layout*).` })),
        },
      ],
    },
  },
  {
    files: ["test/**/*.ts", "bench/**/*.ts", "proof/**/*.ts"],
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
  // The proof runner's preload runs in the daemon as plain JavaScript (node --import), outside the TS project;
  // so do the test fixtures that load it.
  { files: ["proof/**/*.mjs", "test/**/fixtures/*.mjs"], ...tseslint.configs.disableTypeChecked, languageOptions: { ...tseslint.configs.disableTypeChecked.languageOptions, globals: { process: "readonly", performance: "readonly", setInterval: "readonly" } } },
);
