"""Cross-implementation checks of our Avro codec against fastavro (PyPI) and python3-avro (Debian).

Run: .local/venv/bin/python -m pytest tests/interop -q
Our side is the avro_tool binary (env AVRO_TOOL, default build/release/avro_tool), which speaks
one value per line: hex in, JSON out (see tests/interop/avro_tool.cpp).

Directions checked, for the Order schema (schemas/order.avsc) and tests/vectors/rich.avsc:
  * fastavro / python-avro encode -> we decode (generic and Order fast path) -> same values,
    and our re-encoding is byte-identical;
  * we encode (from the Avro JSON encoding) -> byte-identical to fastavro, and fastavro decodes
    our bytes to the same values;
  * schema resolution (rich.avsc read as rich_reader.avsc) agrees with fastavro;
  * canonical form and CRC-64-AVRO fingerprint agree with fastavro / python-avro.
"""
import io
import json
import math
import os
import pathlib
import random
import struct
import subprocess
import sys

import avro.io
import avro.schema
import fastavro
import pytest

ROOT = pathlib.Path(__file__).resolve().parent.parent.parent
sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
import avro_samples  # noqa: E402

ORDER_SCHEMA_PATH = ROOT / "schemas" / "order.avsc"
RICH_SCHEMA_PATH = ROOT / "tests" / "vectors" / "rich.avsc"
ORDER_COUNT = 3000
RICH_COUNT = 400


@pytest.fixture(scope="session")
def tool():
    path = pathlib.Path(os.environ.get("AVRO_TOOL", ROOT / "build" / "release" / "avro_tool"))
    if not path.is_file():
        pytest.fail(f"avro_tool not found at {path}: build it (./run build) or set AVRO_TOOL")
    return str(path)


def run_tool(tool, args, lines):
    """Feeds lines to avro_tool and returns one parsed JSON object per line."""
    proc = subprocess.run([tool, *args], input="".join(line + "\n" for line in lines),
                          capture_output=True, text=True, timeout=120, check=False)
    assert proc.returncode == 0, proc.stderr
    # split("\n"), not splitlines(): JSON strings may hold U+0085 / U+2028 raw.
    out = [json.loads(line) for line in proc.stdout.split("\n") if line]
    assert len(out) == len(lines)
    return out


def load_fastavro(path):
    return fastavro.parse_schema(json.loads(path.read_text()))


def fastavro_bytes(schema, value):
    buf = io.BytesIO()
    fastavro.schemaless_writer(buf, schema, value)
    return buf.getvalue()


def fastavro_read(schema, data):
    # return_named_type: union values of named types come back as (name, value), so
    # json_writer re-tags them with the branch that was on the wire (enum vs string, ...).
    return fastavro.schemaless_reader(io.BytesIO(data), schema, None, return_named_type=True)


def pyavro_bytes(schema, value):
    buf = io.BytesIO()
    avro.io.DatumWriter(schema).write(value, avro.io.BinaryEncoder(buf))
    return buf.getvalue()


def jsonable(value):
    """Avro JSON encoding with non-finite floats as strings, as avro_tool prints them."""
    if isinstance(value, float) and not math.isfinite(value):
        return "NaN" if math.isnan(value) else ("Infinity" if value > 0 else "-Infinity")
    if isinstance(value, dict):
        return {k: jsonable(v) for k, v in value.items()}
    if isinstance(value, list):
        return [jsonable(v) for v in value]
    return value


def avro_json(schema, value):
    """The Avro JSON encoding of a fastavro-decoded value (fastavro's json_writer)."""
    out = io.StringIO()
    fastavro.json_writer(out, schema, [value])
    return jsonable(json.loads(out.getvalue()))


def f32_bits(x):
    return struct.pack("<f", x)


def price_from_json(p):
    return {"NaN": math.nan, "Infinity": math.inf, "-Infinity": -math.inf}.get(p, p)


# ---------------------------------------------------------------- Order schema


@pytest.fixture(scope="module")
def orders():
    return avro_samples.random_orders(seed=20240601, count=ORDER_COUNT)


