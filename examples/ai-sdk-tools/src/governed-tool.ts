// An AI SDK tool whose every call goes through the Weft kernel: the model picks the tool, the
// kernel decides whether this principal may use it (grant), runs it through a driver (invoke),
// applies the firewall, and records an ActionTrace. A denial goes back to the model as a tool
// result it can reason about; the model never receives a token, raw rows beyond the firewall's
// summary, or the policy's internals beyond the stable reason code.

import { type Kernel, type Principal, ReasonedWeftError, type ResponseMode, WeftError } from "@weft/kernel";
import { type JSONSchema7, jsonSchema, type Tool, tool } from "ai";

export interface GovernedToolOptions {
  kernel: Kernel;
  principal: Principal;
  capabilityId: string;
  description: string;
  inputSchema: JSONSchema7;
  /** Sent with the grant request; WRITE and DESTRUCTIVE tools need one the policy accepts. */
  justification?: string;
  responseMode?: ResponseMode;
}

/** What the model sees after a governed call. */
export type GovernedResult =
  | { status: "ok"; actionId: string; facts: string[]; rows: Record<string, unknown>[]; warnings: string[] }
  | { status: "denied"; reason: string }
  | { status: "failed"; error: string };

function reasonOf(error: unknown): string {
  if (error instanceof ReasonedWeftError && error.reasonCode) return error.reasonCode;
  if (error instanceof WeftError) return error.code;
  throw error;
}

export function governedTool(options: GovernedToolOptions): Tool<Record<string, unknown>, GovernedResult> {
  const { kernel, principal, capabilityId } = options;
  return tool({
    description: options.description,
    inputSchema: jsonSchema<Record<string, unknown>>(options.inputSchema),
    execute: async (input, { toolCallId }): Promise<GovernedResult> => {
      let token: ReturnType<Kernel["grantCapability"]>["token"];
      try {
        token = kernel.grantCapability(
          { capabilityId, goal: `model tool call ${toolCallId}`, constraints: {} },
          principal,
          options.justification === undefined ? {} : { justification: options.justification },
        ).token;
      } catch (error) {
        return { status: "denied", reason: reasonOf(error) };
      }
      try {
        const frame = await kernel.invoke(token, {
          principal,
          args: input,
          responseMode: options.responseMode ?? "summary",
          // The model's id for this call: on the span as gen_ai.tool.call.id and in the record.
          toolCallId,
        });
        return {
          status: "ok",
          actionId: frame.actionId,
          facts: frame.facts,
          rows: frame.tablePreview,
          warnings: frame.warnings,
        };
      } catch (error) {
        return { status: "failed", error: reasonOf(error) };
      }
    },
  });
}
