// Which agent an action record belongs to: `gen_ai.agent.name` on the action's own span, else on
// its nearest ancestor span (the `invoke_agent` span of the GenAI conventions), read from the
// spans chain. Action records themselves do not name the agent, so a store without mirrored spans
// has no agents. Lookups are cached per span, so a page or a whole-store count walks each parent
// chain once.
import type { ChainedStore } from "@weft/chained-store";

export const ATTR_AGENT_NAME = "gen_ai.agent.name";
/** Deeper parent chains than this are treated as having no agent (a cycle in hostile data stops here). */
const MAX_DEPTH = 64;
const MAX_CACHE = 200_000;

export class AgentResolver {
  readonly #store: ChainedStore;
  readonly #bySpan = new Map<string, string | null>();

  constructor(store: ChainedStore) {
    this.#store = store;
  }

  /** The agent of one action, or null when none of its spans (or their ancestors) names one. */
  agentOf(actionId: string): string | null {
    return this.resolve(actionId).agent;
  }

  /**
   * The agent, and whether the answer can still change: a parent span that is not (yet) in the
   * store may be written later (a parent span ends, and is mirrored, after its children), and so
   * may the action's own span. Only final answers are cached.
   */
  resolve(actionId: string): { agent: string | null; final: boolean } {
    const spans = this.#store.spans.query({ actionId, limit: 1 });
    const first = spans[0]?.payload;
    if (first === undefined) return { agent: null, final: false };
    return this.#agentOfSpan(first.trace_id, first.span_id, first.attributes, first.parent_span_id);
  }

  #agentOfSpan(
    traceId: string,
    spanId: string,
    attributes: Record<string, unknown>,
    parent: string | null,
  ): { agent: string | null; final: boolean } {
    const seen: string[] = [];
    let result: string | null = null;
    let final = true;
    let attrs: Record<string, unknown> | undefined = attributes;
    let id = spanId;
    let up = parent;
    for (let depth = 0; depth < MAX_DEPTH; depth++) {
      const key = `${traceId}/${id}`;
      const cached = this.#bySpan.get(key);
      if (cached !== undefined) {
        result = cached;
        break;
      }
      seen.push(key);
      const name = attrs?.[ATTR_AGENT_NAME];
      if (typeof name === "string" && name !== "") {
        result = name;
        break;
      }
      if (up === null) break;
      const p = this.#store.spans.query({ traceId, spanId: up, limit: 1 })[0]?.payload;
      if (p === undefined) {
        final = false; // the parent may not have ended yet
        break;
      }
      id = p.span_id;
      attrs = p.attributes;
      up = p.parent_span_id;
    }
    if (final || result !== null) {
      if (this.#bySpan.size > MAX_CACHE) this.#bySpan.clear();
      for (const k of seen) this.#bySpan.set(k, result);
    }
    return { agent: result, final: final || result !== null };
  }
}