@pytest.mark.parametrize("command", ["decode", "order-decode"])
@pytest.mark.parametrize("writer", ["fastavro", "python-avro"])
def test_order_bytes_from_python_decode_and_reencode_identically(tool, orders, command, writer):
    if writer == "fastavro":
        schema = load_fastavro(ORDER_SCHEMA_PATH)
        encoded = [fastavro_bytes(schema, o) for o in orders]
    else:
        schema = avro.schema.parse(ORDER_SCHEMA_PATH.read_text())
        encoded = [pyavro_bytes(schema, o) for o in orders]
    args = [command] + ([str(ORDER_SCHEMA_PATH)] if command == "decode" else [])
    results = run_tool(tool, args, [b.hex() for b in encoded])
    for order, data, res in zip(orders, encoded, results):
        assert res["ok"], (order, res)
        assert res["hex"] == data.hex(), order
        got = res["json"]
        assert got["orderId"] == order["orderId"]
        assert got["product"] == order["product"]
        assert f32_bits(price_from_json(got["price"])) == f32_bits(order["price"]) or (
            math.isnan(order["price"]) and got["price"] == "NaN")


@pytest.mark.parametrize("command", ["encode", "order-encode"])
def test_order_bytes_we_write_match_fastavro_and_read_back(tool, orders, command):
    schema = load_fastavro(ORDER_SCHEMA_PATH)
    args = [command] + ([str(ORDER_SCHEMA_PATH)] if command == "encode" else [])
    results = run_tool(tool, args, [json.dumps(jsonable(o), ensure_ascii=False) for o in orders])
    pyschema = avro.schema.parse(ORDER_SCHEMA_PATH.read_text())
    for order, res in zip(orders, results):
        assert res["ok"], (order, res)
        ours = bytes.fromhex(res["hex"])
        back = fastavro_read(schema, ours)
        assert back["orderId"] == order["orderId"] and back["product"] == order["product"]
        if math.isnan(order["price"]):  # JSON carries no NaN payload: only the NaN-ness
            assert ours[:-4] == fastavro_bytes(schema, order)[:-4] and math.isnan(back["price"])
            continue
        assert ours == fastavro_bytes(schema, order), order
        assert f32_bits(back["price"]) == f32_bits(order["price"])
        py_back = avro.io.DatumReader(pyschema).read(avro.io.BinaryDecoder(io.BytesIO(ours)))
        assert py_back["orderId"] == order["orderId"]


def test_order_mutations_we_accept_fastavro_reads_the_same(tool, orders):
    """Random byte flips/cuts of valid orders: whatever we accept, fastavro decodes the same."""
    rng = random.Random(5)
    schema = load_fastavro(ORDER_SCHEMA_PATH)
    mutated = []
    for order in orders[:1500]:
        data = bytearray(fastavro_bytes(schema, order))
        op = rng.randrange(3)
        if op == 0 and data:
            data[rng.randrange(len(data))] = rng.randrange(256)
        elif op == 1:
            del data[rng.randrange(len(data) + 1):]
        else:
            data.insert(rng.randrange(len(data) + 1), rng.randrange(256))
        mutated.append(bytes(data))
    generic = run_tool(tool, ["decode", str(ORDER_SCHEMA_PATH)], [m.hex() for m in mutated])
    fast = run_tool(tool, ["order-decode"], [m.hex() for m in mutated])
    accepted = 0
    for data, g, f in zip(mutated, generic, fast):
        assert g["ok"] == f["ok"], (data.hex(), g, f)
        if not g["ok"]:
            assert isinstance(g["offset"], int) and g["reason"]
            continue
        accepted += 1
        # Re-encoding is canonical: identical, or shorter if the input had a padded varint.
        assert g["hex"] == data.hex() or len(g["hex"]) < len(data.hex())
        back = fastavro_read(schema, data)
        assert back["orderId"] == g["json"]["orderId"]
        assert back["product"] == g["json"]["product"]
    assert accepted > 50


# ---------------------------------------------------------------- rich schema


def pyavro_value(record):
    """python-avro 1.11 wants uuid values as str."""
    record = dict(record)
    record["id"] = str(record["id"])
    if record["next"] is not None:
        record["next"] = pyavro_value(record["next"])
    return record


@pytest.fixture(scope="module")
def rich_records():
    return avro_samples.rich_records(seed=99, count=RICH_COUNT)


@pytest.mark.parametrize("writer", ["fastavro", "python-avro"])
def test_rich_bytes_from_python_decode_and_reencode_identically(tool, rich_records, writer):
    fschema = load_fastavro(RICH_SCHEMA_PATH)
    if writer == "fastavro":
        encoded = [fastavro_bytes(fschema, r) for r in rich_records]
    else:
        pyschema = avro.schema.parse(RICH_SCHEMA_PATH.read_text())
        encoded = [pyavro_bytes(pyschema, pyavro_value(r)) for r in rich_records]
    results = run_tool(tool, ["decode", str(RICH_SCHEMA_PATH)], [b.hex() for b in encoded])
    for data, res in zip(encoded, results):
        assert res["ok"], res
        assert res["hex"] == data.hex()
        assert res["json"] == avro_json(fschema, fastavro_read(fschema, data))


