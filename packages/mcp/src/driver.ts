// McpDriver: executes a granted capability as `tools/call` on the server's client. It injects the
// active trace context into `params._meta` (so a server that extracts it continues the trace),
// hands MCP attributes to the kernel's `execute_tool` span instead of making a second span, and
// records `mcp.client.operation.duration`.

import {
  context,
  type Histogram,
  type MeterProvider,
  metrics,
  propagation,
  type TextMapPropagator,
} from "@opentelemetry/api";
import type { Driver, ExecutionContext, RawResult } from "@weft/kernel";
import {
  ATTR_ERROR_TYPE,
  ATTR_GEN_AI_OPERATION_NAME,
  ATTR_GEN_AI_TOOL_NAME,
  ATTR_JSONRPC_REQUEST_ID,
  ATTR_MCP_METHOD_NAME,
  ATTR_MCP_PROTOCOL_VERSION,
  ATTR_MCP_SESSION_ID,
  ATTR_NETWORK_TRANSPORT,
  ATTR_SERVER_ADDRESS,
  ATTR_SERVER_PORT,
  GEN_AI_OPERATION_NAME_VALUE_EXECUTE_TOOL,
  MCP_METHOD_NAME_VALUE_TOOLS_CALL,
  METRIC_MCP_CLIENT_OPERATION_DURATION,
  metricDefinition,
} from "@weft/semconv";
import type { McpConnectionInfo, McpToolClient } from "./client.js";
import { McpCallError, McpMalformedResultError, McpToolError } from "./errors.js";
import { VERSION } from "./version.js";

const DURATION = metricDefinition(METRIC_MCP_CLIENT_OPERATION_DURATION);

/** Semconv bucket boundaries for `mcp.client.operation.duration` (seconds). */
export const MCP_DURATION_BUCKETS = [0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10, 30, 60, 120, 300];

const DEFAULT_TIMEOUT_MS = 60_000;
/** Bound on the text of an `isError` result copied into the error (and so the audit record). */
const MAX_ERROR_TEXT = 512;

export interface McpDriverOptions {
  server: string;
  /** Request timeout when the token sets no deadline (ms). */
  timeoutMs?: number;
  connection?: McpConnectionInfo;
  /** Meter provider for `mcp.client.operation.duration`; default the global one. */
  meterProvider?: MeterProvider;
  /** Propagator writing `_meta`; default the global propagator (W3C trace context with the SDK). */
  propagator?: TextMapPropagator;
}

/** Which capabilities are the server's and which tool each one calls. */
export interface McpToolLookup {
  handles(capabilityId: string): boolean;
  toolFor(capabilityId: string): { name: string } | undefined;
}

type Attributes = Record<string, string | number | boolean>;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function errorTypeOf(err: unknown, signal: AbortSignal | undefined): string {
  if (err instanceof McpCallError) return err.errorType;
  if (signal?.aborted === true) return "timeout";
  // JSON-RPC errors carry a numeric code: the convention reports it as a string.
  const code = isRecord(err) ? err["code"] : undefined;
  if (typeof code === "number") return String(code);
  if (typeof code === "string" && code !== "") return code;
  return "_OTHER";
}

/** Text of the first text content items, bounded; never the structured payload. */
function resultText(content: unknown[]): string {
  const parts: string[] = [];
  for (const item of content)
    if (isRecord(item) && item["type"] === "text" && typeof item["text"] === "string")
      parts.push(item["text"]);
  const text = parts.join(" ").trim();
  return text.length > MAX_ERROR_TEXT ? `${text.slice(0, MAX_ERROR_TEXT)}…` : text;
}

/** The data the firewall sees: structured content when the server gives it, else the content list. */
function resultData(result: Record<string, unknown>): unknown {
  if (result["structuredContent"] !== undefined) return result["structuredContent"];
  const content = result["content"] as unknown[];
  // A single text item is the common shape: hand the firewall the text itself.
  if (content.length === 1 && isRecord(content[0]) && content[0]["type"] === "text")
    return content[0]["text"];
  return content;
}

export class McpDriver implements Driver {
  readonly driverId: string;
  readonly #client: McpToolClient;
  readonly #tools: McpToolLookup;
  readonly #options: McpDriverOptions;
  #histogram: Histogram | undefined;

  constructor(client: McpToolClient, tools: McpToolLookup, options: McpDriverOptions) {
    this.driverId = `mcp:${options.server}`;
    this.#client = client;
    this.#tools = tools;
    this.#options = options;
  }

