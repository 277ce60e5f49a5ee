// Typed errors of the OCSF exporter; each has a stable `code` (see @weft/kernel WeftError).
import { WeftError } from "@weft/kernel";

/** The input cannot be mapped (for example an unparseable `invokedAt`). */
export class OcsfMappingError extends WeftError {
  constructor(message: string) {
    super("OCSF_INVALID_INPUT", message);
  }
}

/** A sink could not deliver events. `attempts` counts HTTP requests made; `status` is the last HTTP status, if any. */
export class OcsfSinkError extends WeftError {
  readonly attempts: number;
  readonly status: number | undefined;
  constructor(message: string, details: { attempts?: number; status?: number; cause?: unknown } = {}) {
    super("OCSF_SINK_FAILED", message, details.cause === undefined ? undefined : { cause: details.cause });
    this.attempts = details.attempts ?? 0;
    this.status = details.status;
  }
}

/** Export or write after `shutdown()`/`close()`. */
export class OcsfExporterClosedError extends WeftError {
  constructor(what: string) {
    super("OCSF_EXPORTER_CLOSED", `${what} is shut down; no further events are accepted`);
  }
}

/** Invalid exporter or sink configuration. */
export class OcsfConfigError extends WeftError {
  constructor(message: string) {
    super("OCSF_INVALID_CONFIG", message);
  }
}
