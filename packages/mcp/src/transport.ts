// governTransport: governance for MCP code Weft does not own. It wraps any MCP Transport (v1 or
// v2, client side): every outgoing `tools/call` is granted and invoked through the kernel, so it is
// decided, recorded and traced; a denial comes back to the caller as a JSON-RPC error response.
// Nothing is patched and every other message passes through untouched.

import { AsyncLocalStorage } from "node:async_hooks";
import { randomUUID } from "node:crypto";
import type { Kernel, Principal } from "@weft/kernel";
import { WeftError } from "@weft/kernel";
import type {
  McpCallOptions,
  McpCallParams,
  McpConnectionInfo,
  McpToolClient,
  McpToolPage,
} from "./client.js";
import { parseToolPage } from "./client.js";
import { McpServerBinding, type RegisterMcpServerOptions } from "./server.js";

/**
 * A callback slot checked bivariantly (method syntax), as the SDKs' own `Transport` types are used:
 * their handlers take the SDK's narrower message type.
 */
type Handler<A extends unknown[]> = { bivariant(...args: A): void }["bivariant"];

/** The structural MCP Transport (both SDK majors share it). */
export interface McpTransport {
  start(): Promise<void>;
  send(message: JsonRpcMessage, options?: unknown): Promise<void>;
  close(): Promise<void>;
  onclose?: (() => void) | undefined;
  onerror?: ((error: Error) => void) | undefined;
  onmessage?: Handler<[message: JsonRpcMessage, extra?: unknown]> | undefined;
  sessionId?: string | undefined;
  setProtocolVersion?: ((version: string) => void) | undefined;
}

/** A JSON-RPC 2.0 message as transports carry it. */
export type JsonRpcMessage = { jsonrpc: "2.0"; [key: string]: unknown };
type RequestId = string | number;

/** JSON-RPC error code of a call the kernel denied (implementation-defined server-error range). */
export const MCP_DENIED_ERROR_CODE = -32001;

export interface GovernTransportOptions extends Omit<RegisterMcpServerOptions, "connection"> {
  /** Who is calling: a principal, or a function of the tool name. */
  principal: Principal | ((toolName: string) => Principal);
  /** Justification passed to the grant (policy may require one). Default: the tool call's purpose. */
  justification?: string | ((toolName: string) => string);
  connection?: McpConnectionInfo;
}

interface Pending {
  resolve(message: JsonRpcMessage): void;
  reject(err: Error): void;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function isRequest(m: JsonRpcMessage): m is JsonRpcMessage & { id: RequestId; method: string } {
  return typeof m["method"] === "string" && (typeof m["id"] === "string" || typeof m["id"] === "number");
}

function isResponse(m: JsonRpcMessage): m is JsonRpcMessage & { id: RequestId } {
  return m["method"] === undefined && ("result" in m || "error" in m) && m["id"] !== undefined;
}

/** A transport that puts the kernel between its owner and the server. */
export class GovernedTransport implements McpTransport {
  onclose?: (() => void) | undefined;
  onerror?: ((error: Error) => void) | undefined;
  onmessage?: ((message: JsonRpcMessage, extra?: unknown) => void) | undefined;
  readonly inner: McpTransport;
  readonly #kernel: Kernel;
  readonly #options: GovernTransportOptions;
  /** The intercepted request a kernel invoke is executing, for the driver underneath it. */
  readonly #current = new AsyncLocalStorage<JsonRpcMessage & { id: RequestId }>();
  /** Responses the governor waits for itself (its own listings, forwarded calls). */
  readonly #waiting = new Map<RequestId, Pending>();
  /** Forwarded calls whose answer reached the caller (so a later kernel failure adds none). */
  readonly #answered = new Set<RequestId>();
  /** Forwarded calls given up at a deadline: a late answer is dropped, the caller had Weft's. */
  readonly #abandoned = new Set<RequestId>();
  #binding: Promise<McpServerBinding> | undefined;

