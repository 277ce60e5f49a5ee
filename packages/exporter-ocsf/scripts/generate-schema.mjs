#!/usr/bin/env node
// Compiles a JSON Schema (draft 2020-12) for OCSF class 6003 "API Activity" from the OCSF schema
// source tree (ocsf-schema-1.8.0/, Apache-2.0). The OCSF server does this compilation at run time;
// we do it once, commit the result, and a test re-runs this script to prove the file is current.
//
// Compilation rules (as the OCSF source defines them):
// - a class or object inherits its parent's attributes through `extends`; a child's attribute
//   spec is deep-merged over the parent's (so `activity_id` keeps the base 0/99 and adds 1-4);
// - `$include` of a profile adds its attributes tagged with `profile: <name>`; an explicit
//   `profile: null` in a later definition un-tags it; attributes of profiles not selected drop out;
// - every attribute's final spec is the dictionary entry deep-merged with the class/object spec;
// - `requirement: required` -> JSON Schema `required`; `recommended` is kept as the annotation
//   `x-ocsf-recommended`; object `constraints` (at_least_one / just_one) -> anyOf / oneOf;
// - integer attributes with an `enum` (the *_id fields) get a JSON Schema `enum`; string
//   enums (http_method, tlp, depth) are advisory in OCSF and stay unconstrained;
// - objects become `$defs` (`#/$defs/object:<name>`), data types `#/$defs/type:<name>`;
//   unknown attributes are rejected (`additionalProperties: false`) except in the free-form
//   `object` / `json_t` values (`unmapped`, `data`, ...).
//
// Usage: node scripts/generate-schema.mjs [--check]   (from packages/exporter-ocsf)

import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
export const DEFAULT_SOURCE_DIR = join(here, "..", "ocsf-schema-1.8.0");
export const DEFAULT_OUTPUT = join(here, "..", "schema", "ocsf-1.8.0-api_activity.schema.json");
export const DEFAULT_PROFILES = ["trace"];

const CLASS_FILE = "events/application/api_activity.json";

