// `scripts/dev weft …` must be quiet and must not reinstall or rebuild when nothing changed
// (its keys are content hashes of the lockfile, package.json files and sources).
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const DEV = join(REPO, "scripts/dev");

function dev(args: string[]): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(DEV, args, { cwd: REPO, encoding: "utf8", timeout: 600_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe("scripts/dev weft", () => {
  it("prints only the command's output when install and build are up to date", (ctx) => {
    if (dev(["up-to-date"]).code !== 0) {
      // Only a run through `scripts/dev test` (as CI does) guarantees fresh stamps; installing or
      // building here would rewrite dist/ under the other tests running now.
      console.warn(
        "SKIPPED scripts/dev weft quietness: install/build stamps are stale; run via `scripts/dev test`",
      );
      ctx.skip();
      return;
    }
    const version = (
      JSON.parse(readFileSync(join(REPO, "packages/cli/package.json"), "utf8")) as { version: string }
    ).version;
    for (let i = 0; i < 2; i++) {
      const r = dev(["weft", "--version"]);
      expect(r.stderr).toBe("");
      expect(r.stdout).toBe(`${version}\n`);
      expect(r.code).toBe(0);
    }
    expect(dev(["up-to-date"]).code).toBe(0);
  });

  it("rejects an unknown example with the list of examples (exit 2)", () => {
    const r = dev(["example", "no-such-example"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/usage: scripts\/dev example NAME .*quickstart/);
  });
});
