// The committed schema is what the generator produces from the OCSF source, it says what OCSF
// 1.8.0 says about class 6003, and it rejects events that break it (the validator is not vacuous).
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { compileApiActivitySchema, renderSchema } from "../scripts/generate-schema.mjs";
import { actionTraceToOcsf } from "../src/index.js";
import { TRACES } from "./helpers/traces.js";
import { describeErrors, ocsfErrors, SCHEMA_PATH } from "./helpers/validator.js";

interface JsonSchema {
  required?: string[];
  properties: Record<string, { enum?: number[] }>;
  $defs: Record<string, { required?: string[]; anyOf?: { required: string[] }[] }>;
}

describe("generated OCSF 1.8.0 class 6003 schema", () => {
  it("is up to date with the generator and the OCSF source", () => {
    expect(readFileSync(SCHEMA_PATH, "utf8")).toBe(renderSchema(compileApiActivitySchema()));
  });

  it("states OCSF 1.8.0's requirements for API Activity", () => {
    const schema = JSON.parse(readFileSync(SCHEMA_PATH, "utf8")) as JsonSchema;
    // From ocsf-schema v1.8.0: base_event required + api_activity's actor/api/src_endpoint.
    expect(schema.required?.slice().sort()).toEqual(
      [
        "activity_id",
        "actor",
        "api",
        "category_uid",
        "class_uid",
        "metadata",
        "severity_id",
        "src_endpoint",
        "time",
        "type_uid",
      ].sort(),
    );
    expect(schema.properties.activity_id?.enum).toEqual([0, 1, 2, 3, 4, 99]);
    expect(schema.properties.type_uid?.enum).toEqual([600300, 600301, 600302, 600303, 600304, 600399]);
    expect(schema.properties.severity_id?.enum).toEqual([0, 1, 2, 3, 4, 5, 6, 99]);
    expect(schema.properties.status_id?.enum).toEqual([0, 1, 2, 99]);
    expect(schema.properties.trace).toBeDefined(); // trace profile declared
    expect(schema.properties.cloud).toBeUndefined(); // cloud profile not declared
    expect(schema.$defs["object:metadata"]?.required?.sort()).toEqual(["product", "version"]);
    expect(schema.$defs["object:api"]?.required).toEqual(["operation"]);
    expect(schema.$defs["object:span"]?.required?.sort()).toEqual(["end_time", "start_time", "uid"]);
    expect(schema.$defs["object:actor"]?.anyOf?.map((c) => c.required[0])).toContain("user");
  });

  describe("rejects broken events", () => {
    const good = actionTraceToOcsf(TRACES.invokeOk!, { traceContext: { traceId: "a".repeat(32) } });

    it("accepts the unbroken event", () => {
      expect(describeErrors(ocsfErrors(good))).toBe("");
    });

    const breakages: Record<string, (e: Record<string, unknown>) => void> = {
      "missing class_uid": (e) => {
        delete e.class_uid;
      },
      "wrong class_uid": (e) => {
        e.class_uid = 6001;
      },
      "type_uid outside the class": (e) => {
        e.type_uid = 600305;
      },
      "unknown activity_id": (e) => {
        e.activity_id = 7;
      },
      "time as a string": (e) => {
        e.time = "2026-11-22T06:00:00Z";
      },
      "unknown top-level attribute": (e) => {
        e.args = { id: 1 };
      },
      "actor with nothing that identifies it": (e) => {
        e.actor = { authorizations: [] };
      },
      "api without operation": (e) => {
        e.api = { service: { name: "x" } };
      },
      "metadata without version": (e) => {
        const metadata = { ...(e.metadata as object) } as Record<string, unknown>;
        delete metadata.version;
        e.metadata = metadata;
      },
      "missing src_endpoint": (e) => {
        delete e.src_endpoint;
      },
      "trace without uid": (e) => {
        e.trace = { span: { uid: "1" } };
      },
      "resource with an unknown attribute": (e) => {
        e.resources = [{ uid: "x", secret: "y" }];
      },
    };
    for (const [name, breakIt] of Object.entries(breakages)) {
      it(name, () => {
        const broken = structuredClone(good) as unknown as Record<string, unknown>;
        breakIt(broken);
        expect(ocsfErrors(broken).length).toBeGreaterThan(0);
      });
    }
  });
});
