"""Validates JSON Lines files of cases against docs/case.schema.json.
usage: validate_schema.py SCHEMA FILE... ; a file whose name contains
'invalid' must have every line rejected instead."""
import json
import sys

import jsonschema

schema = json.load(open(sys.argv[1]))
jsonschema.Draft202012Validator.check_schema(schema)
validator = jsonschema.Draft202012Validator(schema)
failures = 0
checked = 0
for path in sys.argv[2:]:
    expect_valid = "invalid" not in path
    for n, line in enumerate(open(path, encoding="utf-8"), 1):
        if not line.strip():
            continue
        checked += 1
        errors = list(validator.iter_errors(json.loads(line)))
        if expect_valid and errors:
            failures += 1
            print(f"{path}:{n}: {errors[0].json_path}: {errors[0].message}")
        if not expect_valid and not errors:
            failures += 1
            print(f"{path}:{n}: accepted, but should be rejected")
print(f"{checked - failures} passed, {failures} failed")
sys.exit(1 if failures or checked == 0 else 0)
