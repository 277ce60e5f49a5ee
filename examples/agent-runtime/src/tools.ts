// The agent's tools as kernel capabilities. Each tool declares its safety class and data
// sensitivity; the kernel's policy decides per principal whether it may be used, and every use
// becomes an ActionTrace (actions chain) and spans (spans chain, collector, OCSF).

import { CapabilityRegistry, FunctionDriver, HttpDriver, type Kernel } from "@weft/kernel";

export const TOOL = {
  readCustomer: "crm.read_customer",
  listOrders: "crm.list_orders",
  updateEmail: "crm.update_customer_email",
  deleteCustomer: "crm.delete_customer",
  trackShipment: "shipping.track",
} as const;

interface Customer {
  id: number;
  name: string;
  email: string;
  tier: string;
}

interface Order {
  order_id: string;
  customer_id: number;
  total: number;
  status: string;
}

/** The runtime's own data: an in-memory CRM the function driver serves. */
export class Crm {
  readonly customers = new Map<number, Customer>([
    [42, { id: 42, name: "Ada Lovelace", email: "ada@example.com", tier: "gold" }],
    [7, { id: 7, name: "Alan Turing", email: "alan@example.com", tier: "silver" }],
    [99, { id: 99, name: "Ada Lovelace (duplicate)", email: "ada+old@example.com", tier: "none" }],
  ]);
  readonly orders: Order[] = Array.from({ length: 24 }, (_, i) => ({
    order_id: `A-${1001 + i}`,
    customer_id: i % 3 === 0 ? 7 : 42,
    total: 10 + ((i * 37) % 90),
    status: i % 4 === 0 ? "open" : "closed",
  }));
}

export function buildRegistry(): CapabilityRegistry {
  const registry = new CapabilityRegistry();
  registry.register({
    capabilityId: TOOL.readCustomer,
    name: "Read customer",
    description: "Look up a customer profile by id",
    safetyClass: "READ",
    sensitivity: "PII",
    allowedFields: ["id", "name", "tier"],
    tags: ["crm", "customer"],
  });
  registry.register({
    capabilityId: TOOL.listOrders,
    name: "List orders",
    description: "List a customer's orders",
    safetyClass: "READ",
    tags: ["crm", "orders"],
  });
  registry.register({
    capabilityId: TOOL.updateEmail,
    name: "Update customer email",
    description: "Change the email address on a customer profile",
    safetyClass: "WRITE",
    tags: ["crm", "customer"],
  });
  registry.register({
    capabilityId: TOOL.deleteCustomer,
    name: "Delete customer",
    description: "Permanently delete a customer record",
    safetyClass: "DESTRUCTIVE",
    tags: ["crm", "customer"],
  });
  registry.register({
    capabilityId: TOOL.trackShipment,
    name: "Track shipment",
    description: "Ask the shipping service where an order is",
    safetyClass: "READ",
    tags: ["shipping"],
  });
  return registry;
}

function numberArg(args: Record<string, unknown>, key: string): number {
  const value = args[key];
  return typeof value === "number" ? value : Number(value);
}

export function registerDrivers(kernel: Kernel, crm: Crm, shippingBaseUrl: string): void {
  kernel.registerDriver(
    new FunctionDriver("crm", {
      [TOOL.readCustomer]: async (args) => {
        const customer = crm.customers.get(numberArg(args, "customer_id"));
        return customer ? { ...customer } : {};
      },
      [TOOL.listOrders]: async (args) =>
        crm.orders.filter((o) => o.customer_id === numberArg(args, "customer_id")).map((o) => ({ ...o })),
      [TOOL.updateEmail]: async (args) => {
        const customer = crm.customers.get(numberArg(args, "customer_id"));
        if (customer && typeof args["email"] === "string") customer.email = args["email"];
        return { updated: customer ? 1 : 0 };
      },
      [TOOL.deleteCustomer]: async (args) => ({
        deleted: crm.customers.delete(numberArg(args, "customer_id")) ? 1 : 0,
      }),
    }),
  );
  kernel.registerDriver(
    new HttpDriver("shipping-api", {
      baseUrl: shippingBaseUrl,
      // POST: args travel in the body, never in the URL that HTTP client spans record.
      routes: { [TOOL.trackShipment]: { method: "POST", path: "/shipments/track" } },
      timeoutMs: 5000,
    }),
  );
}
