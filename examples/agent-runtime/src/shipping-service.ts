// A stand-in for a remote tool backend: a real node:http server on a free loopback port that
// answers shipment lookups. The agent reaches it through the kernel's HttpDriver, so the HTTP
// client span (undici instrumentation) nests under the kernel's execute_tool span.

import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";

const CARRIERS = ["DHL", "UPS", "DPD"];
const STATES = ["label_created", "in_transit", "out_for_delivery", "delivered"];

/** Shipment of an order id like `A-1005`, derived from its number; unknown ids get a 404. */
function shipmentOf(orderId: string): { carrier: string; status: string; eta: string } | undefined {
  const match = /^A-(\d{4})$/.exec(orderId);
  if (!match) return undefined;
  const n = Number(match[1]);
  return {
    carrier: CARRIERS[n % CARRIERS.length] ?? "DHL",
    status: STATES[n % STATES.length] ?? "in_transit",
    eta: `2026-12-${String(1 + (n % 28)).padStart(2, "0")}`,
  };
}

export interface ShippingService {
  baseUrl: string;
  requests: () => number;
  close: () => Promise<void>;
}

export async function startShippingService(): Promise<ShippingService> {
  let requests = 0;
  const server: Server = createServer((req, res) => {
    requests++;
    res.setHeader("content-type", "application/json");
    // The kernel's HttpDriver POSTs the tool's args as a JSON body, so they never appear in a
    // URL (HTTP client spans record the URL).
    let body = "";
    req.setEncoding("utf8");
    req.on("data", (chunk: string) => {
      body += chunk;
    });
    req.on("end", () => {
      let orderId = "";
      try {
        const args = JSON.parse(body || "{}") as { order_id?: unknown };
        orderId = typeof args.order_id === "string" ? args.order_id : "";
      } catch {
        res.statusCode = 400;
        res.end(JSON.stringify({ error: "body must be JSON" }));
        return;
      }
      const shipment =
        req.method === "POST" && req.url === "/shipments/track" ? shipmentOf(orderId) : undefined;
      if (!shipment) {
        res.statusCode = 404;
        res.end(JSON.stringify({ error: "unknown order" }));
        return;
      }
      res.end(JSON.stringify({ order_id: orderId, ...shipment }));
    });
  });
  // Keep-alive sockets would hold the process open after the demo finishes.
  server.keepAliveTimeout = 1;
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}`,
    requests: () => requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