  constructor(inner: McpTransport, kernel: Kernel, options: GovernTransportOptions) {
    this.inner = inner;
    this.#kernel = kernel;
    this.#options = options;
    inner.onmessage = (message, extra) => this.#receive(message, extra);
    inner.onclose = () => {
      this.#failAll(
        new WeftError("MCP_TRANSPORT_CLOSED", "The MCP transport closed before the server answered."),
      );
      this.onclose?.();
    };
    inner.onerror = (error) => this.onerror?.(error);
  }

  get sessionId(): string | undefined {
    return this.inner.sessionId;
  }

  setProtocolVersion(version: string): void {
    this.inner.setProtocolVersion?.(version);
  }

  start(): Promise<void> {
    return this.inner.start();
  }

  close(): Promise<void> {
    return this.inner.close();
  }

  send(message: JsonRpcMessage, options?: unknown): Promise<void> {
    if (isRequest(message) && message.method === "tools/call") return this.#governCall(message);
    return this.inner.send(message, options);
  }

  #receive(message: JsonRpcMessage, extra: unknown): void {
    if (isResponse(message)) {
      if (this.#abandoned.delete(message.id)) return;
      const waiter = this.#waiting.get(message.id);
      if (waiter !== undefined) {
        this.#waiting.delete(message.id);
        waiter.resolve(message);
        // The governor's own listings are not the caller's; forwarded calls are answered below.
        if (typeof message.id === "string" && message.id.startsWith("weft:")) return;
      }
    }
    this.onmessage?.(message, extra);
  }

