// A real small filesystem for disk-full tests: a tmpfs of the given size, mounted for the test
// and unmounted after. Needs CAP_SYS_ADMIN (root on a normal machine); where mounting is not
// permitted the caller skips with a loud reason, printed in CI output.
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export interface SmallDisk {
  dir: string;
  unmount(): void;
}

/** Mounts a tmpfs of `bytes` or returns the reason it cannot. */
export function mountSmallDisk(bytes: number): SmallDisk | string {
  const dir = mkdtempSync(join(tmpdir(), "weft-tmpfs-"));
  try {
    execFileSync("mount", ["-t", "tmpfs", "-o", `size=${bytes}`, "tmpfs", dir], { stdio: "pipe" });
  } catch (e) {
    rmSync(dir, { recursive: true, force: true });
    const stderr = (e as { stderr?: Buffer }).stderr?.toString().trim();
    return `cannot mount a ${bytes}-byte tmpfs here (${stderr || String(e)})`;
  }
  return {
    dir,
    unmount() {
      try {
        // Lazy: a failed assertion may have left a store's descriptor open on the disk.
        execFileSync("umount", ["-l", dir], { stdio: "pipe" });
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}

export function loudSkip(reason: string): void {
  const line = `\n*** SKIPPED (${reason}) ***\n`;
  process.stderr.write(line);
  console.warn(line);
}
