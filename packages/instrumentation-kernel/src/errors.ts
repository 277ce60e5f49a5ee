// Typed errors of this package (WeftError subclasses with stable codes).

import { WeftError } from "@weft/kernel";

/** An option passed to KernelInstrumentation is invalid. */
export class InstrumentationConfigError extends WeftError {
  constructor(message: string) {
    super("INSTRUMENTATION_CONFIG_INVALID", message);
  }
}
