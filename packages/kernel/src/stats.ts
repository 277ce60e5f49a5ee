// KernelStats: the reference's operational counters plus denials by reason code.

export interface StatsSnapshot {
  readonly grants: number;
  readonly denials: number;
  /** Counts failed invocations too (as the reference does). */
  readonly invocations: number;
  readonly invocationFailures: number;
  readonly fallbackActivations: number;
  readonly redactionEvents: number;
  readonly budgetDowngrades: number;
  readonly handleStores: number;
  readonly expansions: number;
  readonly denialsByReason: Readonly<Record<string, number>>;
}

export class KernelStats {
  grants = 0;
  denials = 0;
  invocations = 0;
  invocationFailures = 0;
  fallbackActivations = 0;
  redactionEvents = 0;
  budgetDowngrades = 0;
  handleStores = 0;
  expansions = 0;
  #byReason = new Map<string, number>();

  onGrant(): void {
    this.grants++;
  }

  onDenial(reasonCode: string | null | undefined): void {
    const key = reasonCode || "unknown";
    this.denials++;
    this.#byReason.set(key, (this.#byReason.get(key) ?? 0) + 1);
  }

  onInvocation(f: { failed: boolean; fallback: boolean; redacted: boolean; downgraded: boolean }): void {
    this.invocations++;
    if (f.failed) this.invocationFailures++;
    if (f.fallback) this.fallbackActivations++;
    if (f.redacted) this.redactionEvents++;
    if (f.downgraded) this.budgetDowngrades++;
  }

  onHandleStore(): void {
    this.handleStores++;
  }

  onExpansion(): void {
    this.expansions++;
  }

  snapshot(): StatsSnapshot {
    return Object.freeze({
      grants: this.grants,
      denials: this.denials,
      invocations: this.invocations,
      invocationFailures: this.invocationFailures,
      fallbackActivations: this.fallbackActivations,
      redactionEvents: this.redactionEvents,
      budgetDowngrades: this.budgetDowngrades,
      handleStores: this.handleStores,
      expansions: this.expansions,
      denialsByReason: Object.freeze(Object.fromEntries(this.#byReason)),
    });
  }

  reset(): void {
    this.grants = 0;
    this.denials = 0;
    this.invocations = 0;
    this.invocationFailures = 0;
    this.fallbackActivations = 0;
    this.redactionEvents = 0;
    this.budgetDowngrades = 0;
    this.handleStores = 0;
    this.expansions = 0;
    this.#byReason = new Map();
  }
}
