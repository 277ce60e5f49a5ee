// The process-wide set of live kernels, which instrumentation uses to discover kernels it did not
// construct. Weakly held, and kept on globalThis so duplicate copies of this module share one set.

import type { Kernel } from "./kernel.js";

const LIVE_KEY = Symbol.for("weft.kernel.live");

interface LiveSet {
  refs: Set<WeakRef<Kernel>>;
  registry: FinalizationRegistry<WeakRef<Kernel>>;
}

interface LiveSlot {
  [LIVE_KEY]?: LiveSet;
}

function liveSet(): LiveSet {
  const slot = globalThis as LiveSlot;
  let live = slot[LIVE_KEY];
  if (live === undefined) {
    const refs = new Set<WeakRef<Kernel>>();
    live = { refs, registry: new FinalizationRegistry((ref) => refs.delete(ref)) };
    slot[LIVE_KEY] = live;
  }
  return live;
}

/** Adds a newly constructed kernel to the live set (dropped again once it is collected). */
export function registerLiveKernel(kernel: Kernel): void {
  const live = liveSet();
  const ref = new WeakRef<Kernel>(kernel);
  live.refs.add(ref);
  live.registry.register(kernel, ref);
}

/** Every constructed kernel not yet garbage-collected (instrumentation discovers kernels here). */
export function liveKernels(): Kernel[] {
  const out: Kernel[] = [];
  for (const ref of liveSet().refs) {
    const k = ref.deref();
    if (k !== undefined) out.push(k);
  }
  return out;
}
