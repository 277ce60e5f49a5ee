// The kernel's public event contract: node:diagnostics_channel TracingChannels that
// instrumentation subscribes to. Messages carry ids, classifications and outcomes — never raw
// args, never token signatures. Subscribers may fill `runInContext` in their `start` handler.

import { tracingChannel } from "node:diagnostics_channel";

export const CHANNEL_GRANT = "weft:kernel:grant";
export const CHANNEL_INVOKE = "weft:kernel:invoke";
export const CHANNEL_EXPAND = "weft:kernel:expand";
export const CHANNEL_REVOKE = "weft:kernel:revoke";

/** Fields every kernel channel message has. */
export interface KernelMessageBase {
  /** Id of the kernel instance that published (Kernel option `kernelId`). */
  kernelId: string;
  /**
   * Optional slot a subscriber sets in its `start` handler. When present, the kernel runs the
   * operation's inner work (the driver calls of an invoke) through it, so a subscriber can make
   * its span the active context without reaching into private context-manager state.
   */
  runInContext?: <T>(fn: () => T) => T;
}

/**
 * The acting agent (from `withAgent` or the Kernel option `agent`), on every operation's
 * message; each field only when known.
 */
export interface AgentFields {
  agentName?: string;
  agentId?: string;
  conversationId?: string;
}

export type Decision = "allow" | "deny";

export interface GrantMessage extends KernelMessageBase, AgentFields {
  principalId: string;
  capabilityId: string;
  safetyClass: string;
  sensitivity: string;
  /** Set when the policy has decided. */
  decision?: Decision;
  reasonCode?: string;
  /** Set on allow: the issued token's id (never its signature) and expiry (ISO-8601 UTC). */
  tokenId?: string;
  expiresAt?: string;
  /**
   * Set once decided: on deny, the action id of the recorded deny trace; on allow, the grant's
   * audit id (carried in the token; allowed grants write no action record, as in the reference).
   */
  actionId?: string;
  /** Stable `WeftError.code` of the failure, when the grant threw. */
  errorCode?: string;
}

export interface InvokeMessage extends KernelMessageBase, AgentFields {
  principalId: string;
  capabilityId: string;
  /** The model's id for this tool call (`invoke(..., { toolCallId })`), when given. */
  toolCallId?: string;
  /** `gen_ai.tool.type` of the capability (`function` unless the registry says otherwise). */
  toolType?: string;
  /** The capability's description from the registry. */
  toolDescription?: string;
  tokenId: string;
  requestedResponseMode: string;
  dryRun: boolean;
  /** Set once the token has verified and the action id is minted. */
  actionId?: string;
  safetyClass?: string;
  sensitivity?: string;
  /** Effective response mode of the returned frame. */
  responseMode?: string;
  /** Driver that produced the result (or the last one tried on failure). */
  driverId?: string;
  /** Drivers attempted, in order. */
  driversTried?: string[];
  fallback?: boolean;
  handleId?: string;
  decision?: Decision;
  reasonCode?: string;
  errorCode?: string;
  /**
   * Attributes drivers reported through `ExecutionContext.annotate` (protocol facts such as
   * `mcp.session.id`; a driver's own `error.type`). Never argument or result values.
   */
  driverAttributes?: Record<string, string | number | boolean>;
  /**
   * Keyed digest of the call's arguments: HMAC-SHA256 (hex) of their canonical JSON under `key`.
   * A function, so the message holds no arg values and nothing is computed unless asked.
   */
  digestArgs?: (key: string | Uint8Array) => string;
}

export interface ExpandMessage extends KernelMessageBase, AgentFields {
  principalId: string;
  handleId: string;
  capabilityId?: string;
  actionId?: string;
  rowCount?: number;
  reasonCode?: string;
  errorCode?: string;
}

export interface RevokeMessage extends KernelMessageBase, AgentFields {
  /** One token revoked by id, or all tokens of a principal. */
  tokenId?: string;
  principalId?: string;
  /** Tokens newly revoked by this call. */
  revokedCount?: number;
  /** Id of this revocation call (no action record is written for revocations). */
  actionId?: string;
}

export const grantChannel = tracingChannel<unknown, GrantMessage>(CHANNEL_GRANT);
export const invokeChannel = tracingChannel<unknown, InvokeMessage>(CHANNEL_INVOKE);
export const expandChannel = tracingChannel<unknown, ExpandMessage>(CHANNEL_EXPAND);
export const revokeChannel = tracingChannel<unknown, RevokeMessage>(CHANNEL_REVOKE);
