// startWeft(): the whole Weft pipeline in one call. Opens the audit store, points every new Kernel
// at its actions chain, starts the OpenTelemetry NodeSDK with the kernel instrumentation, the
// chained span mirror (spans chain), OTLP and OCSF export when configured, and flushes and closes
// it all on exit, SIGTERM and SIGINT. A bad setting never throws into the application: it is one
// reported line, a fallback (the store in memory, an exporter off) and a count in a metric.

import { metrics } from "@opentelemetry/api";
import { NodeSDK } from "@opentelemetry/sdk-node";
import type { SpanProcessor } from "@opentelemetry/sdk-trace";
import { BatchSpanProcessor } from "@opentelemetry/sdk-trace";
import { type ChainedStore, openStore } from "@weft/chained-store";
import { HttpSink, JsonlFileSink, type OcsfSink, OcsfSpanExporter } from "@weft/exporter-ocsf";
import { KernelInstrumentation } from "@weft/instrumentation-kernel";
import { getDefaultTraceStore, setDefaultTraceStore, type TraceStore } from "@weft/kernel";
import { metricDefinition } from "@weft/semconv";
import { ChainedSpanProcessor } from "@weft/span-processor-chained";
import { type ResolvedConfig, resolveConfig, type WeftNodeOptions } from "./config.js";
import { installExitHooks } from "./exit.js";
import { metricReaders, traceProcessors } from "./exporters.js";
import { GuardedTraceStore } from "./guarded-trace-store.js";
import {
  ATTR_ERROR_CODE,
  ATTR_FALLBACK,
  ATTR_SETTING,
  METER_NAME,
  METRIC_ACTION_WRITE_ERRORS,
  METRIC_CONFIG_ERRORS,
} from "./names.js";
import { createReporter, describe, type Problem, type Reporter } from "./report.js";

/** Unit and description from the metric's definition in @weft/semconv. */
function instrumentOptions(name: string): { unit: string; description: string } {
  const { unit, description } = metricDefinition(name);
  return { unit, description };
}

/** What `startWeft()` returns. */
export interface WeftHandle {
  /** The audit store (the configured file, or an in-memory store when that could not be opened). */
  readonly store: ChainedStore;
  /** Where records go: `"file"` (the configured store), or `"memory"` (not persisted). */
  readonly storeMode: "file" | "memory";
  /** The started SDK, or undefined when it could not start (spans are then not recorded). */
  readonly sdk: NodeSDK | undefined;
  /** Every setting that was rejected at start-up, in order (each was also reported as one line). */
  readonly problems: readonly Problem[];
  /** Flushes every pipeline and closes the store. Never rejects; safe to call more than once. */
  shutdown(): Promise<void>;
}

const STARTED = Symbol.for("weft.node.started");
interface StartedSlot {
  [STARTED]?: WeftHandle;
}

function openAuditStore(
  config: ResolvedConfig,
  reporter: Reporter,
): { store: ChainedStore; mode: "file" | "memory" } {
  const secret = config.secret === undefined ? {} : { secret: config.secret };
  if (config.store === ":memory:")
    return { store: openStore({ format: "memory", ...secret }), mode: "memory" };
  try {
    return {
      store: openStore({ path: config.store, synchronous: config.storeSync, ...secret }),
      mode: "file",
    };
  } catch (err) {
    const { code, text } = describe(err);
    reporter.report({
      setting: "store",
      fallback: "memory",
      ...(code !== undefined && { code }),
      message:
        `audit store ${JSON.stringify(config.store)} not opened${code ? ` (${code})` : ""}: ${text} ` +
        "Recording to an in-memory store instead: nothing is persisted and it is lost at exit.",
    });
    return { store: openStore({ format: "memory", ...secret }), mode: "memory" };
  }
}

function ocsfProcessor(config: ResolvedConfig, reporter: Reporter): SpanProcessor | undefined {
  if (config.ocsf === undefined) return undefined;
  try {
    const sink: OcsfSink =
      config.ocsf.kind === "http"
        ? new HttpSink({ url: config.ocsf.url })
        : new JsonlFileSink({ path: config.ocsf.path });
    return new BatchSpanProcessor({ exporter: new OcsfSpanExporter({ sink }) });
  } catch (err) {
    const { code, text } = describe(err);
    reporter.report({
      setting: "ocsf",
      fallback: "disabled",
      ...(code !== undefined && { code }),
      message: `OCSF export is off (WEFT_OCSF${code ? `, ${code}` : ""}): ${text}`,
    });
    return undefined;
  }
}

function kernelInstrumentation(config: ResolvedConfig, reporter: Reporter): KernelInstrumentation {
  const capture = {
    captureArgs: config.captureArgs,
    requireParentSpan: config.requireParentSpan,
    ...(config.argsDigestKey !== undefined && { argsDigestKey: config.argsDigestKey }),
  };
  try {
    return new KernelInstrumentation(capture);
  } catch (err) {
    const { code, text } = describe(err);
    reporter.report({
      setting: "capture",
      fallback: "default",
      ...(code !== undefined && { code }),
      message: `capture settings rejected (${code ?? "error"}): ${text} Using the defaults (no arguments on spans).`,
    });
    return new KernelInstrumentation({ requireParentSpan: config.requireParentSpan });
  }
}

function withTimeout(promise: Promise<unknown>, ms: number): Promise<"done" | "timeout"> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve("timeout"), ms);
    timer.unref();
    promise.then(
      () => {
        clearTimeout(timer);
        resolve("done");
      },
      () => {
        clearTimeout(timer);
        resolve("done");
      },
    );
  });
}

