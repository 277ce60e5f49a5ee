// One vitest config for the whole workspace: a project per package plus the cross-package tests.
// Packages resolve each other through the private "@weft/source" export condition (each package.json
// lists it first in exports["."]), so tests run on sources; a new package needs only its project entry.
import { defineConfig } from "vitest/config";

const packages = [
  "semconv",
  "kernel",
  "chained-store",
  "instrumentation-kernel",
  "span-processor-chained",
  "exporter-ocsf",
  "cli",
  "node",
  "mcp",
];

export default defineConfig({
  resolve: { conditions: ["@weft/source"] },
  ssr: { resolve: { conditions: ["@weft/source"] } },
  test: {
    testTimeout: 60_000,
    hookTimeout: 600_000,
    projects: [
      ...packages.map((name) => ({
        extends: true as const,
        test: { name, root: `packages/${name}`, include: ["test/**/*.test.ts"] },
      })),
      {
        extends: true as const,
        test: {
          name: "integration",
          root: "test",
          include: ["**/*.test.ts"],
          exclude: ["**/node_modules/**", "bench/**", "sdk2/**"],
        },
      },
      {
        extends: true as const,
        // One @opentelemetry/api copy (test/sdk2's pinned 1.9), as a real SDK 2 install would have:
        // workspace packages otherwise link their own dev copy, which cannot see 1.9's globals.
        resolve: { dedupe: ["@opentelemetry/api"] },
        test: { name: "sdk2", root: "test/sdk2", include: ["**/*.test.ts"], exclude: ["**/node_modules/**"] },
      },
    ],
  },
});
