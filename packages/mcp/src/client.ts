// The one shape of MCP client Weft drives, and adapters from both SDK majors onto it. Nothing here
// imports an SDK: v1 (`@modelcontextprotocol/sdk`) and v2 (`@modelcontextprotocol/client`) clients
// are matched structurally, so either can be installed (or both) and neither is patched.

import { InvalidArgumentError } from "@weft/kernel";

/** A tool as `tools/list` describes it (fields Weft pins and registers). */
export interface McpTool {
  name: string;
  title?: string;
  description?: string;
  inputSchema?: unknown;
  outputSchema?: unknown;
  annotations?: McpToolAnnotations;
  [key: string]: unknown;
}

/** MCP tool annotations: hints only, trusted only for servers marked trusted. */
export interface McpToolAnnotations {
  title?: string;
  readOnlyHint?: boolean;
  destructiveHint?: boolean;
  idempotentHint?: boolean;
  openWorldHint?: boolean;
  [key: string]: unknown;
}

/** `tools/call` parameters. `_meta` carries trace context (`traceparent`, `tracestate`). */
export interface McpCallParams {
  name: string;
  arguments?: Record<string, unknown>;
  _meta?: Record<string, unknown>;
}

/** Per-request options both SDK majors accept. */
export interface McpCallOptions {
  signal?: AbortSignal;
  /** Milliseconds. */
  timeout?: number;
}

/** A page of `tools/list`. */
export interface McpToolPage {
  tools: McpTool[];
  nextCursor?: string;
}

/** Where the client's transport talks to, for `network.transport` and `server.*` attributes. */
export interface McpConnectionInfo {
  /** `pipe` for stdio, `tcp` for HTTP transports. */
  networkTransport?: "pipe" | "tcp" | "quic" | "unix";
  serverAddress?: string;
  serverPort?: number;
}

/**
 * What Weft needs of an MCP client, whatever the SDK. `fromMcpV1` and `fromMcpV2` build one from
 * the SDKs' `Client`; anything else implementing it (a test double, another SDK) works as well.
 */
export interface McpToolClient {
  listTools(cursor?: string): Promise<McpToolPage>;
  callTool(params: McpCallParams, options: McpCallOptions): Promise<unknown>;
  /** Subscribes to `notifications/tools/list_changed`. Optional: without it, call `refresh()`. */
  onToolsChanged?(handler: () => void): void;
  sessionId?(): string | undefined;
  protocolVersion?(): string | undefined;
  connection?(): McpConnectionInfo;
  /** JSON-RPC id of the call about to be sent, when the client knows it up front (governTransport). */
  requestId?(): string | number | undefined;
}

/** The structural part of a v1 or v2 SDK `Client` the adapters use. */
interface SdkClientLike {
  listTools(params?: { cursor?: string }, options?: unknown): Promise<unknown>;
  callTool(...args: unknown[]): Promise<unknown>;
  fallbackNotificationHandler?: ((notification: { method: string }) => Promise<void>) | undefined;
  getNegotiatedProtocolVersion?(): string | undefined;
  readonly transport?: unknown;
}

const TOOLS_LIST_CHANGED = "notifications/tools/list_changed";

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function assertSdkClient(client: unknown, which: string): asserts client is SdkClientLike {
  if (
    !isRecord(client) ||
    typeof client["listTools"] !== "function" ||
    typeof client["callTool"] !== "function"
  )
    throw new InvalidArgumentError(`${which} expects an MCP SDK Client with listTools() and callTool().`);
}

/** Validates a `tools/list` answer at the boundary: the server is not trusted to be well-formed. */
export function parseToolPage(value: unknown): McpToolPage {
  if (!isRecord(value) || !Array.isArray(value["tools"]))
    throw new InvalidArgumentError("tools/list returned no tools array.");
  const tools: McpTool[] = [];
  for (const tool of value["tools"]) {
    if (!isRecord(tool) || typeof tool["name"] !== "string" || tool["name"] === "")
      throw new InvalidArgumentError("tools/list returned a tool without a name.");
    tools.push(tool as McpTool);
  }
  const next = value["nextCursor"];
  return typeof next === "string" && next !== "" ? { tools, nextCursor: next } : { tools };
}

