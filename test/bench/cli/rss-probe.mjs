// Preloaded into the measured `weft` child (node --import): reports its peak RSS on exit.
process.on("exit", () => {
  process.stderr.write(`WEFT_BENCH_MAXRSS_KB ${process.resourceUsage().maxRSS}\n`);
});
