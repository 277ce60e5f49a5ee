// Packages a user can install: packs every public workspace package found on disk (pnpm pack, so
// workspace:* becomes a version and prepack builds), checks each tarball against an allow-list,
// installs the tarballs with npm into an empty project outside the workspace (registry
// dependencies from the registry), and there (a) runs a plain kernel app under
// `node --import @weft/node/register` and verifies both chains with `npx weft`, (b) runs the
// by-hand wiring from docs/getting-started.md in ESM and CommonJS, (c) type-checks a TypeScript
// app with skipLibCheck: false under module node16 and moduleResolution bundler.
import { execFileSync, spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { codeBlocks } from "./doc-blocks.ts";

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const SECRET = "packaging-test-secret-0123456789abcdef";

interface PublicPackage {
  name: string;
  version: string;
  dir: string;
  tarball: string;
  entries: string[];
}

function publicPackages(): Array<{ name: string; version: string; dir: string }> {
  const out: Array<{ name: string; version: string; dir: string }> = [];
  for (const entry of readdirSync(join(REPO, "packages"), { withFileTypes: true })) {
    if (!entry.isDirectory()) continue;
    const dir = join(REPO, "packages", entry.name);
    let pkg: { name?: string; version?: string; private?: boolean };
    try {
      pkg = JSON.parse(readFileSync(join(dir, "package.json"), "utf8")) as typeof pkg;
    } catch {
      continue;
    }
    if (pkg.private === true || pkg.name === undefined || pkg.version === undefined) continue;
    out.push({ name: pkg.name, version: pkg.version, dir });
  }
  return out;
}

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function run(cmd: string, args: string[], cwd: string, env: Record<string, string> = {}): Run {
  const r = spawnSync(cmd, args, {
    cwd,
    env: { ...cleanEnv(), ...env },
    encoding: "utf8",
    timeout: 600_000,
    maxBuffer: 64 * 1024 * 1024,
  });
  return { code: r.status, stdout: r.stdout ?? "", stderr: r.stderr ?? "" };
}

// The consumer must see what a user's shell would: no workspace OTEL_/WEFT_ settings, no pnpm
// or vitest variables that make npm behave as if inside the workspace.
function cleanEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (/^(OTEL_|WEFT_|WEAVER_KERNEL_|npm_|PNPM_|VITEST|NODE_OPTIONS$|NODE_PATH$)/i.test(k)) continue;
    env[k] = v;
  }
  return env;
}

function expectOk(r: Run, what: string): void {
  expect(r.code, `${what} failed:\n${r.stdout}\n${r.stderr}`).toBe(0);
}

const packages: PublicPackage[] = [];
let app: string;
let work: string | undefined;
const blocks = codeBlocks(readFileSync(join(REPO, "docs/getting-started.md"), "utf8"));

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), "weft-packaging-"));
  expect(relative(REPO, work).startsWith(".."), "the consumer project must be outside the workspace").toBe(
    true,
  );
  const tarballs = join(work, "tarballs");
  mkdirSync(tarballs);
  for (const p of publicPackages()) {
    // One package at a time: prepack builds, and parallel tsc -b runs would race on dist/.
    const before = new Set(readdirSync(tarballs));
    execFileSync("pnpm", ["pack", "--pack-destination", tarballs], {
      cwd: p.dir,
      stdio: ["ignore", "ignore", "inherit"],
    });
    const made = readdirSync(tarballs).filter((f) => !before.has(f));
    expect(made, `pnpm pack of ${p.name}`).toHaveLength(1);
    const tarball = join(tarballs, made[0] as string);
    const entries = execFileSync("tar", ["-tzf", tarball], { encoding: "utf8" }).trim().split("\n");
    packages.push({ ...p, tarball, entries });
  }

  app = join(work, "app");
  mkdirSync(app);
  const deps: Record<string, string> = {};
  for (const p of packages) deps[p.name] = `file:${p.tarball}`;
  const rootPkg = JSON.parse(readFileSync(join(REPO, "package.json"), "utf8")) as {
    devDependencies: Record<string, string>;
  };
  writeFileSync(
    join(app, "package.json"),
    `${JSON.stringify(
      {
        name: "weft-packaging-consumer",
        private: true,
        type: "module",
        dependencies: { ...deps, "@opentelemetry/api": "^1.10.0", "@opentelemetry/sdk-trace": "^3.1.0" },
        devDependencies: {
          typescript: rootPkg.devDependencies["typescript"],
          "@types/node": rootPkg.devDependencies["@types/node"],
        },
        // Inter-package dependencies (0.1.0) resolve to the tarballs, not to the registry.
        overrides: deps,
      },
      null,
      2,
    )}\n`,
  );
  const install = run("npm", ["install", "--no-audit", "--no-fund", "--loglevel=error"], app);
  expectOk(install, "npm install of the tarballs");
  for (const [file, code] of blocks) writeFileSync(join(app, file), code);
}, 900_000);

