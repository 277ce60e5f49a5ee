// registerMcpServer: an MCP server's tools become kernel capabilities, one per (server, tool), with
// their definitions pinned. The binding owns the pins, listens for `tools/list_changed`, and is the
// kernel guard that denies grants and invokes of a tool whose definition changed until re-approved.

import { randomUUID } from "node:crypto";
import type {
  ActionTrace,
  Capability,
  GuardVerdict,
  Kernel,
  KernelGuard,
  SafetyClass,
  Sensitivity,
} from "@weft/kernel";
import { InvalidArgumentError, nowIso } from "@weft/kernel";
import { type McpConnectionInfo, type McpTool, type McpToolClient, toToolClient } from "./client.js";
import { toolDefinitionHash } from "./definition.js";
import { McpDriver, type McpDriverOptions } from "./driver.js";
import { TOOL_DEFINITION_CHANGED, TOOL_NAME_COLLISION } from "./errors.js";
import { type SafetyMapping, safetyClassOf } from "./safety.js";

/** Token constraint carrying the approved definition hash: the grant is bound to it. */
export const DEFINITION_CONSTRAINT = "mcp_tool_definition_sha256";

const SERVER_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$/;

export interface RegisterMcpServerOptions {
  /** The server's name in capability ids (`<server>.<tool>`), the driver id and audit records. */
  server: string;
  /** Whether the server's tool annotations may decide safety classes. Default false. */
  trusted?: boolean;
  /** Explicit safety classes per tool (they win over annotations). */
  safety?: SafetyMapping;
  /** Safety class of tools nothing else classifies. Default "DESTRUCTIVE" (MCP's own default). */
  defaultSafety?: SafetyClass;
  /** Sensitivity per tool name. Default "NONE". */
  sensitivity?: Readonly<Record<string, Sensitivity>>;
  /** Only these tool names are registered; default every tool the server lists. */
  tools?: readonly string[];
  /** Capability id of a tool. Default `<server>.<tool name>`. */
  capabilityId?: (server: string, toolName: string) => string;
  /**
   * Approved definition hashes by tool name (for example from a reviewed lock file). A tool whose
   * listed definition differs is registered but denied until `approve()`. Without an entry, the
   * definition seen at registration is approved (trust on first use).
   */
  pins?: Readonly<Record<string, string>>;
  /** Transport facts for span attributes when the client cannot tell (e.g. a custom transport). */
  connection?: McpConnectionInfo;
  /** Request timeout (ms) when the token sets no deadline. Default 60 000, the SDKs' default. */
  timeoutMs?: number;
  /** Told about every definition change, collision and removal (they are also audit records). */
  onDefinitionEvent?: (event: McpDefinitionEvent) => void;
  /** Driver options (meter provider). */
  driver?: Omit<McpDriverOptions, "server" | "timeoutMs" | "connection">;
}

export type McpDefinitionEventKind = "changed" | "removed" | "collision";

/** What the binding noticed about a server's tool list. Each one is also an `actions` record. */
export interface McpDefinitionEvent {
  kind: McpDefinitionEventKind;
  server: string;
  tool: string;
  capabilityId: string;
  /** Approved hash (or, for a collision, empty). */
  approvedSha256: string;
  /** Hash of the definition the server lists now ("" when removed). */
  currentSha256: string;
  /** Action id of the audit record. */
  actionId: string;
}

interface BoundTool {
  capabilityId: string;
  tool: McpTool;
  current: string;
  approved: string;
  removed: boolean;
}

/** The tools of one MCP server, registered with one kernel. */
export class McpServerBinding implements KernelGuard {
  readonly guardId: string;
  readonly server: string;
  readonly driver: McpDriver;
  readonly #kernel: Kernel;
  readonly #client: McpToolClient;
  readonly #options: RegisterMcpServerOptions;
  readonly #byCapability = new Map<string, BoundTool>();
  readonly #byTool = new Map<string, BoundTool>();
  readonly #skipped: { tool: string; capabilityId: string; reason: string }[] = [];
  #refreshing: Promise<McpDefinitionEvent[]> | undefined;
  #closed = false;

  /** Use `registerMcpServer()`. */
  constructor(kernel: Kernel, client: McpToolClient, options: RegisterMcpServerOptions) {
    this.#kernel = kernel;
    this.#client = client;
    this.#options = options;
    this.server = options.server;
    this.guardId = `mcp:${options.server}`;
    this.driver = new McpDriver(client, this, {
      ...options.driver,
      server: options.server,
      ...(options.timeoutMs !== undefined && { timeoutMs: options.timeoutMs }),
      ...(options.connection !== undefined && { connection: options.connection }),
    });
  }