function isPlainObject(value) {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Deep merge where `over` wins; maps merge key by key, everything else is replaced. */
function deepMerge(base, over) {
  if (!isPlainObject(base) || !isPlainObject(over)) return over;
  const out = { ...base };
  for (const [key, value] of Object.entries(over)) {
    out[key] = key in out ? deepMerge(out[key], value) : value;
  }
  return out;
}

class OcsfSource {
  constructor(dir) {
    this.dir = dir;
    this.cache = new Map();
    const dictionary = this.read("dictionary.json");
    this.dictionary = dictionary.attributes;
    this.types = dictionary.types.attributes;
    this.categories = this.read("categories.json").attributes;
    this.version = this.read("version.json").version;
  }

  read(relative) {
    let parsed = this.cache.get(relative);
    if (parsed === undefined) {
      parsed = JSON.parse(readFileSync(join(this.dir, relative), "utf8"));
      this.cache.set(relative, parsed);
    }
    return parsed;
  }

  /** Attributes of one definition file, with its `$include`d profiles applied first. */
  ownAttributes(definition) {
    let attributes = {};
    const { $include: includes = [], ...own } = definition.attributes ?? {};
    for (const file of includes) {
      const profile = this.read(file);
      if (profile.meta !== "profile") throw new Error(`${file}: only profile includes are supported`);
      const group = profile.annotations?.group;
      for (const [name, spec] of Object.entries(profile.attributes)) {
        const tagged = { ...(group === undefined ? {} : { group }), ...spec, profile: profile.name };
        attributes = deepMerge(attributes, { [name]: tagged });
      }
    }
    return deepMerge(attributes, own);
  }

  /** A fully inherited definition: { name, caption, description, attributes, constraints, deprecated }. */
  resolve(relative, findParent) {
    const definition = this.read(relative);
    let inherited = { attributes: {}, constraints: undefined };
    if (definition.extends !== undefined)
      inherited = this.resolve(findParent(definition.extends), findParent);
    return {
      name: definition.name,
      caption: definition.caption,
      description: definition.description,
      category: definition.category ?? inherited.category,
      uid: definition.uid,
      attributes: deepMerge(inherited.attributes, this.ownAttributes(definition)),
      constraints: definition.constraints ?? inherited.constraints,
      deprecated: definition["@deprecated"],
    };
  }

  /**
   * Observable type ids, as the OCSF server derives them: every `observable` number on a data
   * type, dictionary attribute, object, or object/class/profile attribute of the core schema.
   */
  observableTypeIds() {
    const ids = new Set([0, 99]);
    const walk = (node) => {
      if (Array.isArray(node)) node.forEach(walk);
      else if (isPlainObject(node)) {
        for (const [key, value] of Object.entries(node)) {
          if (key === "observable" && Number.isInteger(value)) ids.add(value);
          else walk(value);
        }
      }
    };
    const files = ["dictionary.json"];
    for (const folder of ["objects", "events", "profiles"]) {
      for (const entry of readdirSync(join(this.dir, folder), { recursive: true })) {
        if (String(entry).endsWith(".json")) files.push(join(folder, String(entry)));
      }
    }
    for (const file of files.sort()) walk(this.read(file));
    return [...ids].sort((a, b) => a - b);
  }

  object(name) {
    return this.resolve(`objects/${name}.json`, (parent) => `objects/${parent}.json`);
  }

  eventClass(relative) {
    const folder = dirname(relative);
    return this.resolve(relative, (parent) =>
      parent === "base_event" ? "events/base_event.json" : `${folder}/${parent}.json`,
    );
  }
}

/** Primitive JSON Schema for an OCSF data type (`*_t`), following its `type` chain. */
function primitiveSchema(types, typeName) {
  const spec = types[typeName];
  if (spec === undefined) throw new Error(`unknown OCSF data type ${typeName}`);
  let base;
  switch (typeName) {
    case "string_t":
      base = { type: "string" };
      break;
    case "integer_t":
    case "long_t":
      base = { type: "integer" };
      break;
    case "float_t":
      base = { type: "number" };
      break;
    case "boolean_t":
      base = { type: "boolean" };
      break;
    case "json_t":
      base = {};
      break;
    default:
      if (spec.type === undefined) throw new Error(`OCSF data type ${typeName} has no base type`);
      base = primitiveSchema(types, spec.type);
  }
  const out = { ...base, title: spec.caption };
  if (spec.regex !== undefined) out.pattern = spec.regex;
  if (spec.max_len !== undefined) out.maxLength = spec.max_len;
  if (Array.isArray(spec.range)) {
    out.minimum = spec.range[0];
    out.maximum = spec.range[1];
  }
  return out;
}

function baseKind(types, typeName) {
  let name = typeName;
  while (types[name]?.type !== undefined) name = types[name].type;
  return name;
}

class SchemaBuilder {
  constructor(source, profiles) {
    this.source = source;
    this.profiles = new Set(profiles);
    this.defs = {};
    this.pending = [];
  }

  keep(spec) {
    return spec.profile === undefined || spec.profile === null || this.profiles.has(spec.profile);
  }

  typeRef(typeName) {
    const key = `type:${typeName}`;
    if (this.defs[key] === undefined) this.defs[key] = primitiveSchema(this.source.types, typeName);
    return { $ref: `#/$defs/${key}` };
  }

  objectRef(objectName) {
    const key = `object:${objectName}`;
    if (this.defs[key] === undefined) {
      this.defs[key] = {}; // placeholder: breaks cycles, filled below
      this.pending.push(objectName);
    }
    return { $ref: `#/$defs/${key}` };
  }

  attributeSchema(name, classSpec) {
    const dictionarySpec = this.source.dictionary[name];
    if (dictionarySpec === undefined) throw new Error(`attribute ${name} is not in the dictionary`);
    const spec = deepMerge(dictionarySpec, classSpec);
    let value;
    if (spec.type === "object") {
      value = { type: "object" }; // free-form (e.g. `unmapped`)
    } else if (spec.type.endsWith("_t")) {
      value = this.typeRef(spec.type);
      const kind = baseKind(this.source.types, spec.type);
      if (spec.enum !== undefined && (kind === "integer_t" || kind === "long_t")) {
        value.enum = Object.keys(spec.enum)
          .map(Number)
          .sort((a, b) => a - b);
      }
    } else {
      value = this.objectRef(spec.type);
    }
    if (spec.is_array === true) value = { type: "array", items: value };
    const annotated = { title: spec.caption, ...value };
    if (spec.description !== undefined) annotated.description = spec.description;
    if (spec["@deprecated"] !== undefined) annotated.deprecated = true;
    return { schema: annotated, requirement: spec.requirement ?? "optional" };
  }

  /** JSON Schema of a resolved class or object definition. */
  compose(definition, extraProperties) {
    const properties = {};
    const required = [];
    const recommended = [];
    for (const name of Object.keys(definition.attributes).sort()) {
      const spec = definition.attributes[name];
      if (!this.keep(spec)) continue;
      const { schema, requirement } = this.attributeSchema(name, spec);
      properties[name] = extraProperties?.[name] ? { ...schema, ...extraProperties[name] } : schema;
      if (requirement === "required") required.push(name);
      else if (requirement === "recommended") recommended.push(name);
    }
    const out = { title: definition.caption };
    if (definition.description !== undefined) out.description = definition.description;
    if (definition.deprecated !== undefined) out.deprecated = true;
    out.type = "object";
    out.properties = properties;
    if (required.length > 0) out.required = required;
    if (recommended.length > 0) out["x-ocsf-recommended"] = recommended;
    const constraints = definition.constraints ?? {};
    for (const [kind, keyword] of [
      ["at_least_one", "anyOf"],
      ["just_one", "oneOf"],
    ]) {
      const names = (constraints[kind] ?? []).filter((n) => n in properties);
      if (names.length > 0) out[keyword] = names.map((n) => ({ required: [n] }));
    }
    out.additionalProperties = false;
    return out;
  }

  drain() {
    while (this.pending.length > 0) {
      const name = this.pending.shift();
      this.defs[`object:${name}`] = this.compose(this.source.object(name));
    }
  }
}

/** Compiles the class 6003 schema; pure apart from reading the source tree. */
export function compileApiActivitySchema(sourceDir = DEFAULT_SOURCE_DIR, profiles = DEFAULT_PROFILES) {
  const source = new OcsfSource(sourceDir);
  const eventClass = source.eventClass(CLASS_FILE);
  const category = source.categories[eventClass.category];
  const classUid = category.uid * 1000 + eventClass.uid;
  const activityIds = Object.keys(
    deepMerge(source.dictionary.activity_id.enum, eventClass.attributes.activity_id.enum),
  )
    .map(Number)
    .sort((a, b) => a - b);
  const builder = new SchemaBuilder(source, profiles);
  const root = builder.compose(eventClass, {
    category_uid: { enum: [category.uid] },
    class_uid: { enum: [classUid] },
    activity_id: { enum: activityIds },
    type_uid: { enum: activityIds.map((id) => classUid * 100 + id) },
  });
  builder.drain();
  const observable = builder.defs["object:observable"];
  if (observable?.properties?.type_id !== undefined)
    observable.properties.type_id.enum = source.observableTypeIds();
  const defs = {};
  for (const key of Object.keys(builder.defs).sort()) defs[key] = builder.defs[key];
  return {
    $schema: "https://json-schema.org/draft/2020-12/schema",
    $id: `urn:weft:ocsf:${source.version}:class:${classUid}:profiles:${[...profiles].sort().join(",")}`,
    $comment:
      `Generated by @weft/exporter-ocsf scripts/generate-schema.mjs from the OCSF schema ${source.version} source ` +
      "(https://github.com/ocsf/ocsf-schema, Apache-2.0; see NOTICE). Do not edit by hand.",
    ...root,
    "x-ocsf": {
      version: source.version,
      class_uid: classUid,
      class_name: eventClass.caption,
      category_uid: category.uid,
      category_name: category.caption,
      profiles: [...profiles].sort(),
    },
    $defs: defs,
  };
}

export function renderSchema(schema) {
  return `${JSON.stringify(schema, null, 2)}\n`;
}

const invokedDirectly = process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1];
if (invokedDirectly) {
  const text = renderSchema(compileApiActivitySchema());
  if (process.argv.includes("--check")) {
    let current = "";
    try {
      current = readFileSync(DEFAULT_OUTPUT, "utf8");
    } catch {}
    if (current !== text) {
      console.error(`${DEFAULT_OUTPUT} is out of date; run node scripts/generate-schema.mjs`);
      process.exit(1);
    }
    console.log("schema up to date");
  } else {
    writeFileSync(DEFAULT_OUTPUT, text);
    console.log(`wrote ${DEFAULT_OUTPUT}`);
  }
}