def test_rich_bytes_we_write_match_fastavro(tool, rich_records):
    fschema = load_fastavro(RICH_SCHEMA_PATH)
    expected = [fastavro_bytes(fschema, r) for r in rich_records]
    values = [avro_json(fschema, fastavro_read(fschema, b)) for b in expected]
    results = run_tool(tool, ["encode", str(RICH_SCHEMA_PATH)],
                       [json.dumps(v, ensure_ascii=False) for v in values])
    for data, value, res in zip(expected, values, results):
        assert res["ok"], res
        ours = bytes.fromhex(res["hex"])
        assert ours == data
        assert avro_json(fschema, fastavro_read(fschema, ours)) == value


RICH_READER_SCHEMA_PATH = ROOT / "tests" / "vectors" / "rich_reader.avsc"


def test_rich_schema_resolution_matches_fastavro(tool, rich_records):
    """Data written with rich.avsc, read as rich_reader.avsc (dropped, added, aliased, promoted
    and reordered fields, a reordered enum): same values as fastavro's resolving reader."""
    writer = load_fastavro(RICH_SCHEMA_PATH)
    reader = load_fastavro(RICH_READER_SCHEMA_PATH)
    encoded = [fastavro_bytes(writer, r) for r in rich_records]
    results = run_tool(tool, ["resolve", str(RICH_SCHEMA_PATH), str(RICH_READER_SCHEMA_PATH)],
                       [b.hex() for b in encoded])
    for data, res in zip(encoded, results):
        assert res["ok"], res
        expected = fastavro.schemaless_reader(io.BytesIO(data), writer, reader,
                                              return_named_type=True)
        assert res["json"] == avro_json(reader, expected)
        # Our reader-schema encoding of the resolved value is what fastavro writes for it.
        assert bytes.fromhex(res["hex"]) == fastavro_bytes(reader, expected)


# ---------------------------------------------------------------- canonical form, fingerprint

CANONICAL_SCHEMAS = [
    '"int"',
    '["null", "string", {"type": "fixed", "name": "F", "namespace": "x", "size": 3}]',
    '{"type": "map", "values": {"type": "array", "items": "double"}}',
    '{"type": "enum", "name": "E", "namespace": "a.b", "doc": "d", "symbols": ["X", "Y"]}',
    '{"type": "record", "name": "L", "namespace": "n", "aliases": ["Old"], "fields": ['
    '{"name": "v", "type": "long", "default": 1, "doc": "x"},'
    '{"name": "next", "type": ["null", "L"], "default": null}]}',
]


def canonical_cases():
    files = [("order.avsc", ORDER_SCHEMA_PATH), ("rich.avsc", RICH_SCHEMA_PATH)]
    return [(name, path.read_text()) for name, path in files] + [
        (f"inline{i}", s) for i, s in enumerate(CANONICAL_SCHEMAS)]


@pytest.mark.parametrize("name,text", canonical_cases())
def test_canonical_form_and_fingerprint_match_python(tool, tmp_path, name, text):
    path = tmp_path / "schema.avsc"
    path.write_text(text)
    proc = subprocess.run([tool, "canonical", str(path)], capture_output=True, text=True,
                          check=True)
    ours = json.loads(proc.stdout)
    fa_canonical = fastavro.schema.to_parsing_canonical_form(json.loads(text))
    assert ours["canonical"] == fa_canonical
    # fastavro prints the fingerprint's 8 bytes little-endian (as in single-object encoding).
    fa_fp = fastavro.schema.fingerprint(fa_canonical, "CRC-64-AVRO")
    assert bytes.fromhex(ours["crc64"])[::-1].hex() == fa_fp
    # python-avro 1.11.1 keeps {"type": "bytes"} for annotated primitives (it misses the
    # spec's PRIMITIVES rule there), so it is only a reference for schemas without logical types.
    if "logicalType" not in text:
        assert ours["canonical"] == avro.schema.parse(text).canonical_form
    fp_method = getattr(avro.schema.parse(text), "fingerprint", None)
    if fp_method is not None:  # python-avro >= 1.12
        assert fp_method("CRC-64-AVRO").hex() == fa_fp