  /** Capability ids this binding registered, in listing order. */
  get capabilityIds(): string[] {
    return [...this.#byCapability.keys()];
  }

  /** Tools the server listed that were not registered, and why. */
  get skipped(): readonly { tool: string; capabilityId: string; reason: string }[] {
    return this.#skipped;
  }

  /** The tool behind a capability id, as last listed. */
  toolFor(capabilityId: string): McpTool | undefined {
    return this.#byCapability.get(capabilityId)?.tool;
  }

  /** `{ approved, current }` definition hashes of a capability. */
  pin(capabilityId: string): { approved: string; current: string } | undefined {
    const b = this.#byCapability.get(capabilityId);
    return b === undefined ? undefined : { approved: b.approved, current: b.current };
  }

  handles(capabilityId: string): boolean {
    return this.#byCapability.has(capabilityId);
  }

  /** Approves a tool's current definition (by capability id or tool name): calls work again. */
  approve(idOrTool: string): void {
    const b = this.#byCapability.get(idOrTool) ?? this.#byTool.get(idOrTool);
    if (b === undefined)
      throw new InvalidArgumentError(`No MCP tool ${JSON.stringify(idOrTool)} on ${this.server}.`);
    if (b.removed)
      throw new InvalidArgumentError(
        `MCP tool ${JSON.stringify(b.tool.name)} was removed by ${this.server}.`,
      );
    b.approved = b.current;
  }

  /** Stops reacting to list changes. Registered capabilities stay (the registry has no removal). */
  close(): void {
    this.#closed = true;
  }

  // ------------------------------------------------------------------ guard

  checkGrant(input: { capabilityId: string }): GuardVerdict | undefined {
    const b = this.#byCapability.get(input.capabilityId);
    if (b === undefined) return undefined;
    const denial = this.#denial(b);
    if (denial !== undefined) return denial;
    return { allowed: true, constraints: { [DEFINITION_CONSTRAINT]: b.approved } };
  }

  checkInvoke(input: {
    capabilityId: string;
    constraints: Readonly<Record<string, unknown>>;
  }): GuardVerdict | undefined {
    const b = this.#byCapability.get(input.capabilityId);
    if (b === undefined) return undefined;
    const denial = this.#denial(b);
    if (denial !== undefined) return denial;
    // A token granted against an older approved definition does not carry over to a new one.
    if (input.constraints[DEFINITION_CONSTRAINT] !== b.approved)
      return {
        allowed: false,
        reasonCode: TOOL_DEFINITION_CHANGED,
        reason: `The token was granted for another definition of MCP tool ${JSON.stringify(b.tool.name)} on ${this.server}.`,
      };
    return { allowed: true };
  }

  #denial(b: BoundTool): GuardVerdict | undefined {
    if (b.removed)
      return {
        allowed: false,
        reasonCode: TOOL_DEFINITION_CHANGED,
        reason: `MCP tool ${JSON.stringify(b.tool.name)} is no longer listed by ${this.server}.`,
      };
    if (b.current !== b.approved)
      return {
        allowed: false,
        reasonCode: TOOL_DEFINITION_CHANGED,
        reason: `The definition of MCP tool ${JSON.stringify(b.tool.name)} on ${this.server} changed since it was approved (sha256 ${b.approved.slice(0, 12)}… → ${b.current.slice(0, 12)}…).`,
      };
    return undefined;
  }

  // ------------------------------------------------------------------ listing

