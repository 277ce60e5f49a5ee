// KernelInstrumentation: an InstrumentationBase that patches nothing. enable() subscribes to the
// kernel's TracingChannels, disable() unsubscribes, so the kernel pays nothing while disabled and
// import order does not matter (channels are looked up by name, not by module instance).

import { type TracingChannelSubscribers, tracingChannel } from "node:diagnostics_channel";
import {
  type Attributes,
  ProxyTracerProvider,
  type Span,
  type TracerProvider,
  trace,
} from "@opentelemetry/api";
import { InstrumentationBase, type InstrumentationModuleDefinition } from "@opentelemetry/instrumentation";
import type { AgentContext } from "@weft/kernel";
import {
  ATTR_GEN_AI_AGENT_ID,
  ATTR_GEN_AI_AGENT_NAME,
  ATTR_GEN_AI_CONVERSATION_ID,
  SCOPE_INSTRUMENTATION_KERNEL,
} from "@weft/semconv";
import { compatSetter } from "./compat.js";
import {
  type KernelInstrumentationConfig,
  type KernelMessage,
  type KernelOperation,
  validateConfig,
} from "./config.js";
import { digestKey } from "./digest.js";
import { KernelMetrics } from "./metrics.js";
import { OPERATION_SPECS } from "./spans.js";
import { createSubscriber, type SubscriberHost } from "./tracing.js";

/** Version reported with the instrumentation scope. */
const INSTRUMENTATION_VERSION = "0.1.0";

/** The API's no-op provider: what the global proxy delegates to until an SDK registers. */
const NOOP_TRACER_PROVIDER = new ProxyTracerProvider().getDelegate();

interface Derived {
  fallbackAgent: Attributes | undefined;
  compat: SubscriberHost["compat"];
}

interface Subscription {
  channel: string;
  subscribers: TracingChannelSubscribers<object>;
}

export class KernelInstrumentation extends InstrumentationBase<KernelInstrumentationConfig> {
  // `declare`d, not initialised: the base constructor already calls enable() and
  // _updateMetricInstruments(), and a field initialiser would run after it and wipe their state.
  declare private _subscriptions: Subscription[] | undefined;
  declare private _metrics: KernelMetrics | undefined;
  declare private _ownTracerProvider: boolean | undefined;
  /** Config-derived values the span path reads; rebuilt lazily after setConfig. */
  declare private _derived: Derived | undefined;

  constructor(config: KernelInstrumentationConfig = {}) {
    validateConfig(config);
    super(SCOPE_INSTRUMENTATION_KERNEL, INSTRUMENTATION_VERSION, config);
    if (config.tracerProvider !== undefined) this.setTracerProvider(config.tracerProvider);
    if (config.meterProvider !== undefined) this.setMeterProvider(config.meterProvider);
  }

  /** No module definitions: the kernel publishes events, nothing is patched. */
  protected override init(): InstrumentationModuleDefinition[] {
    return [];
  }

  override setConfig(config: KernelInstrumentationConfig = {}): void {
    validateConfig(config);
    super.setConfig(config);
    this._derived = undefined;
  }

  private _derivedConfig(): Derived {
    let d = this._derived;
    if (d === undefined) {
      d = { fallbackAgent: agentAttributes(this._config.agent), compat: compatSetter(this._config.compat) };
      this._derived = d;
    }
    return d;
  }

  override setTracerProvider(tracerProvider: TracerProvider): void {
    super.setTracerProvider(tracerProvider);
    this._ownTracerProvider = true;
  }

  override enable(): void {
    super.enable();
    if (this._subscriptions !== undefined) return;
    const host = this._subscriberHost();
    this._subscriptions = OPERATION_SPECS.map((spec) => {
      const subscribers = createSubscriber(spec, host);
      tracingChannel(spec.channel).subscribe(subscribers);
      return { channel: spec.channel, subscribers };
    });
  }

  override disable(): void {
    super.disable();
    const subscriptions = this._subscriptions;
    if (subscriptions === undefined) return;
    this._subscriptions = undefined;
    for (const { channel, subscribers } of subscriptions) tracingChannel(channel).unsubscribe(subscribers);
  }

  /** Called by the base class whenever the meter changes (constructor, setMeterProvider). */
  protected override _updateMetricInstruments(): void {
    this._metrics?.close();
    this._metrics = new KernelMetrics(this.meter, () => this._subscriptions !== undefined);
  }

  private _subscriberHost(): SubscriberHost {
    // Read through `this` on every call so setTracerProvider/setConfig after enable() apply.
    const self = this;
    return {
      get tracer() {
        return self.tracer;
      },
      get tracingEnabled() {
        if (self._ownTracerProvider === true) return true;
        // Global tracer: a ProxyTracer until an SDK registers, so ask the global proxy each time.
        const global = trace.getTracerProvider();
        return !(global instanceof ProxyTracerProvider) || global.getDelegate() !== NOOP_TRACER_PROVIDER;
      },
      get durationEnabled() {
        return self._metrics?.recordsDuration === true;
      },
      get requireParentSpan() {
        return self._config.requireParentSpan === true;
      },
      get argsDigestKey() {
        return self._config.captureArgs === "digest" ? digestKey(self._config.argsDigestKey) : undefined;
      },
      get fallbackAgent() {
        return self._derivedConfig().fallbackAgent;
      },
      get compat() {
        return self._derivedConfig().compat;
      },
      get enrichToolSpan() {
        return self._config.toolSpan === "enrich";
      },
      runSpanHook(span: Span, message: KernelMessage, operation: KernelOperation) {
        const hook = self._config.spanHook;
        if (hook === undefined) return;
        try {
          hook(span, message, operation);
        } catch (error) {
          self._diag.error("spanHook threw; the span is kept without its changes", { operation }, error);
        }
      },
      recordInvokeDuration(seconds: number, attributes: Attributes) {
        self._metrics?.recordInvokeDuration(seconds, attributes);
      },
    };
  }
}

/** The `agent` option as span attributes (undefined when unset or empty). */
function agentAttributes(agent: AgentContext | undefined): Attributes | undefined {
  if (agent === undefined) return undefined;
  const out: Attributes = {};
  if (agent.name !== undefined) out[ATTR_GEN_AI_AGENT_NAME] = agent.name;
  if (agent.id !== undefined) out[ATTR_GEN_AI_AGENT_ID] = agent.id;
  if (agent.conversationId !== undefined) out[ATTR_GEN_AI_CONVERSATION_ID] = agent.conversationId;
  return Object.keys(out).length === 0 ? undefined : out;
}
