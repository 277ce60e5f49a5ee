// A long-running child process (collector, Prometheus) whose output is captured for failure
// messages, with a signal-and-wait stop. One place, so every server in the e2e suite behaves alike.

import { type ChildProcess, type SpawnOptions, spawn } from "node:child_process";

export class LoggedProcess {
  readonly child: ChildProcess;
  #log = "";
  #exited = false;

  constructor(command: string, args: readonly string[], options: SpawnOptions = {}) {
    this.child = spawn(command, args, { ...options, stdio: ["ignore", "pipe", "pipe"] });
    const append = (chunk: Buffer): void => {
      this.#log += chunk.toString();
    };
    this.child.stdout?.on("data", append);
    this.child.stderr?.on("data", append);
    this.child.on("exit", () => {
      this.#exited = true;
    });
  }

  /** Everything the process printed so far (stdout and stderr interleaved). */
  get log(): string {
    return this.#log;
  }

  get exited(): boolean {
    return this.#exited;
  }

  /** Sends `signal` and resolves once the process has exited (at once if it already has). */
  async stop(signal: NodeJS.Signals): Promise<void> {
    const child = this.child;
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
    child.kill(signal);
    await exited;
  }
}
