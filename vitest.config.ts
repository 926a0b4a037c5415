// Test runner configuration. tests/setup/global.ts provides a fresh migrated database (the real
// PostgreSQL when DATABASE_URL/TEST_DATABASE_URL is set, else an embedded one) and Redis when set.
import { availableParallelism } from "node:os";
import path from "node:path";
import { transform } from "esbuild";
import type { Plugin } from "vite";
import { defineConfig } from "vitest/config";

// Vite 8 transforms TypeScript with Oxc, which lowers only legacy (experimentalDecorators)
// decorators and leaves standard TC39 ones (`@retry()` in lib/retry.ts) in place, which Node cannot
// parse. esbuild (the one tsx uses to run the workers) lowers them, so files that may use a decorator
// go through esbuild first; Oxc then sees plain JavaScript. Other files are untouched.
const standardDecorators: Plugin = {
  name: "standard-decorators-via-esbuild",
  enforce: "pre",
  async transform(code, id) {
    // A cheap test; a false positive (an "@param" in a comment) only costs an esbuild pass.
    if (!/\.[cm]?ts$/.test(id) || id.includes("/node_modules/") || !/(?:^|[\s{;])@[A-Za-z_$]/m.test(code)) return null;
    const result = await transform(code, { loader: "ts", sourcefile: id, target: "es2023", format: "esm", sourcemap: true });
    return { code: result.code, map: result.map };
  },
};

export default defineConfig({
  plugins: [standardDecorators],
  resolve: { alias: { "@": path.resolve(import.meta.dirname) } },
  test: {
    include: ["tests/**/*.test.ts"],
    globalSetup: ["tests/setup/global.ts"],
    setupFiles: ["tests/setup/env.ts"],
    testTimeout: 30_000,
    hookTimeout: 120_000,
    pool: "forks",
    // Vitest's default is one file at a time below three cores. Most files wait on servers (the app,
    // PostgreSQL, Redis, Chromium) far more than they compute, and the suites are written to run side
    // by side on one database (tests/README.md), so two files run at once even on two cores.
    maxWorkers: Math.max(2, availableParallelism() - 1),
    reporters: ["default"],
  },
});
