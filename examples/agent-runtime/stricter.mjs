// A stricter candidate policy for `weft policy replay`: the default rules with one role rule
// tightened — a WRITE now needs the `support_lead` or `admin` role; `writer` alone is no longer
// enough. Replay it against the demo's captured decisions:
//
//   weft policy replay --store .weft-demo/weft.db --policy examples/agent-runtime/stricter.mjs
//
// The default export is a factory: `weft policy replay` calls it with the baseline engine's
// options (its rate limits) and the @weft/kernel exports, so this file needs no imports and
// the same engine can be handed to `new Kernel({ policy })` for a live run.

const WRITE_ROLES = ["support_lead", "admin"];

export default function stricter(options, weft) {
  const base = new weft.DefaultPolicyEngine(options);
  return {
    evaluate(request, capability, principal, evaluateOptions) {
      const roles = principal.roles ?? [];
      // Checked where the default engine checks roles: before the justification.
      if (capability.safetyClass === "WRITE" && !WRITE_ROLES.some((r) => roles.includes(r)))
        throw new weft.PolicyDeniedError(
          `WRITE capabilities require the 'support_lead' or 'admin' role. Principal '${principal.principalId}' has roles: ${JSON.stringify([...roles].sort())}.`,
          weft.DenialReason.MISSING_ROLE,
        );
      return base.evaluate(request, capability, principal, evaluateOptions);
    },
  };
}
