// Tool-definition pinning: the SHA-256 of a tool's canonical definition. A server that changes a
// tool's description, schema or annotations after approval ("rug pull") changes this hash.

import { createHash } from "node:crypto";
import { canonicalJson } from "@weft/kernel";
import type { McpTool } from "./client.js";

/** The fields that define what a tool does and what a model is told about it. */
const PINNED_FIELDS = ["name", "title", "description", "inputSchema", "outputSchema", "annotations"] as const;

/** The pinned view of a tool: exactly the defining fields that are present. */
export function toolDefinition(tool: McpTool): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const field of PINNED_FIELDS) {
    const value = tool[field];
    if (value !== undefined) out[field] = value;
  }
  return out;
}

/** Hex SHA-256 of the canonical JSON (sorted keys, compact) of the tool's definition. */
export function toolDefinitionHash(tool: McpTool): string {
  return createHash("sha256")
    .update(canonicalJson(toolDefinition(tool)), "utf8")
    .digest("hex");
}
