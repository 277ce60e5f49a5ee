"""Cross-checks Weft's OCSF output with independent PyPI tooling.

Usage: python ocsf_crosscheck.py <generated-schema.json> <events.json>

* ocsf-json-schema (embedded, server-compiled OCSF 1.8.0): builds the class 6003 JSON Schema
  with the `trace` profile and validates every event with `jsonschema` (draft 2020-12); also
  compares it, object by object, with the schema our generator compiled from the OCSF source.
* py-ocsf-models 0.10.0 (Prowler) models OCSF 1.5.0 and has no API Activity class, so the parts
  it models are parsed with its pydantic models: the BaseEvent fields, metadata (with product),
  api without `service`, actor.authorizations[].policy, resources[]. Not checked with it, because
  its models require fields OCSF 1.8.0 does not: `user` (its User requires account, name,
  type_id and uid; OCSF 1.8.0 requires at least one of account/name/uid) and `api.service` (its
  Service requires uid and version; OCSF 1.8.0 requires neither).

Prints one JSON report on stdout.
"""
import json
import sys

from jsonschema import Draft202012Validator
from ocsf_json_schema import OcsfJsonSchemaEmbedded, get_ocsf_schema

REF_PREFIX = "https://schema.ocsf.io/schema/1.8.0/objects/"


def their_schema():
    return OcsfJsonSchemaEmbedded(get_ocsf_schema("1.8.0")).get_class_schema("api_activity", ["trace"])


def validate_events(schema, events):
    validator = Draft202012Validator(schema)
    errors = []
    for index, event in enumerate(events):
        for error in validator.iter_errors(event):
            errors.append({"index": index, "path": list(error.absolute_path), "message": error.message[:300]})
    return errors


def their_ref(prop):
    target = prop.get("items", prop)
    ref = target.get("$ref")
    if ref is None:
        return None
    name = ref.split("#/$defs/")[-1] if "#/$defs/" in ref else ref
    return name.split("?")[0].replace(REF_PREFIX, "")


def our_ref(prop):
    target = prop.get("items", prop)
    ref = target.get("$ref", "")
    return ref.split("object:")[1] if "#/$defs/object:" in ref else None


def shape(schema, ref_of):
    props = schema.get("properties", {})
    out = {}
    for name, prop in props.items():
        target = prop.get("items", prop)
        enum = target.get("enum")
        if enum is None and "const" in target:
            enum = [target["const"]]
        integer_enum = sorted(enum) if enum is not None and all(isinstance(v, int) for v in enum) else None
        out[name] = {"array": "items" in prop, "object": ref_of(prop), "enum": integer_enum}
    constraints = {
        key: sorted(r["required"][0] for r in schema.get(key, [])) for key in ("anyOf", "oneOf") if key in schema
    }
    return {"properties": out, "required": sorted(schema.get("required", [])), "constraints": constraints}


def diff_schemas(ours, theirs):
    diffs = []
    pairs = [("<class>", ours, theirs)]
    for name, definition in theirs.get("$defs", {}).items():
        mine = ours["$defs"].get(f"object:{name}")
        if mine is None:
            if name not in ("object",) and "_" not in name[:4]:
                diffs.append({"object": name, "diff": "missing in ours"})
            continue
        pairs.append((name, mine, definition))
    for name, mine, definition in pairs:
        a, b = shape(mine, our_ref), shape(definition, their_ref)
        for key in ("required", "constraints"):
            if a[key] != b[key]:
                diffs.append({"object": name, "diff": key, "ours": a[key], "theirs": b[key]})
        for prop in sorted(set(a["properties"]) | set(b["properties"])):
            pa, pb = a["properties"].get(prop), b["properties"].get(prop)
            if pa != pb:
                diffs.append({"object": name, "property": prop, "ours": pa, "theirs": pb})
    return diffs


def py_ocsf_models_check(events):
    from py_ocsf_models.events.base_event import BaseEvent
    from py_ocsf_models.objects.api import API
    from py_ocsf_models.objects.metadata import Metadata
    from py_ocsf_models.objects.policy import Policy
    from py_ocsf_models.objects.resource_details import ResourceDetails

    base_fields = set(BaseEvent.model_fields)
    errors = []
    checked = 0
    for index, event in enumerate(events):
        try:
            BaseEvent.model_validate({k: v for k, v in event.items() if k in base_fields})
            Metadata.model_validate(event["metadata"])
            API.model_validate({k: v for k, v in event["api"].items() if k != "service"})
            for authorization in event["actor"].get("authorizations", []):
                Policy.model_validate(authorization["policy"])
            for resource in event.get("resources", []):
                ResourceDetails.model_validate(resource)
            checked += 1
        except Exception as error:  # pydantic.ValidationError and friends
            errors.append({"index": index, "message": str(error)[:500]})
    return {
        "checked": checked,
        "errors": errors,
        "not_checked": ["actor.user", "api.service"],
        "models_ocsf_version": __import__("py_ocsf_models").OCSF_VERSION,
    }


def main():
    ours = json.load(open(sys.argv[1], encoding="utf-8"))
    events = json.load(open(sys.argv[2], encoding="utf-8"))
    theirs = their_schema()
    report = {
        "ocsf_json_schema": {"checked": len(events), "errors": validate_events(theirs, events)},
        "schema_diff": diff_schemas(ours, theirs),
        "py_ocsf_models": py_ocsf_models_check(events),
    }
    json.dump(report, sys.stdout, ensure_ascii=False)


if __name__ == "__main__":
    main()