/**
 * Starts Weft for this process: options override the environment (docs/configuration.md). A second
 * call returns the handle of the first (with one reported line), so `--import @weft/node/register`
 * and a `startWeft()` in code do not start two SDKs.
 */
export function startWeft(options: WeftNodeOptions = {}): WeftHandle {
  const write = options.onProblem ?? ((line: string) => process.stderr.write(`${line}\n`));
  const slot = globalThis as StartedSlot;
  const running = slot[STARTED];
  if (running !== undefined) {
    createReporter(write).report({
      setting: "start",
      fallback: "none",
      message:
        "Weft is already started in this process (for example by --import @weft/node/register); using that.",
    });
    return running;
  }

  const reporter = createReporter(write);
  const config = resolveConfig(options, process.env, reporter);
  const { store, mode } = openAuditStore(config, reporter);

  let actionWriteErrors = 0;
  let guarded: GuardedTraceStore | undefined;
  let previousDefault: TraceStore | undefined;
  if (config.attachKernels) {
    guarded = new GuardedTraceStore(store.actions, (code, text, first) => {
      actionWriteErrors++;
      if (first)
        reporter.report({
          setting: "store",
          fallback: "memory",
          ...(code !== undefined && { code }),
          message: `an action trace could not be written to the audit store (${code ?? "error"}): ${text} Keeping it, and later ones that fail the same way, in memory.`,
        });
    });
    previousDefault = setDefaultTraceStore(guarded);
  }

  const mirror = new ChainedSpanProcessor({ store });
  const spanProcessors: SpanProcessor[] = [...traceProcessors(config), mirror];
  const ocsf = ocsfProcessor(config, reporter);
  if (ocsf !== undefined) spanProcessors.push(ocsf);
  spanProcessors.push(...(options.spanProcessors ?? []));

  let sdk: NodeSDK | undefined;
  try {
    sdk = new NodeSDK({
      ...(config.serviceName !== undefined && { serviceName: config.serviceName }),
      instrumentations: [kernelInstrumentation(config, reporter), ...(options.instrumentations ?? [])],
      spanProcessors,
      metricReaders: metricReaders(config),
      // Weft emits no OTel logs; an empty list stops the SDK from exporting logs by default.
      logRecordProcessors: [],
    });
    sdk.start();
  } catch (err) {
    const { code, text } = describe(err);
    reporter.report({
      setting: "sdk",
      fallback: "disabled",
      ...(code !== undefined && { code }),
      message: `the OpenTelemetry SDK did not start: ${text} Action traces still go to the audit store; spans are not recorded.`,
    });
    sdk = undefined;
  }

  // Counted only now: the meter exists once the SDK has set the global MeterProvider.
  const meter = metrics.getMeter(METER_NAME);
  meter
    .createObservableCounter(METRIC_CONFIG_ERRORS, instrumentOptions(METRIC_CONFIG_ERRORS))
    .addCallback((result) => {
      const counts = new Map<string, { n: number; attrs: Record<string, string> }>();
      for (const p of reporter.problems) {
        const attrs: Record<string, string> = { [ATTR_SETTING]: p.setting, [ATTR_FALLBACK]: p.fallback };
        if (p.code !== undefined) attrs[ATTR_ERROR_CODE] = p.code;
        const key = JSON.stringify(attrs);
        const entry = counts.get(key) ?? { n: 0, attrs };
        entry.n++;
        counts.set(key, entry);
      }
      for (const { n, attrs } of counts.values()) result.observe(n, attrs);
    });
  meter
    .createObservableCounter(METRIC_ACTION_WRITE_ERRORS, instrumentOptions(METRIC_ACTION_WRITE_ERRORS))
    .addCallback((result) => result.observe(actionWriteErrors));

  let shutdownPromise: Promise<void> | undefined;
  let removeHooks = (): void => {};
  const closeStore = (): void => {
    if (guarded !== undefined && getDefaultTraceStore() === guarded) setDefaultTraceStore(previousDefault);
    try {
      store.close();
    } catch {
      // Closing twice or after a failed open is harmless; nothing left to flush here.
    }
  };
  const handle: WeftHandle = {
    store,
    storeMode: mode,
    sdk,
    problems: reporter.problems,
    shutdown() {
      shutdownPromise ??= (async () => {
        removeHooks();
        // The SDK shuts its span processors down in parallel: the mirror drains into the store,
        // OTLP and OCSF flush. A dead collector must not hold the process: bounded wait.
        const flush = sdk === undefined ? mirror.shutdown() : sdk.shutdown();
        const outcome = await withTimeout(flush, config.shutdownTimeoutMs);
        if (outcome === "timeout") {
          // The mirror is synchronous underneath; make sure its queue is written before closing.
          await withTimeout(mirror.shutdown(), config.shutdownTimeoutMs);
          reporter.report({
            setting: "shutdown",
            fallback: "none",
            message: `exporters did not finish within ${config.shutdownTimeoutMs} ms (WEFT_SHUTDOWN_TIMEOUT_MS); the audit store is complete, remote export may be partial.`,
          });
        }
        closeStore();
        if (slot[STARTED] === handle) delete slot[STARTED];
      })();
      return shutdownPromise;
    },
  };
  if (options.handleExit !== false) {
    removeHooks = installExitHooks({
      shutdown: () => handle.shutdown(),
      // On 'exit' only synchronous work runs: the mirror has already written its queue through
      // its own exit listener (registered before this one); close the store so SQLite checkpoints.
      onExit: closeStore,
    });
  }
  slot[STARTED] = handle;
  return handle;
}