function chainToolsChanged(client: SdkClientLike, handler: () => void): void {
  // Both majors call `fallbackNotificationHandler` for notifications with no handler of their own;
  // chaining onto it leaves any handler the application registered untouched.
  const previous = client.fallbackNotificationHandler;
  client.fallbackNotificationHandler = async (notification) => {
    if (notification?.method === TOOLS_LIST_CHANGED) handler();
    if (previous !== undefined) await previous(notification);
  };
}

function transportOf(client: SdkClientLike): Record<string, unknown> | undefined {
  const t = client.transport;
  return isRecord(t) ? t : undefined;
}

function connectionOf(client: SdkClientLike): McpConnectionInfo {
  const t = transportOf(client);
  if (t === undefined) return {};
  // Streamable HTTP / SSE transports hold the endpoint URL; stdio transports spawn a process.
  const url = t["_url"] ?? t["url"];
  if (url instanceof URL) {
    const port = url.port !== "" ? Number(url.port) : url.protocol === "https:" ? 443 : 80;
    return { networkTransport: "tcp", serverAddress: url.hostname, serverPort: port };
  }
  if ("_serverParams" in t || "stderr" in t || "pid" in t) return { networkTransport: "pipe" };
  return {};
}

function sessionIdOf(client: SdkClientLike): string | undefined {
  const id = transportOf(client)?.["sessionId"];
  return typeof id === "string" && id !== "" ? id : undefined;
}

function protocolVersionOf(client: SdkClientLike): string | undefined {
  const negotiated = client.getNegotiatedProtocolVersion?.();
  if (typeof negotiated === "string") return negotiated;
  const fromTransport = transportOf(client)?.["protocolVersion"];
  return typeof fromTransport === "string" ? fromTransport : undefined;
}

/** Adapts a v1 `@modelcontextprotocol/sdk` Client: `callTool(params, resultSchema, options)`. */
export function fromMcpV1(client: unknown): McpToolClient {
  assertSdkClient(client, "fromMcpV1");
  return {
    listTools: async (cursor) =>
      parseToolPage(await client.listTools(cursor === undefined ? {} : { cursor })),
    // v1's second parameter is the result schema: `undefined` keeps the SDK's default schema.
    callTool: (params, options) => client.callTool(params, undefined, options),
    onToolsChanged: (handler) => chainToolsChanged(client, handler),
    sessionId: () => sessionIdOf(client),
    protocolVersion: () => protocolVersionOf(client),
    connection: () => connectionOf(client),
  };
}

/** Adapts a v2 `@modelcontextprotocol/client` Client: `callTool(params, options)`. */
export function fromMcpV2(client: unknown): McpToolClient {
  assertSdkClient(client, "fromMcpV2");
  return {
    listTools: async (cursor) =>
      parseToolPage(await client.listTools(cursor === undefined ? {} : { cursor })),
    callTool: (params, options) => client.callTool(params, options),
    onToolsChanged: (handler) => chainToolsChanged(client, handler),
    sessionId: () => sessionIdOf(client),
    protocolVersion: () => protocolVersionOf(client),
    connection: () => connectionOf(client),
  };
}

function isToolClient(value: unknown): value is McpToolClient {
  // An SDK Client also has listTools/callTool; the adapters' output is recognised by the absence
  // of the SDK's request machinery.
  return (
    isRecord(value) &&
    typeof value["listTools"] === "function" &&
    typeof value["callTool"] === "function" &&
    typeof value["request"] !== "function"
  );
}

/**
 * Accepts a `McpToolClient` as is, or an SDK Client of either major. v2 is recognised by
 * `getNegotiatedProtocolVersion()`, which v1 does not have; pass the adapter explicitly when in doubt.
 */
export function toToolClient(client: unknown): McpToolClient {
  if (isToolClient(client)) return client;
  assertSdkClient(client, "registerMcpServer");
  return typeof client.getNegotiatedProtocolVersion === "function" ? fromMcpV2(client) : fromMcpV1(client);
}