afterAll(() => {
  // The consumer's node_modules is large; keep it only when asked (to debug a failure).
  if (work !== undefined && process.env["WEFT_KEEP_PACKAGING_DIR"] !== "1")
    rmSync(work, { recursive: true, force: true });
});

describe("packages a user can install", () => {
  it("finds every public package, all at one version", () => {
    const names = packages.map((p) => p.name);
    for (const expected of ["@weft/kernel", "@weft/chained-store", "@weft/node", "@weft/cli"]) {
      expect(names).toContain(expected);
    }
    expect(new Set(packages.map((p) => p.version)).size).toBe(1);
  });

  it("(d) tarballs hold dist JS, .d.ts, JS maps, README, LICENSE (and the OCSF schema) — nothing else", () => {
    const allowed = [
      /^package\/package\.json$/,
      /^package\/README\.md$/,
      /^package\/LICENSE$/,
      /^package\/NOTICE$/,
      /^package\/dist\/([\w.-]+\/)*[\w.-]+\.(js|d\.ts|js\.map)$/,
    ];
    for (const p of packages) {
      // The OCSF schema is data the exporter validates against; the CLI's static files are what
      // `weft audit serve` sends to the browser.
      const extras: Record<string, RegExp[]> = {
        "@weft/exporter-ocsf": [/^package\/schema\/[\w.-]+$/],
        "@weft/cli": [/^package\/static\/[\w.-]+\.(css|js|svg)$/],
      };
      const extra = extras[p.name] ?? [];
      const bad = p.entries.filter((e) => ![...allowed, ...extra].some((re) => re.test(e)));
      expect(bad, `${p.name}: files outside the allow-list`).toEqual([]);
      expect(p.entries, p.name).toContain("package/LICENSE");
      expect(p.entries, p.name).toContain("package/README.md");
      expect(p.entries, p.name).toContain("package/dist/index.js");
      expect(p.entries, p.name).toContain("package/dist/index.d.ts");
      expect(
        p.entries.some(
          (e) => e.includes(".tsbuildinfo") || e.startsWith("package/src/") || e.endsWith(".d.ts.map"),
        ),
      ).toBe(false);
      const manifest = JSON.parse(
        execFileSync("tar", ["-xzOf", p.tarball, "package/package.json"], { encoding: "utf8" }),
      ) as {
        description?: string;
        repository?: unknown;
        homepage?: string;
        keywords?: string[];
        engines?: { node?: string };
        license?: string;
        sideEffects?: unknown;
        dependencies?: Record<string, string>;
        exports?: Record<string, unknown>;
      };
      expect(manifest.description, p.name).toBeTruthy();
      expect(manifest.repository, p.name).toBeTruthy();
      expect(manifest.homepage, p.name).toBeTruthy();
      expect(manifest.keywords?.length, p.name).toBeGreaterThan(0);
      expect(manifest.engines?.node, p.name).toBe(">=22.15");
      expect(manifest.license, p.name).toBe("Apache-2.0");
      expect(manifest.sideEffects, p.name).toBeDefined();
      for (const v of Object.values(manifest.dependencies ?? {}))
        expect(v, p.name).not.toMatch(/^workspace:/);
      // One prepack for all: it builds without wiping dist/, which tests running now still read.
      const source = JSON.parse(readFileSync(join(p.dir, "package.json"), "utf8")) as {
        scripts?: Record<string, string>;
      };
      expect(source.scripts?.["prepack"], `${p.name} scripts.prepack`).toBe("node ../../scripts/prepack.mjs");
      // The source condition is workspace-only: it may be in the map, but its target is not shipped.
      expect(JSON.stringify(manifest.exports ?? {})).not.toMatch(/"source"/);
    }
  });

  it("(a) node --import @weft/node/register on a plain kernel app fills both chains; npx weft audit verify passes", () => {
    const r = run(process.execPath, ["--import", "@weft/node/register", "app.mjs"], app, {
      WEFT_SECRET: SECRET,
    });
    expectOk(r, "the app under @weft/node/register");
    expect(r.stdout).toMatch(/^invoked [0-9a-f-]{36}/);
    expect(r.stderr).toBe("");
    const verify = run(
      "npx",
      ["weft", "audit", "verify", "--store", "weft-audit.db", "--chain", "all"],
      app,
      {
        WEFT_SECRET: SECRET,
      },
    );
    expectOk(verify, "weft audit verify");
    expect(verify.stdout).toMatch(
      /^OK: \[actions\] Verified 1 record\(s\)\.\nOK: \[spans\] Verified [1-9]\d* record\(s\)\.\nOK: \[decisions\] Verified 0 record\(s\)\.\n$/,
    );
    const list = run("npx", ["weft", "audit", "list", "--store", "weft-audit.db", "--json"], app);
    expectOk(list, "weft audit list");
    const rows = JSON.parse(list.stdout) as Array<{ capability_id: string; trace_id?: string }>;
    expect(rows).toHaveLength(1);
    expect(rows[0]?.capability_id).toBe("crm.list_customers");
    expect(rows[0]?.trace_id).toMatch(/^[0-9a-f]{32}$/);
  });

  it("--require @weft/node/register works for CommonJS", () => {
    writeFileSync(join(app, "cjs-app.cjs"), 'require("@weft/kernel");\nconsole.log("cjs ok");\n');
    const r = run(process.execPath, ["--require", "@weft/node/register", "cjs-app.cjs"], app, {
      WEFT_SECRET: SECRET,
      WEFT_STORE: "cjs.db",
    });
    expectOk(r, "--require @weft/node/register");
    expect(r.stdout).toBe("cjs ok\n");
  });

  it("startWeft() in code, as docs/getting-started.md shows it", () => {
    expect(blocks.has("start-weft.mjs")).toBe(true);
    const r = run(process.execPath, ["start-weft.mjs"], app, { WEFT_SECRET: SECRET });
    expectOk(r, "start-weft.mjs");
    expect(r.stdout).toContain("actions recorded: 1");
    expectOk(
      run("npx", ["weft", "audit", "verify", "--store", "start-weft.db", "--chain", "all"], app, {
        WEFT_SECRET: SECRET,
      }),
      "verify start-weft.db",
    );
  });

  for (const [file, store] of [
    ["by-hand.mjs", "by-hand.db"],
    ["by-hand.cjs", "by-hand-cjs.db"],
  ] as const) {
    it(`(b) by hand, ${file.endsWith(".cjs") ? "CommonJS" : "ESM"}, following only the docs: both chains verify`, () => {
      expect(blocks.has(file), `docs/getting-started.md has a ${file} block`).toBe(true);
      const r = run(process.execPath, [file], app, { WEFT_SECRET: SECRET });
      expectOk(r, file);
      expect(r.stderr).toBe("");
      const verify = run("npx", ["weft", "audit", "verify", "--store", store, "--chain", "all"], app, {
        WEFT_SECRET: SECRET,
      });
      expectOk(verify, `verify ${store}`);
      expect(verify.stdout).toMatch(
        /^OK: \[actions\] Verified 1 record\(s\)\.\nOK: \[spans\] Verified [1-9]\d* record\(s\)\.\nOK: \[decisions\] Verified 0 record\(s\)\.\n$/,
      );
    });
  }

  for (const [label, compilerOptions] of [
    ["module node16", { module: "node16", moduleResolution: "node16" }],
    ["moduleResolution bundler", { module: "esnext", moduleResolution: "bundler" }],
  ] as const) {
    it(`(c) tsc --noEmit with skipLibCheck: false under ${label}`, () => {
      // Every public package's entry point is imported, so every published .d.ts is checked.
      const imports = packages.map((p, i) => `import * as p${i} from "${p.name}";`).join("\n");
      const uses = `export const all = [${packages.map((_, i) => `p${i}`).join(", ")}];\n`;
      writeFileSync(join(app, "all-packages.ts"), `${imports}\n${uses}`);
      const tsconfig = `tsconfig.${label.replace(/\W+/g, "-")}.json`;
      writeFileSync(
        join(app, tsconfig),
        JSON.stringify({
          compilerOptions: {
            ...compilerOptions,
            target: "es2023",
            lib: ["es2023"],
            strict: true,
            skipLibCheck: false,
            noEmit: true,
            types: ["node"],
            ...(compilerOptions.module === "node16" ? {} : { allowImportingTsExtensions: false }),
          },
          files: ["app.ts", "all-packages.ts"],
        }),
      );
      // The consumer's package.json says "type": "module", as an ESM app's does.
      const r = run(process.execPath, [join(app, "node_modules/typescript/bin/tsc"), "-p", tsconfig], app);
      expect(`${r.stdout}${r.stderr}`, `tsc under ${label}`).toBe("");
      expect(r.code).toBe(0);
    });
  }
});
