// Exit hooks: flush on SIGTERM/SIGINT and when the event loop drains, close synchronously on
// 'exit'. A signal Weft handled is re-raised once the flush is done, so the process ends the way
// it would have without Weft (killed by the signal, exit status 128+n) — unless the application
// listens for that signal itself, in which case the application decides when to exit.

const SIGNALS = ["SIGTERM", "SIGINT"] as const;

export interface ExitHooks {
  shutdown(): Promise<void>;
  onExit(): void;
}

/**
 * Installs the hooks; returns a function that removes the signal and beforeExit ones. The 'exit'
 * hook stays: `onExit` is idempotent, and an application that calls process.exit() while a
 * shutdown is still flushing must still get its store closed.
 */
export function installExitHooks(hooks: ExitHooks): () => void {
  let flushing = false;
  const onBeforeExit = (): void => {
    if (flushing) return;
    flushing = true;
    void hooks.shutdown();
  };
  const onExit = (): void => hooks.onExit();
  const onSignal = (signal: NodeJS.Signals): void => {
    const appListens = (): boolean => process.listeners(signal).some((l) => l !== onSignal);
    flushing = true;
    void hooks.shutdown().finally(() => {
      process.removeListener(signal, onSignal);
      if (!appListens()) process.kill(process.pid, signal);
    });
  };
  process.on("beforeExit", onBeforeExit);
  process.on("exit", onExit);
  for (const s of SIGNALS) process.on(s, onSignal);
  return () => {
    process.removeListener("beforeExit", onBeforeExit);
    for (const s of SIGNALS) process.removeListener(s, onSignal);
  };
}
