// The capability catalogue: registration (duplicates rejected), lookup and goal search.

import { CapabilityAlreadyRegisteredError, CapabilityNotFoundError, InvalidArgumentError } from "./errors.js";
import { type Capability, type CapabilityRequest, type ResolvedCapability, TOOL_TYPES } from "./models.js";
import { pyStrRepr } from "./pyjson.js";
import { SafetyClass, Sensitivity } from "./trace.js";

const STOP_WORDS = new Set(
  "a an and are as at be by for from get i in is it me my of on or please the to with".split(" "),
);

function tokenize(text: string): string[] {
  return (text.toLowerCase().match(/[a-z0-9]+/g) ?? []).filter((t) => !STOP_WORDS.has(t));
}

export class CapabilityRegistry {
  readonly #caps = new Map<string, ResolvedCapability>();

  register(capability: Capability): void {
    const id = capability.capabilityId;
    if (typeof id !== "string" || id === "")
      throw new InvalidArgumentError("Capability needs a non-empty capabilityId.");
    if (!Object.hasOwn(SafetyClass, capability.safetyClass))
      throw new InvalidArgumentError(
        `Capability ${pyStrRepr(id)} has unknown safetyClass ${String(capability.safetyClass)}.`,
      );
    const sensitivity = capability.sensitivity ?? "NONE";
    if (!Object.hasOwn(Sensitivity, sensitivity))
      throw new InvalidArgumentError(
        `Capability ${pyStrRepr(id)} has unknown sensitivity ${String(sensitivity)}.`,
      );
    const toolType = capability.toolType ?? "function";
    if (!(TOOL_TYPES as readonly string[]).includes(toolType))
      throw new InvalidArgumentError(
        `Capability ${pyStrRepr(id)} has unknown toolType ${String(toolType)} (function, extension or datastore).`,
      );
    if (this.#caps.has(id))
      throw new CapabilityAlreadyRegisteredError(`Capability ${pyStrRepr(id)} is already registered.`);
    this.#caps.set(
      id,
      Object.freeze({
        ...capability,
        sensitivity,
        toolType,
        allowedFields: [...(capability.allowedFields ?? [])],
        tags: [...(capability.tags ?? [])],
      }),
    );
  }

  registerMany(capabilities: Iterable<Capability>): void {
    for (const c of capabilities) this.register(c);
  }

  get(capabilityId: string): ResolvedCapability {
    const cap = this.#caps.get(capabilityId);
    if (cap === undefined)
      throw new CapabilityNotFoundError(`Capability ${pyStrRepr(capabilityId)} is not registered.`);
    return cap;
  }

  has(capabilityId: string): boolean {
    return this.#caps.has(capabilityId);
  }

  list(): ResolvedCapability[] {
    return [...this.#caps.values()];
  }

  /**
   * Capabilities matching a free-text goal, best first: id and tag matches weigh more than the
   * name, the name more than the description; ties in capability-id order. At most `maxResults`.
   */
  search(goal: string, maxResults = 10): CapabilityRequest[] {
    const terms = new Set(tokenize(goal));
    if (terms.size === 0 || maxResults <= 0) return [];
    const scored: Array<{ id: string; score: number }> = [];
    for (const cap of this.#caps.values()) {
      const fields: Array<[string[], number]> = [
        [tokenize(cap.capabilityId), 3],
        [cap.tags.flatMap(tokenize), 3],
        [tokenize(cap.name), 2],
        [tokenize(cap.description), 1],
      ];
      let score = 0;
      for (const [tokens, weight] of fields) {
        if (tokens.length === 0) continue;
        let hits = 0;
        for (const t of tokens) if (terms.has(t)) hits++;
        // Saturating term frequency, normalised by field length (a BM25-like shape).
        score += (weight * (hits * 2.2)) / (hits + 1.2 * (0.25 + (0.75 * tokens.length) / 8));
      }
      if (score > 0) scored.push({ id: cap.capabilityId, score });
    }
    scored.sort((a, b) => b.score - a.score || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    return scored.slice(0, maxResults).map(({ id }) => ({ capabilityId: id, goal, constraints: {} }));
  }
}
