import { defineConfig } from "vitest/config";

// Two projects: unit tests beside the code (pure functions, no servers) and
// integration tests under test/ that share one real test environment per run.
export default defineConfig({
  test: {
    projects: [
      { test: { name: "unit", include: ["src/**/*.test.ts", "testenv/**/*.test.ts"] } },
      {
        test: {
          name: "integration",
          include: ["test/**/*.test.ts"],
          globalSetup: ["test/global-setup.ts"],
          testTimeout: 180_000,
          hookTimeout: 300_000,
          // Two cores: at most two files at once, each in its own namespaces.
          maxWorkers: 2,
          fileParallelism: true,
        },
      },
    ],
  },
});
