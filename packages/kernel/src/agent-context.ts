// Which agent is acting: an AsyncLocalStorage of the kernel's own (the kernel never imports
// OpenTelemetry), so every grant, invoke and expand inside `withAgent(agent, fn)` — however deep
// in async calls — records the agent in its ActionTrace and publishes it on the channel message,
// from which the instrumentation sets `gen_ai.agent.*` on the span.

import { AsyncLocalStorage } from "node:async_hooks";
import { InvalidArgumentError } from "./errors.js";

/** The agent (and conversation) on whose behalf kernel operations run. All fields optional. */
export interface AgentContext {
  /** Human-readable agent name (`gen_ai.agent.name`, action record `agent_name`). */
  readonly name?: string;
  /** Unique agent id (`gen_ai.agent.id`, action record `agent_id`). */
  readonly id?: string;
  /** Conversation, session or thread id (`gen_ai.conversation.id`, action record `conversation_id`). */
  readonly conversationId?: string;
}

/** Upper bound on an id or name: these go into every record and span of the step. */
export const MAX_AGENT_FIELD_LENGTH = 256;

const storage = new AsyncLocalStorage<AgentContext>();

/** A frozen copy holding only the fields given, after checking each is a short non-empty string. */
export function validateAgentContext(agent: unknown, where: string): AgentContext {
  if (typeof agent !== "object" || agent === null || Array.isArray(agent))
    throw new InvalidArgumentError(`${where} needs an object { name?, id?, conversationId? }.`);
  const a = agent as Record<string, unknown>;
  const out: { name?: string; id?: string; conversationId?: string } = {};
  for (const key of ["name", "id", "conversationId"] as const) {
    const v = a[key];
    if (v === undefined) continue;
    out[key] = checkField(v, `${where}: agent ${key}`);
  }
  return Object.freeze(out);
}

/** A short, non-empty, printable string (ids end up in indexes, spans and terminal output). */
export function checkField(v: unknown, what: string): string {
  if (typeof v !== "string" || v === "")
    throw new InvalidArgumentError(`${what} must be a non-empty string.`);
  if (v.length > MAX_AGENT_FIELD_LENGTH)
    throw new InvalidArgumentError(`${what} is longer than ${MAX_AGENT_FIELD_LENGTH} characters.`);
  // biome-ignore lint/suspicious/noControlCharactersInRegex: refusing control characters is the point
  if (/[\u0000-\u001f\u007f]/.test(v))
    throw new InvalidArgumentError(`${what} contains a control character.`);
  return v;
}

/**
 * Runs `fn` with `agent` as the acting agent: every kernel operation started inside it, in any
 * async continuation, records the agent. Nested calls replace the outer agent for their extent
 * (fields not given are not inherited: a nested agent is a different agent).
 */
export function withAgent<T>(agent: AgentContext, fn: () => T): T {
  const checked = validateAgentContext(agent, "withAgent");
  if (typeof fn !== "function") throw new InvalidArgumentError("withAgent needs a function to run.");
  return storage.run(checked, fn);
}

/** The agent of the current async context, if any. */
export function currentAgent(): AgentContext | undefined {
  return storage.getStore();
}
