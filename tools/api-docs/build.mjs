// Builds the API reference of every public workspace package found on disk (their src/index.ts)
// into docs/api/ (git-ignored). `--check` builds into a temporary directory and fails on any
// TypeDoc warning (a broken {@link}, an exported type that refers to an unexported one), which
// is how CI keeps the reference buildable and complete.
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { Application, LogLevel } from "typedoc";

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, "..", "..");
const check = process.argv.includes("--check");

const entryPoints = [];
for (const name of readdirSync(join(root, "packages")).sort()) {
  const dir = join(root, "packages", name);
  try {
    const pkg = JSON.parse(readFileSync(join(dir, "package.json"), "utf8"));
    if (pkg.private !== true) entryPoints.push(join(dir, "src", "index.ts"));
  } catch {
    // not a package directory
  }
}

const out = check ? mkdtempSync(join(tmpdir(), "weft-api-docs-")) : join(root, "docs", "api");
const app = await Application.bootstrapWithPlugins({
  name: "Weft API reference",
  entryPoints,
  entryPointStrategy: "resolve",
  tsconfig: join(here, "tsconfig.json"),
  out,
  readme: "none",
  excludePrivate: true,
  excludeInternal: true,
  treatWarningsAsErrors: check,
  logLevel: LogLevel.Warn,
  validation: { notExported: true, invalidLink: true, rewrittenLink: true, notDocumented: false },
});
const project = await app.convert();
let ok = project !== undefined;
if (ok) {
  // Modules are named after their path ("chained-store/src"); readers know them by package name.
  for (const child of project.children ?? []) {
    const dir = child.name.split("/")[0];
    const pkg = JSON.parse(readFileSync(join(root, "packages", dir, "package.json"), "utf8"));
    child.name = pkg.name;
  }
  await app.generateDocs(project, out);
  ok = app.logger.hasErrors() === false && !(check && app.logger.hasWarnings());
}
if (check) rmSync(out, { recursive: true, force: true });
if (!ok) {
  console.error("api-docs: TypeDoc reported problems (see above)");
  process.exit(1);
}
console.log(
  check ? `api-docs: ${entryPoints.length} packages document cleanly` : `api-docs: wrote ${out}/index.html`,
);
