"""Validates every YAML document of the given specs against cnnc's JSON Schema (draft 2020-12) with
the jsonschema package; prints each failure and exits 1 if any document fails.

usage: python3 schema_check.py SCHEMA.json SPEC.yaml...   (needs jsonschema, pyyaml)"""
import json, sys
import jsonschema, yaml

schema = json.load(open(sys.argv[1]))
validator = jsonschema.Draft202012Validator(schema)
jsonschema.Draft202012Validator.check_schema(schema)
failures = 0
for path in sys.argv[2:]:
    for number, document in enumerate(yaml.safe_load_all(open(path)), 1):
        for error in validator.iter_errors(document):
            failures += 1
            print(f'{path} document {number}: {"/".join(map(str, error.absolute_path))}: {error.message[:200]}')
sys.exit(1 if failures else 0)
