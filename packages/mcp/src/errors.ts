// Typed failures of governed MCP calls. Driver failures extend the kernel's DriverError, so the
// kernel records them like any driver's, and each carries the `error.type` telemetry value the
// MCP semantic conventions define for it.

import { DriverError } from "@weft/kernel";

/** Reason code of a call denied because the tool's definition changed since it was approved. */
export const TOOL_DEFINITION_CHANGED = "tool_definition_changed";
/** Reason code of a tool a server lists whose capability id is already taken. */
export const TOOL_NAME_COLLISION = "tool_name_collision";

/** A `tools/call` that did not produce a usable result; `errorType` is its `error.type`. */
export class McpCallError extends DriverError {
  readonly errorType: string;
  constructor(message: string, errorType: string, options?: { cause?: unknown }) {
    super(message, options);
    this.errorType = errorType;
  }
}

/** The server answered `isError: true`: the tool itself failed (`error.type = tool_error`). */
export class McpToolError extends McpCallError {
  constructor(message: string) {
    super(message, "tool_error");
  }
}

/** The server's answer is not a `CallToolResult`. */
export class McpMalformedResultError extends McpCallError {
  constructor(message: string) {
    super(message, "malformed_result");
  }
}
