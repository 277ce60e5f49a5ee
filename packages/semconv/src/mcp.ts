// Names from the OpenTelemetry MCP conventions (semantic-conventions-genai `model/mcp`), used by
// @weft/mcp on the driver spans and metric of governed MCP tool calls.

/** JSON-RPC method of an MCP request (`tools/call`). Stability: development (OpenTelemetry MCP). @experimental */
export const ATTR_MCP_METHOD_NAME = "mcp.method.name";
/** `mcp.method.name` of a tool call. @experimental */
export const MCP_METHOD_NAME_VALUE_TOOLS_CALL = "tools/call";
/** MCP session id, when the transport has one. Stability: development (OpenTelemetry MCP). @experimental */
export const ATTR_MCP_SESSION_ID = "mcp.session.id";
/** Negotiated MCP protocol version. Stability: development (OpenTelemetry MCP). @experimental */
export const ATTR_MCP_PROTOCOL_VERSION = "mcp.protocol.version";
/** JSON-RPC request id (span only: unbounded cardinality). Stability: development (OpenTelemetry). @experimental */
export const ATTR_JSONRPC_REQUEST_ID = "jsonrpc.request.id";
