#!/usr/bin/env python3
"""Writes the committed cross-implementation vectors (order.json, rich.json) with fastavro.

Each case holds the bytes fastavro's schemaless_writer produced ("hex") and the value in the
Avro JSON encoding ("json", from fastavro's json_writer of what fastavro reads back, so floats
are exactly what the bytes hold; non-finite floats are the strings "NaN"/"Infinity").
tests/unit/avro_vectors_test.cpp decodes every case with our codec and checks both.

Run: .local/venv/bin/python tests/vectors/generate_vectors.py  (rewrites the files in place)
"""
import io
import json
import math
import pathlib
import sys

import fastavro

HERE = pathlib.Path(__file__).resolve().parent
ROOT = HERE.parent.parent
sys.path.insert(0, str(ROOT / "tests" / "interop"))
import avro_samples  # noqa: E402  (shared with the live interop test)


def jsonable(value):
    """Avro JSON encoding spells non-finite floats as strings (JSON has no NaN)."""
    if isinstance(value, float) and not math.isfinite(value):
        return "NaN" if math.isnan(value) else ("Infinity" if value > 0 else "-Infinity")
    if isinstance(value, dict):
        return {k: jsonable(v) for k, v in value.items()}
    if isinstance(value, list):
        return [jsonable(v) for v in value]
    return value


def avro_json(schema, value):
    out = io.StringIO()
    fastavro.json_writer(out, schema, [value])
    return jsonable(json.loads(out.getvalue()))


def make_cases(schema, records):
    cases = []
    for record in records:
        buf = io.BytesIO()
        fastavro.schemaless_writer(buf, schema, record)
        data = buf.getvalue()
        # (name, value) tuples for named union branches keep the wire branch in the JSON.
        decoded = fastavro.schemaless_reader(io.BytesIO(data), schema, None,
                                             return_named_type=True)
        cases.append({"json": avro_json(schema, decoded), "hex": data.hex()})
    return cases


def write(name, schema_path, records):
    schema = fastavro.parse_schema(json.loads((ROOT / schema_path).read_text()))
    doc = {
        "generator": f"fastavro {fastavro.__version__} schemaless_writer",
        "schema": schema_path,
        "cases": make_cases(schema, records),
    }
    (HERE / name).write_text(json.dumps(doc, indent=1, ensure_ascii=False) + "\n")
    print(f"wrote {name}: {len(doc['cases'])} cases")


if __name__ == "__main__":
    write("order.json", "schemas/order.avsc", avro_samples.fixed_orders())
    write("rich.json", "tests/vectors/rich.avsc", avro_samples.rich_records(seed=1, count=12))
