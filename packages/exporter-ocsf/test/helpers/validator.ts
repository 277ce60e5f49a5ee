// Ajv (draft 2020-12) validator for the committed, generated OCSF 1.8.0 class 6003 schema.
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { Ajv2020, type ErrorObject } from "ajv/dist/2020.js";

export const SCHEMA_PATH = join(
  dirname(fileURLToPath(import.meta.url)),
  "../../schema/ocsf-1.8.0-api_activity.schema.json",
);

function build() {
  const ajv = new Ajv2020({ allErrors: true, strict: true, strictRequired: false });
  // Annotations the generator writes (ignored by validation, allowed in strict mode).
  ajv.addKeyword({ keyword: "x-ocsf-recommended", schemaType: "array" });
  ajv.addKeyword({ keyword: "x-ocsf", schemaType: "object" });
  return ajv.compile(JSON.parse(readFileSync(SCHEMA_PATH, "utf8")) as object);
}

let validate: ReturnType<typeof build> | undefined;

/** Validation errors of one event against the 6003 schema ([] when valid). */
export function ocsfErrors(event: unknown): ErrorObject[] {
  validate ??= build();
  return validate(event) ? [] : [...(validate.errors ?? [])];
}

export function describeErrors(errors: ErrorObject[]): string {
  return errors
    .map((e) => `${e.instancePath || "/"} ${e.message ?? ""} ${JSON.stringify(e.params)}`)
    .join("\n");
}
