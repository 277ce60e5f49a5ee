// Public surface of @weft/mcp: MCP servers' tools as governed, traced kernel capabilities.
export {
  fromMcpV1,
  fromMcpV2,
  type McpCallOptions,
  type McpCallParams,
  type McpConnectionInfo,
  type McpTool,
  type McpToolAnnotations,
  type McpToolClient,
  type McpToolPage,
} from "./client.js";
export { toolDefinition, toolDefinitionHash } from "./definition.js";
export { MCP_DURATION_BUCKETS, McpDriver, type McpDriverOptions } from "./driver.js";
export {
  McpCallError,
  McpMalformedResultError,
  McpToolError,
  TOOL_DEFINITION_CHANGED,
  TOOL_NAME_COLLISION,
} from "./errors.js";
export { DEFAULT_MCP_SAFETY, type SafetyMapping } from "./safety.js";
export {
  DEFINITION_CONSTRAINT,
  type McpDefinitionEvent,
  type McpDefinitionEventKind,
  McpServerBinding,
  type RegisterMcpServerOptions,
  registerMcpServer,
} from "./server.js";
export {
  GovernedTransport,
  type GovernTransportOptions,
  governTransport,
  type JsonRpcMessage,
  MCP_DENIED_ERROR_CODE,
  type McpTransport,
} from "./transport.js";