  async #listAll(): Promise<McpTool[]> {
    const tools: McpTool[] = [];
    const seen = new Set<string>();
    let cursor: string | undefined;
    // A server that repeats cursors would page forever: stop at a repeat or a generous bound.
    for (let page = 0; page < 1000; page++) {
      const result = await this.#client.listTools(cursor);
      tools.push(...result.tools);
      if (result.nextCursor === undefined || seen.has(result.nextCursor)) break;
      seen.add(result.nextCursor);
      cursor = result.nextCursor;
    }
    return tools;
  }

  #wanted(tool: McpTool): boolean {
    return this.#options.tools === undefined || this.#options.tools.includes(tool.name);
  }

  #capabilityIdOf(toolName: string): string {
    return this.#options.capabilityId?.(this.server, toolName) ?? `${this.server}.${toolName}`;
  }

  #register(tool: McpTool, hash: string): void {
    const capabilityId = this.#capabilityIdOf(tool.name);
    if (this.#kernel.registry.has(capabilityId)) {
      this.#skipped.push({ tool: tool.name, capabilityId, reason: TOOL_NAME_COLLISION });
      this.#event("collision", tool.name, capabilityId, "", hash);
      return;
    }
    const capability: Capability = {
      capabilityId,
      name: typeof tool.title === "string" && tool.title !== "" ? tool.title : tool.name,
      description: typeof tool.description === "string" ? tool.description : "",
      safetyClass: safetyClassOf(tool, {
        trusted: this.#options.trusted === true,
        safety: this.#options.safety,
        defaultSafety: this.#options.defaultSafety,
      }),
      sensitivity: this.#options.sensitivity?.[tool.name] ?? "NONE",
      tags: ["mcp", `mcp.server:${this.server}`],
    };
    this.#kernel.registry.register(capability);
    const pinned = this.#options.pins?.[tool.name];
    const bound: BoundTool = { capabilityId, tool, current: hash, approved: pinned ?? hash, removed: false };
    this.#byCapability.set(capabilityId, bound);
    this.#byTool.set(tool.name, bound);
    if (bound.approved !== bound.current)
      this.#event("changed", tool.name, capabilityId, bound.approved, hash);
  }

  /** First listing: registers every wanted tool. */
  async init(): Promise<void> {
    for (const tool of await this.#listAll()) {
      if (!this.#wanted(tool) || this.#byTool.has(tool.name)) continue;
      this.#register(tool, toolDefinitionHash(tool));
    }
    this.#client.onToolsChanged?.(() => {
      if (!this.#closed) void this.refresh().catch(() => undefined);
    });
  }

  /**
   * Re-lists the server's tools: a changed or removed definition is denied until approved, and
   * recorded; new tools are registered. Concurrent calls share one listing.
   */
  refresh(): Promise<McpDefinitionEvent[]> {
    this.#refreshing ??= this.#refresh().finally(() => {
      this.#refreshing = undefined;
    });
    return this.#refreshing;
  }

  async #refresh(): Promise<McpDefinitionEvent[]> {
    const listed = await this.#listAll();
    const events: McpDefinitionEvent[] = [];
    const present = new Set<string>();
    for (const tool of listed) {
      if (!this.#wanted(tool)) continue;
      present.add(tool.name);
      const hash = toolDefinitionHash(tool);
      const bound = this.#byTool.get(tool.name);
      if (bound === undefined) {
        if (!this.#skipped.some((s) => s.tool === tool.name)) this.#register(tool, hash);
        continue;
      }
      bound.removed = false;
      if (hash !== bound.current) {
        bound.tool = tool;
        bound.current = hash;
        if (hash !== bound.approved)
          events.push(this.#event("changed", tool.name, bound.capabilityId, bound.approved, hash));
      }
    }
    for (const bound of this.#byTool.values())
      if (!present.has(bound.tool.name) && !bound.removed) {
        bound.removed = true;
        bound.current = "";
        events.push(this.#event("removed", bound.tool.name, bound.capabilityId, bound.approved, ""));
      }
    return events;
  }

  #event(
    kind: McpDefinitionEventKind,
    tool: string,
    capabilityId: string,
    approvedSha256: string,
    currentSha256: string,
  ): McpDefinitionEvent {
    const actionId = randomUUID();
    const reasonCode = kind === "collision" ? TOOL_NAME_COLLISION : TOOL_DEFINITION_CHANGED;
    const what =
      kind === "collision"
        ? `MCP server ${this.server} lists tool ${JSON.stringify(tool)}, but capability ${JSON.stringify(capabilityId)} is already registered; the tool is not registered.`
        : kind === "removed"
          ? `MCP server ${this.server} no longer lists tool ${JSON.stringify(tool)}; calls are denied.`
          : `MCP server ${this.server} changed the definition of tool ${JSON.stringify(tool)}; calls are denied until it is approved again.`;
    // The change itself is evidence: it goes into the same chain as the calls it affects. A deny
    // record, because from now on the kernel denies the tool; args hold hashes, never definitions.
    const record: ActionTrace = {
      actionId,
      capabilityId,
      principalId: "",
      tokenId: "",
      invokedAt: nowIso(),
      args: {
        mcp_server: this.server,
        mcp_tool: tool,
        approved_sha256: approvedSha256,
        current_sha256: currentSha256,
      },
      responseMode: "summary",
      driverId: this.driver.driverId,
      handleId: null,
      error: what,
      resultSummary: null,
      sensitivity: "NONE",
      eventType: "deny",
      reasonCode,
    };
    const event: McpDefinitionEvent = {
      kind,
      server: this.server,
      tool,
      capabilityId,
      approvedSha256,
      currentSha256,
      actionId,
    };
    try {
      this.#kernel.traceStore.record(record);
    } catch (err) {
      process.emitWarning(
        `MCP definition record could not be written (${(err as { code?: string }).code ?? "error"}).`,
        {
          code: "WEFT_MCP_RECORD_FAILED",
        },
      );
    }
    this.#options.onDefinitionEvent?.(event);
    return event;
  }
}

/**
 * Lists an MCP server's tools and registers one capability per tool with the kernel, a driver
 * that calls them through `client`, and a guard that enforces the pinned definitions.
 * `client` is a v1 or v2 SDK `Client` (connected) or a `McpToolClient`.
 */
export async function registerMcpServer(
  kernel: Kernel,
  client: unknown,
  options: RegisterMcpServerOptions,
): Promise<McpServerBinding> {
  if (typeof options?.server !== "string" || !SERVER_NAME.test(options.server))
    throw new InvalidArgumentError(
      "registerMcpServer needs options.server: 1-128 characters of letters, digits, '_', '.', '-'.",
    );
  const binding = new McpServerBinding(kernel, toToolClient(client), options);
  await binding.init();
  kernel.registerDriver(binding.driver);
  kernel.addGuard(binding);
  return binding;
}
