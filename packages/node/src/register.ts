// `node --import @weft/node/register app.mjs` (or `--require` for CommonJS): starts Weft from the
// environment before the application's first line runs. Nothing here may throw into the
// application, so even an unexpected failure is one line on stderr.

import { startWeft } from "./start.js";

try {
  startWeft();
} catch (err) {
  const text = err instanceof Error ? err.message.split("\n")[0] : String(err);
  process.stderr.write(`weft: not started: ${text}\n`);
}
