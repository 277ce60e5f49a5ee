// JSONL file sink: appends one event per line, rotates by size (file, file.1 … file.N), and
// fsyncs on flush so a flushed event survives a crash. Synchronous writes keep the order trivially
// (like pino's sync destination); one write per batch keeps the syscall count low.
import {
  closeSync,
  existsSync,
  fstatSync,
  fsyncSync,
  openSync,
  renameSync,
  rmSync,
  writeSync,
} from "node:fs";
import { OcsfConfigError, OcsfExporterClosedError, OcsfSinkError } from "../errors.js";
import type { OcsfSink } from "./sink.js";

export interface JsonlFileSinkOptions {
  path: string;
  /** Rotate before a write would grow the file past this many bytes (default 64 MiB; 0 = never rotate). */
  maxBytes?: number;
  /** Rotated files kept: `path.1` (newest) … `path.N` (default 5). */
  maxFiles?: number;
  /** When to fsync: on `flush()`/rotation/close (default), after every write, or never. */
  fsync?: "flush" | "write" | "never";
}

export interface JsonlFileSinkStats {
  eventsWritten: number;
  bytesWritten: number;
  rotations: number;
  fsyncs: number;
}

export class JsonlFileSink implements OcsfSink {
  readonly path: string;
  private readonly maxBytes: number;
  private readonly maxFiles: number;
  private readonly fsyncMode: "flush" | "write" | "never";
  private fd: number | undefined;
  private size: number;
  private dirty = false;
  private readonly counters: JsonlFileSinkStats = {
    eventsWritten: 0,
    bytesWritten: 0,
    rotations: 0,
    fsyncs: 0,
  };

  constructor(options: JsonlFileSinkOptions) {
    const { path, maxBytes = 64 * 1024 * 1024, maxFiles = 5, fsync = "flush" } = options;
    if (typeof path !== "string" || path === "") throw new OcsfConfigError("JsonlFileSink needs a file path");
    if (!Number.isInteger(maxBytes) || maxBytes < 0)
      throw new OcsfConfigError("maxBytes must be an integer >= 0");
    if (!Number.isInteger(maxFiles) || maxFiles < 1)
      throw new OcsfConfigError("maxFiles must be an integer >= 1");
    this.path = path;
    this.maxBytes = maxBytes;
    this.maxFiles = maxFiles;
    this.fsyncMode = fsync;
    try {
      this.fd = openSync(path, "a");
      this.size = fstatSync(this.fd).size;
    } catch (cause) {
      throw new OcsfSinkError(`cannot open OCSF file ${path}`, { cause });
    }
  }

  stats(): JsonlFileSinkStats {
    return { ...this.counters };
  }

  async write(lines: readonly string[]): Promise<void> {
    if (this.fd === undefined) throw new OcsfExporterClosedError(`JsonlFileSink(${this.path})`);
    let chunk = "";
    let chunkBytes = 0;
    let chunkEvents = 0;
    for (const line of lines) {
      const text = `${line}\n`;
      const bytes = Buffer.byteLength(text);
      if (this.maxBytes > 0 && this.size + chunkBytes > 0 && this.size + chunkBytes + bytes > this.maxBytes) {
        this.append(chunk, chunkBytes, chunkEvents);
        chunk = "";
        chunkBytes = 0;
        chunkEvents = 0;
        if (this.size > 0) this.rotate();
      }
      chunk += text;
      chunkBytes += bytes;
      chunkEvents++;
    }
    this.append(chunk, chunkBytes, chunkEvents);
    if (this.fsyncMode === "write") this.sync();
  }

  async flush(): Promise<void> {
    if (this.fd !== undefined && this.fsyncMode !== "never") this.sync();
  }

  async close(): Promise<void> {
    if (this.fd === undefined) return;
    await this.flush();
    closeSync(this.fd);
    this.fd = undefined;
  }

  private append(chunk: string, bytes: number, events: number): void {
    if (bytes === 0 || this.fd === undefined) return;
    try {
      writeSync(this.fd, chunk);
    } catch (cause) {
      throw new OcsfSinkError(`cannot write OCSF file ${this.path}`, { cause });
    }
    this.size += bytes;
    this.dirty = true;
    this.counters.eventsWritten += events;
    this.counters.bytesWritten += bytes;
  }

  private sync(): void {
    if (this.fd === undefined || !this.dirty) return;
    try {
      fsyncSync(this.fd);
    } catch (cause) {
      throw new OcsfSinkError(`cannot fsync OCSF file ${this.path}`, { cause });
    }
    this.dirty = false;
    this.counters.fsyncs++;
  }

  /** path → path.1 → … → path.maxFiles (dropped). The current file is fsynced first. */
  private rotate(): void {
    if (this.fd === undefined) return;
    if (this.fsyncMode !== "never") this.sync();
    closeSync(this.fd);
    this.fd = undefined;
    try {
      rmSync(`${this.path}.${this.maxFiles}`, { force: true });
      for (let i = this.maxFiles - 1; i >= 1; i--) {
        if (existsSync(`${this.path}.${i}`)) renameSync(`${this.path}.${i}`, `${this.path}.${i + 1}`);
      }
      renameSync(this.path, `${this.path}.1`);
      this.fd = openSync(this.path, "a");
    } catch (cause) {
      throw new OcsfSinkError(`cannot rotate OCSF file ${this.path}`, { cause });
    }
    this.size = 0;
    this.counters.rotations++;
  }
}
