// Routing: which drivers may serve a capability, in the order they are tried (fallback).

import type { Driver } from "./drivers/driver.js";
import type { RoutePlan } from "./models.js";

export interface Router {
  /** `drivers` are the kernel's registered drivers in registration order. */
  route(capabilityId: string, drivers: ReadonlyMap<string, Driver>): RoutePlan;
}

/**
 * Explicit routes (capability id → ordered driver ids), then `fallback` if given; otherwise every
 * registered driver that handles the capability, in registration order.
 */
export class StaticRouter implements Router {
  readonly #routes = new Map<string, string[]>();
  readonly #fallback: string[] | undefined;

  constructor(routes: Readonly<Record<string, readonly string[]>> = {}, fallback?: readonly string[]) {
    for (const [id, ids] of Object.entries(routes)) this.#routes.set(id, [...ids]);
    this.#fallback = fallback === undefined ? undefined : [...fallback];
  }

  addRoute(capabilityId: string, driverIds: readonly string[]): void {
    this.#routes.set(capabilityId, [...driverIds]);
  }

  route(capabilityId: string, drivers: ReadonlyMap<string, Driver>): RoutePlan {
    const explicit = this.#routes.get(capabilityId) ?? this.#fallback;
    if (explicit !== undefined) return { capabilityId, driverIds: [...explicit] };
    const driverIds: string[] = [];
    for (const [id, d] of drivers) if (d.handles === undefined || d.handles(capabilityId)) driverIds.push(id);
    return { capabilityId, driverIds };
  }
}
