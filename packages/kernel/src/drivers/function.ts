// FunctionDriver: capabilities implemented by in-process functions (the reference's memory
// driver generalised). A handler's return value is the raw result; a throw is a driver failure.

import { repr } from "@weft/wire";
import { DriverError } from "../errors.js";
import type { RawResult } from "../models.js";
import type { Driver, ExecutionContext } from "./driver.js";

export type CapabilityHandler = (args: Record<string, unknown>, ctx: ExecutionContext) => unknown;

export class FunctionDriver implements Driver {
  readonly driverId: string;
  readonly #handlers = new Map<string, CapabilityHandler>();

  constructor(driverId: string, handlers: Readonly<Record<string, CapabilityHandler>> = {}) {
    this.driverId = driverId;
    for (const [id, fn] of Object.entries(handlers)) this.register(id, fn);
  }

  register(capabilityId: string, handler: CapabilityHandler): this {
    this.#handlers.set(capabilityId, handler);
    return this;
  }

  handles(capabilityId: string): boolean {
    return this.#handlers.has(capabilityId);
  }

  async execute(ctx: ExecutionContext): Promise<RawResult> {
    const fn = this.#handlers.get(ctx.capabilityId);
    if (fn === undefined)
      throw new DriverError(
        `FunctionDriver ${repr.str(this.driverId)} has no handler for ${repr.str(ctx.capabilityId)}.`,
      );
    return {
      capabilityId: ctx.capabilityId,
      data: await fn(ctx.args, ctx),
      metadata: { driver: this.driverId },
    };
  }
}