  handles(capabilityId: string): boolean {
    return this.#tools.handles(capabilityId);
  }

  #duration(): Histogram {
    // Created on first use: the API hands out no-op meters before a provider is registered.
    this.#histogram ??= (this.#options.meterProvider ?? metrics.getMeterProvider())
      .getMeter("@weft/mcp", VERSION)
      .createHistogram(METRIC_MCP_CLIENT_OPERATION_DURATION, {
        unit: DURATION.unit,
        description: DURATION.description,
        advice: { explicitBucketBoundaries: MCP_DURATION_BUCKETS },
      });
    return this.#histogram;
  }

  #attributes(toolName: string): Attributes {
    const attrs: Attributes = {
      [ATTR_MCP_METHOD_NAME]: MCP_METHOD_NAME_VALUE_TOOLS_CALL,
      [ATTR_GEN_AI_TOOL_NAME]: toolName,
      [ATTR_GEN_AI_OPERATION_NAME]: GEN_AI_OPERATION_NAME_VALUE_EXECUTE_TOOL,
    };
    const session = this.#client.sessionId?.();
    if (session !== undefined) attrs[ATTR_MCP_SESSION_ID] = session;
    const version = this.#client.protocolVersion?.();
    if (version !== undefined) attrs[ATTR_MCP_PROTOCOL_VERSION] = version;
    const requestId = this.#client.requestId?.();
    if (requestId !== undefined) attrs[ATTR_JSONRPC_REQUEST_ID] = String(requestId);
    const conn = this.#options.connection ?? this.#client.connection?.() ?? {};
    if (conn.networkTransport !== undefined) attrs[ATTR_NETWORK_TRANSPORT] = conn.networkTransport;
    if (conn.serverAddress !== undefined) attrs[ATTR_SERVER_ADDRESS] = conn.serverAddress;
    if (conn.serverPort !== undefined) attrs[ATTR_SERVER_PORT] = conn.serverPort;
    return attrs;
  }

  async execute(ctx: ExecutionContext): Promise<RawResult> {
    const tool = this.#tools.toolFor(ctx.capabilityId);
    if (tool === undefined)
      throw new McpCallError(`No MCP tool behind capability ${JSON.stringify(ctx.capabilityId)}.`, "_OTHER");
    const attrs = this.#attributes(tool.name);
    ctx.annotate?.(attrs);
    const meta: Record<string, unknown> = {};
    // The active context is the kernel's execute_tool span (the instrumentation runs drivers in it).
    (this.#options.propagator ?? propagation).inject(context.active(), meta, {
      set: (carrier, key, value) => {
        (carrier as Record<string, unknown>)[key] = value;
      },
    });
    const started = performance.now();
    let errorType: string | undefined;
    try {
      const result = await this.#client.callTool(
        { name: tool.name, arguments: ctx.args, ...(Object.keys(meta).length > 0 && { _meta: meta }) },
        {
          ...(ctx.signal !== undefined && { signal: ctx.signal }),
          timeout: ctx.timeoutMs ?? this.#options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
        },
      );
      if (!isRecord(result) || !Array.isArray(result["content"]))
        throw new McpMalformedResultError(
          `MCP server ${this.#options.server} returned a malformed result for tool ${JSON.stringify(tool.name)}.`,
        );
      if (result["isError"] === true)
        throw new McpToolError(
          `MCP tool ${JSON.stringify(tool.name)} on ${this.#options.server} reported an error: ${resultText(result["content"]) || "(no text)"}`,
        );
      return {
        capabilityId: ctx.capabilityId,
        data: resultData(result),
        metadata: { driver: this.driverId, mcp_server: this.#options.server },
      };
    } catch (err) {
      errorType = errorTypeOf(err, ctx.signal);
      ctx.annotate?.({ [ATTR_ERROR_TYPE]: errorType });
      if (err instanceof McpCallError) throw err;
      const message = err instanceof Error ? err.message : String(err);
      throw new McpCallError(
        `MCP tools/call ${JSON.stringify(tool.name)} on ${this.#options.server} failed: ${message}`,
        errorType,
        { cause: err },
      );
    } finally {
      const seconds = (performance.now() - started) / 1000;
      // Per-request ids stay on the span: on a metric they would make a series per call.
      const { [ATTR_MCP_SESSION_ID]: _session, [ATTR_JSONRPC_REQUEST_ID]: _request, ...metricAttrs } = attrs;
      if (errorType !== undefined) metricAttrs[ATTR_ERROR_TYPE] = errorType;
      this.#duration().record(seconds, metricAttrs);
    }
  }
}
