// On a Node.js older than 22.15 every Weft library must refuse at import with one clear error
// (UnsupportedNodeError, UNSUPPORTED_NODE), never crash: better-sqlite3 built for Node 22 segfaults
// Node 20 when the first database opens. Runs a real Node 20: the machine's when it has one
// (the README machine ships 20), else the official build from the npm registry, cached.
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { beforeAll, describe, expect, it } from "vitest";

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const OLD_NODE_VERSION = "20.20.2";

function versionOf(bin: string): string | undefined {
  const r = spawnSync(bin, ["--version"], { encoding: "utf8" });
  return r.status === 0 ? r.stdout.trim().replace(/^v/, "") : undefined;
}

function isOld(version: string): boolean {
  const [major = 0, minor = 0] = version.split(".").map(Number);
  return major < 22 || (major === 22 && minor < 15);
}

function oldNode(): string {
  for (const candidate of ["/usr/bin/node", "/usr/local/bin/node"]) {
    const v = existsSync(candidate) ? versionOf(candidate) : undefined;
    if (v !== undefined && isOld(v) && Number(v.split(".")[0]) >= 20) return candidate;
  }
  const bin = execFileSync(
    "bash",
    ["-c", `source scripts/toolchain.sh && node_release_bin ${OLD_NODE_VERSION}`],
    {
      cwd: REPO,
      encoding: "utf8",
    },
  ).trim();
  return join(bin, "node");
}

interface Manifest {
  name: string;
  private?: boolean;
  dependencies?: Record<string, string>;
}

let node20: string;
const manifests = new Map<string, { dir: string; pkg: Manifest }>();
for (const name of readdirSync(join(REPO, "packages"))) {
  const dir = join(REPO, "packages", name);
  try {
    const pkg = JSON.parse(readFileSync(join(dir, "package.json"), "utf8")) as Manifest;
    if (pkg.private !== true) manifests.set(pkg.name, { dir, pkg });
  } catch {
    // not a package directory
  }
}
const packages = [...manifests.values()].map((m) => m.dir);

/**
 * Whether the package loads @weft/kernel (directly or through a sibling): those must refuse.
 * A dependency-free package (the names module) has nothing that can crash an old Node; it must
 * load cleanly instead.
 */
function reachesKernel(name: string, seen = new Set<string>()): boolean {
  if (name === "@weft/kernel") return true;
  if (seen.has(name)) return false;
  seen.add(name);
  const deps = Object.keys(manifests.get(name)?.pkg.dependencies ?? {});
  return deps.some((d) => manifests.has(d) && reachesKernel(d, seen));
}

beforeAll(() => {
  execFileSync(join(REPO, "node_modules/.bin/tsc"), ["-b", REPO], { cwd: REPO, stdio: "inherit" });
  node20 = oldNode();
  expect(isOld(versionOf(node20) ?? "99.0.0")).toBe(true);
}, 600_000);

describe("Node.js older than 22.15", () => {
  it("finds the packages", () => {
    expect(packages.length).toBeGreaterThanOrEqual(6);
  });

  for (const [name, { dir }] of manifests) {
    const refuses = reachesKernel(name);
    it(`import of ${name} ${refuses ? "throws UnsupportedNodeError" : "loads (no dependencies)"} instead of crashing`, () => {
      const entry = pathToFileURL(join(dir, "dist/index.js")).href;
      const script = `import(${JSON.stringify(entry)}).then(() => console.log("loaded"), (e) => { console.log(e.code + " " + e.message); process.exitCode = 3; });`;
      const r = spawnSync(node20, ["-e", script], { encoding: "utf8", timeout: 60_000 });
      expect(r.signal).toBeNull();
      if (refuses) {
        expect(r.status).toBe(3);
        expect(r.stdout).toMatch(
          /^UNSUPPORTED_NODE Weft needs Node\.js >= 22\.15\.0 \(22 or 24 LTS\); this is Node\.js 20\./,
        );
      } else {
        expect(r.stdout).toBe("loaded\n");
        expect(r.status).toBe(0);
      }
    });
  }

  it("require() of a library throws the same error", () => {
    const script = `try { require(${JSON.stringify(join(REPO, "packages/chained-store/dist/index.js"))}); console.log("loaded"); } catch (e) { console.log(e.code); }`;
    const r = spawnSync(node20, ["-e", script], { encoding: "utf8", timeout: 60_000 });
    expect(r.signal).toBeNull();
    expect(r.stdout.trim()).toBe("UNSUPPORTED_NODE");
  });

  it("the weft CLI says so and exits 1", () => {
    const r = spawnSync(
      node20,
      [join(REPO, "packages/cli/dist/bin.js"), "audit", "list", "--store", "x.db"],
      {
        encoding: "utf8",
        timeout: 60_000,
      },
    );
    expect(r.signal).toBeNull();
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/^error: weft needs Node\.js >= 22\.15 \(this is 20\./);
  });

  it("node --import @weft/node/register stops with the error, not a segfault", () => {
    const r = spawnSync(
      node20,
      [
        "--import",
        pathToFileURL(join(REPO, "packages/node/dist/register.js")).href,
        "-e",
        "console.log('app ran')",
      ],
      {
        encoding: "utf8",
        timeout: 60_000,
      },
    );
    expect(r.signal).toBeNull();
    expect(r.status).not.toBe(0);
    expect(r.stderr).toContain("UnsupportedNodeError");
    expect(r.stderr).toContain("Weft needs Node.js >= 22.15.0");
  });
});