  #failAll(err: Error): void {
    for (const [id, waiter] of this.#waiting) {
      this.#waiting.delete(id);
      waiter.reject(err);
    }
  }

  /** Sends a request and resolves with its response (for the governor's own or forwarded requests). */
  #request(message: JsonRpcMessage & { id: RequestId }, options: McpCallOptions): Promise<JsonRpcMessage> {
    return new Promise<JsonRpcMessage>((resolve, reject) => {
      const timeoutMs = options.timeout ?? 60_000;
      const done = () => {
        clearTimeout(timer);
        options.signal?.removeEventListener("abort", onAbort);
      };
      const onAbort = () => {
        this.#waiting.delete(message.id);
        this.#abandoned.add(message.id);
        done();
        reject(new WeftError("MCP_REQUEST_ABORTED", "The MCP request was aborted at the kernel's deadline."));
      };
      const timer = setTimeout(() => {
        this.#waiting.delete(message.id);
        this.#abandoned.add(message.id);
        done();
        reject(new WeftError("MCP_REQUEST_TIMEOUT", `The MCP server did not answer within ${timeoutMs} ms.`));
      }, timeoutMs);
      options.signal?.addEventListener("abort", onAbort, { once: true });
      this.#waiting.set(message.id, {
        resolve: (m) => {
          done();
          resolve(m);
        },
        reject: (e) => {
          done();
          reject(e);
        },
      });
      this.inner.send(message).catch((err: unknown) => {
        this.#waiting.delete(message.id);
        done();
        reject(err instanceof Error ? err : new Error(String(err)));
      });
    });
  }

  /** The McpToolClient the binding and driver use: listings of its own, calls forwarded as sent. */
  #toolClient(): McpToolClient {
    const unwrap = (response: JsonRpcMessage): unknown => {
      if (isRecord(response["error"])) {
        const e = response["error"];
        throw Object.assign(new Error(typeof e["message"] === "string" ? e["message"] : "JSON-RPC error"), {
          code: e["code"],
        });
      }
      return response["result"];
    };
    return {
      listTools: async (cursor?: string): Promise<McpToolPage> => {
        const id = `weft:${randomUUID()}`;
        const params = cursor === undefined ? {} : { cursor };
        return parseToolPage(
          unwrap(await this.#request({ jsonrpc: "2.0", id, method: "tools/list", params }, {})),
        );
      },
      callTool: async (params: McpCallParams, options: McpCallOptions): Promise<unknown> => {
        const original = this.#current.getStore();
        if (original === undefined)
          throw new WeftError("MCP_NO_REQUEST", "No intercepted tools/call to forward.");
        const originalParams = isRecord(original["params"]) ? original["params"] : {};
        const originalMeta = isRecord(originalParams["_meta"]) ? originalParams["_meta"] : {};
        // The caller's own `_meta` keys win over trace context, as in the SDKs.
        const meta = { ...params._meta, ...originalMeta };
        const forwarded = { ...original, params: { ...originalParams, _meta: meta } };
        const response = await this.#request(forwarded, options);
        // The caller gets the server's answer exactly as sent, whatever the kernel makes of it.
        this.#answered.add(original.id);
        this.onmessage?.(response);
        return unwrap(response);
      },
      sessionId: () => this.inner.sessionId,
      connection: () => this.#options.connection ?? {},
      requestId: () => this.#current.getStore()?.id,
    };
  }

  #bindingReady(): Promise<McpServerBinding> {
    this.#binding ??= (async () => {
      const binding = new McpServerBinding(this.#kernel, this.#toolClient(), this.#options);
      await binding.init();
      this.#kernel.registerDriver(binding.driver);
      this.#kernel.addGuard(binding);
      return binding;
    })();
    // A failed first listing is retried by the next call rather than cached forever.
    this.#binding.catch(() => {
      this.#binding = undefined;
    });
    return this.#binding;
  }

  #answerError(id: RequestId, message: string, data?: Record<string, unknown>): void {
    const response: JsonRpcMessage = {
      jsonrpc: "2.0",
      id,
      error: { code: MCP_DENIED_ERROR_CODE, message, ...(data !== undefined && { data }) },
    };
    // Asynchronously, like a real answer: the caller's send() resolves first.
    queueMicrotask(() => this.onmessage?.(response));
  }

  async #governCall(message: JsonRpcMessage & { id: RequestId }): Promise<void> {
    const params = isRecord(message["params"]) ? message["params"] : {};
    const toolName = typeof params["name"] === "string" ? params["name"] : "";
    const args = isRecord(params["arguments"]) ? params["arguments"] : {};
    let binding: McpServerBinding;
    try {
      binding = await this.#bindingReady();
    } catch (err) {
      this.#answerError(message.id, `Weft could not list the server's tools: ${(err as Error).message}`);
      return;
    }
    const capabilityId =
      this.#options.capabilityId?.(this.#options.server, toolName) ?? `${this.#options.server}.${toolName}`;
    if (!binding.handles(capabilityId) && !binding.skipped.some((s) => s.tool === toolName))
      await binding.refresh();
    const principal =
      typeof this.#options.principal === "function"
        ? this.#options.principal(toolName)
        : this.#options.principal;
    const justification =
      typeof this.#options.justification === "function"
        ? this.#options.justification(toolName)
        : (this.#options.justification ?? `MCP tools/call ${toolName}`);
    let grant: ReturnType<Kernel["grantCapability"]>;
    try {
      grant = this.#kernel.grantCapability({ capabilityId, goal: `MCP tools/call ${toolName}` }, principal, {
        justification,
      });
    } catch (err) {
      const reasonCode = (err as { reasonCode?: unknown }).reasonCode;
      this.#answerError(message.id, `Denied by Weft: ${(err as Error).message}`, {
        code: (err as { code?: unknown }).code ?? "ERROR",
        ...(typeof reasonCode === "string" && { reason_code: reasonCode }),
      });
      return;
    }
    // The invoke runs in the background: send() resolves once the request is on its way, and the
    // caller gets exactly one answer — the server's, or Weft's error when there is none.
    const invoke = this.#current.run(message, () => this.#kernel.invoke(grant.token, { principal, args }));
    invoke.then(
      () => this.#answered.delete(message.id),
      (err: unknown) => {
        if (this.#answered.delete(message.id)) return;
        const reasonCode = (err as { reasonCode?: unknown }).reasonCode;
        const denied = typeof reasonCode === "string";
        this.#answerError(message.id, `${denied ? "Denied" : "Failed"} by Weft: ${(err as Error).message}`, {
          code: (err as { code?: unknown }).code ?? "ERROR",
          ...(denied && { reason_code: reasonCode }),
        });
      },
    );
  }
}

/** Wraps `transport` so every `tools/call` sent through it is governed by `kernel`. */
export function governTransport(
  transport: McpTransport,
  kernel: Kernel,
  options: GovernTransportOptions,
): GovernedTransport {
  return new GovernedTransport(transport, kernel, options);
}
