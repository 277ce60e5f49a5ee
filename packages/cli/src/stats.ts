// Counting action records: one accumulator behind `weft audit stats --json` and the overview of
// `weft audit serve`, so the page, its JSON twin and the CLI agree. It takes records one at a
// time, so a large store costs time, not memory, and a live view can add new records as they come.
import type { ActionTrace } from "@weft/kernel";
import { statusOf } from "./records.js";

export interface StatsWindow {
  since: string | null;
  until: string | null;
}

export interface Stats {
  total: number;
  first_invoked_at: string | null;
  last_invoked_at: string | null;
  window: StatsWindow;
  spans: number;
  by_event: Record<string, number>;
  by_outcome: Record<string, number>;
  by_reason: Record<string, number>;
  by_principal: Record<string, number>;
  by_capability: Record<string, number>;
}

export type Decision = "allow" | "deny" | "error";

/** Same rule as the store's `decision` filter. */
export function decisionKind(t: ActionTrace): Decision {
  if (t.eventType === "deny") return "deny";
  return t.error === null ? "allow" : "error";
}

/** Counts per second of invoked_at: [allow, deny, error]. Seconds since the epoch as keys. */
export type Timeline = Map<number, [number, number, number]>;

const DECISION_INDEX: Record<Decision, 0 | 1 | 2> = { allow: 0, deny: 1, error: 2 };

function sorted(m: Map<string, number>): Record<string, number> {
  return Object.fromEntries([...m].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)));
}

export class StatsAccumulator {
  total = 0;
  first: string | null = null;
  last: string | null = null;
  readonly event = new Map<string, number>();
  readonly outcome = new Map<string, number>();
  readonly reason = new Map<string, number>();
  readonly principal = new Map<string, number>();
  readonly capability = new Map<string, number>();
  readonly decision = new Map<string, number>();
  /** Records per `agent_name` (records without one are not counted here). */
  readonly agent = new Map<string, number>();
  /** Only kept when asked for (the overview's chart); `audit stats` does not pay for it. */
  readonly timeline: Timeline | undefined;

  constructor(options: { timeline?: boolean } = {}) {
    this.timeline = options.timeline ? new Map() : undefined;
  }

  add(t: ActionTrace): void {
    this.total++;
    if (t.agentName !== undefined) bump(this.agent, t.agentName);
    bump(this.event, t.eventType);
    bump(this.outcome, statusOf(t));
    if (t.reasonCode !== null) bump(this.reason, t.reasonCode);
    bump(this.principal, t.principalId);
    bump(this.capability, t.capabilityId);
    const d = decisionKind(t);
    bump(this.decision, d);
    // stamps share the UTC `+00:00` layout, so string order is time order (as the reference relies on)
    if (this.first === null || t.invokedAt < this.first) this.first = t.invokedAt;
    if (this.last === null || t.invokedAt > this.last) this.last = t.invokedAt;
    if (this.timeline) {
      const ms = Date.parse(t.invokedAt);
      if (!Number.isNaN(ms)) {
        const sec = Math.floor(ms / 1000);
        let slot = this.timeline.get(sec);
        if (slot === undefined) {
          slot = [0, 0, 0];
          this.timeline.set(sec, slot);
        }
        slot[DECISION_INDEX[d]]++;
      }
    }
  }

  result(window: StatsWindow, spans: number): Stats {
    return {
      total: this.total,
      first_invoked_at: this.first,
      last_invoked_at: this.last,
      window,
      spans,
      by_event: sorted(this.event),
      by_outcome: sorted(this.outcome),
      by_reason: sorted(this.reason),
      by_principal: sorted(this.principal),
      by_capability: sorted(this.capability),
    };
  }

  byAgent(): Record<string, number> {
    return sorted(this.agent);
  }

  byDecision(): Record<Decision, number> {
    return {
      allow: this.decision.get("allow") ?? 0,
      deny: this.decision.get("deny") ?? 0,
      error: this.decision.get("error") ?? 0,
    };
  }
}

function bump(m: Map<string, number>, k: string): void {
  m.set(k, (m.get(k) ?? 0) + 1);
}
