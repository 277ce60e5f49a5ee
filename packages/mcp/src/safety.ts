// Which safety class an MCP tool gets. An explicit mapping always wins; annotations count only for
// servers the application marks trusted (the MCP spec: never decide on annotations from untrusted
// servers); everything else gets the spec's own conservative reading of a tool without hints.

import type { SafetyClass } from "@weft/kernel";
import type { McpTool } from "./client.js";

/** Per-tool safety classes (by tool name), or a function deciding per tool. */
export type SafetyMapping =
  | Readonly<Record<string, SafetyClass>>
  | ((tool: McpTool) => SafetyClass | undefined);

/** Default for tools nothing else classifies: MCP's defaults are destructive, not read-only. */
export const DEFAULT_MCP_SAFETY: SafetyClass = "DESTRUCTIVE";

function fromMapping(mapping: SafetyMapping | undefined, tool: McpTool): SafetyClass | undefined {
  if (mapping === undefined) return undefined;
  if (typeof mapping === "function") return mapping(tool);
  return Object.hasOwn(mapping, tool.name) ? mapping[tool.name] : undefined;
}

/** Reads trusted annotations the way the spec defines their defaults. */
function fromAnnotations(tool: McpTool): SafetyClass {
  const a = tool.annotations;
  if (a?.readOnlyHint === true) return "READ";
  // destructiveHint defaults to true and is meaningful only when the tool is not read-only.
  if (a?.destructiveHint === false) return "WRITE";
  return "DESTRUCTIVE";
}

export function safetyClassOf(
  tool: McpTool,
  options: { trusted: boolean; safety?: SafetyMapping | undefined; defaultSafety?: SafetyClass | undefined },
): SafetyClass {
  const mapped = fromMapping(options.safety, tool);
  if (mapped !== undefined) return mapped;
  if (options.trusted) return fromAnnotations(tool);
  return options.defaultSafety ?? DEFAULT_MCP_SAFETY;
}
