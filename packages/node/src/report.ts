// One line per problem, on stderr and through the OpenTelemetry diag logger. A set-up module must
// never throw into the application, so every misconfiguration ends up here: one clear line naming
// the setting, what is wrong and what Weft does instead — never the value of a secret or header.

import { diag } from "@opentelemetry/api";

export type Setting = "store" | "secret" | "otlp" | "ocsf" | "capture" | "sdk" | "start" | "shutdown";
export type Fallback = "memory" | "disabled" | "default" | "none";

export interface Problem {
  setting: Setting;
  fallback: Fallback;
  /** Stable error code when the cause was a WeftError (`WRONG_SECRET`, `STORE_IO`, ...). */
  code?: string;
  message: string;
}

export interface Reporter {
  readonly problems: readonly Problem[];
  report(problem: Problem): void;
}

/** `write` defaults to stderr; tests and `startWeft({ onProblem })` may take the lines instead. */
export function createReporter(write: (line: string) => void): Reporter {
  const problems: Problem[] = [];
  return {
    problems,
    report(problem) {
      problems.push(problem);
      const line = `weft: ${problem.message}`;
      diag.warn(line);
      try {
        write(line);
      } catch {
        // A closed stderr must not take the application down with it.
      }
    },
  };
}

/** Code and one-line message of anything thrown, without a stack. */
export function describe(err: unknown): { code?: string; text: string } {
  if (err instanceof Error) {
    const code = (err as { code?: unknown }).code;
    const text = err.message.split("\n")[0] ?? "";
    return typeof code === "string" ? { code, text } : { text };
  }
  return { text: String(err) };
}
