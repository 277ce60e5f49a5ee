// Preloaded into a `weft` child under test (node --import): writes its peak RSS (KiB) to the file
// named by WEFT_TEST_RSS_FILE on exit, so the child's own stdout and stderr stay untouched.
import { writeFileSync } from "node:fs";

process.on("exit", () => {
  const file = process.env.WEFT_TEST_RSS_FILE;
  if (file) writeFileSync(file, String(process.resourceUsage().maxRSS));
});
