// Stdout sink: one event per line on a writable stream (process.stdout by default), honouring
// backpressure. The stream is not owned: close() does not end it.
import { once } from "node:events";
import { OcsfExporterClosedError, OcsfSinkError } from "../errors.js";
import type { OcsfSink } from "./sink.js";

export interface StdoutSinkOptions {
  /** Default `process.stdout`. */
  stream?: NodeJS.WritableStream;
}

export class StdoutSink implements OcsfSink {
  private readonly stream: NodeJS.WritableStream;
  private closed = false;

  constructor(options: StdoutSinkOptions = {}) {
    this.stream = options.stream ?? process.stdout;
  }

  async write(lines: readonly string[]): Promise<void> {
    if (this.closed) throw new OcsfExporterClosedError("StdoutSink");
    if (lines.length === 0) return;
    try {
      if (!this.stream.write(`${lines.join("\n")}\n`)) await once(this.stream, "drain");
    } catch (cause) {
      throw new OcsfSinkError("cannot write OCSF events to the stream", { cause });
    }
  }

  async flush(): Promise<void> {}

  async close(): Promise<void> {
    this.closed = true;
  }
}
