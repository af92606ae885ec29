#!/usr/bin/env python3
"""Writes the seed corpora for the Avro fuzz targets (committed; rerun after changing vectors).

corpus/avro_decode/: one selector byte (0 Order, 1 rich, 2 list, 3 zero-size, 4 nested,
5 rich resolved as rich_reader, 6 a skipped field: then a byte 0 Order ... 4 nested, and a long
after the value; see avro_decode_fuzz.cpp) + Avro bytes, taken from tests/vectors and a few
hand-written values.
corpus/avro_schema/: schema texts (ours and a few spec-style edge cases).
corpus/registry_schema/: bodies of GET /schemas/ids/N answers (registry_schema_fuzz.cpp): ours,
v2, an error, other schema types, references, odd members.
"""
import hashlib
import json
import pathlib

HERE = pathlib.Path(__file__).resolve().parent
ROOT = HERE.parent.parent


def write(folder, data):
    folder.mkdir(parents=True, exist_ok=True)
    (folder / hashlib.sha1(data).hexdigest()[:16]).write_bytes(data)


def main():
    decode = HERE / "corpus" / "avro_decode"
    for selector, name in [(0, "order.json"), (1, "rich.json"), (5, "rich.json")]:
        doc = json.loads((ROOT / "tests" / "vectors" / name).read_text())
        for case in doc["cases"]:
            write(decode, bytes([selector]) + bytes.fromhex(case["hex"]))
    hand = [
        (2, "0000"),                    # Node{value: null, next: null}
        (2, "020a00"),                  # Node{value: int 5, next: null}
        (2, "0606616263020000"),        # Node{value: "abc", next: Node{null, null}}
        (3, "0400" "02026100" "0400" "02060000"),  # 2 nulls, {"a": {}}, 2 x fixed(0), [[3 nulls]]
        (3, "00000000"),                # all empty
        (4, "020261" "04" "04000000000000f03f" "0602" "00" "00"),  # {"a": [1.0, E.B]}
        (4, "00"),                      # empty map
    ]
    for selector, hexdata in hand:
        write(decode, bytes([selector]) + bytes.fromhex(hexdata))
    # The same values as skipped fields, followed by keep = 1 (second byte: 0 Order, 1 rich,
    # 2 list, 3 zero-size, 4 nested); and a map in the block-size form, skipped whole.
    for selector, name in [(0, "order.json"), (1, "rich.json")]:
        doc = json.loads((ROOT / "tests" / "vectors" / name).read_text())
        for case in doc["cases"][:8]:
            write(decode, bytes([6, selector]) + bytes.fromhex(case["hex"]) + b"\x02")
    for selector, hexdata in hand:
        write(decode, bytes([6, selector - 1]) + bytes.fromhex(hexdata) + b"\x02")
    entry = "0261" "02" "04" "000000000000f03f" "00"  # "a": [1.0]
    write(decode, bytes([6, 4]) + bytes.fromhex("01" "1a" + entry + "00" "02"))

    schema = HERE / "corpus" / "avro_schema"
    write(schema, (ROOT / "schemas" / "order.avsc").read_bytes())
    write(schema, (ROOT / "tests" / "vectors" / "rich.avsc").read_bytes())
    for text in [
        '"int"', '["null","string"]', '[]',
        '{"type":"map","values":{"type":"array","items":"bytes"}}',
        '{"type":"enum","name":"E","namespace":"a.b","symbols":["A","B"],"default":"A"}',
        '{"type":"fixed","name":"F","size":16,"logicalType":"uuid"}',
        '{"type":"bytes","logicalType":"decimal","precision":9,"scale":2}',
        '{"type":"record","name":"L","fields":[{"name":"next","type":["null","L"],"default":null}]}',
        '{"type":"record","name":"a.R","fields":[{"name":"x","type":{"type":"record","name":"S",'
        '"namespace":"","fields":[]}},{"name":"y","type":"S"}]}',
    ]:
        write(schema, text.encode())

    answers = HERE / "corpus" / "registry_schema"
    v1 = (ROOT / "schemas" / "order.avsc").read_text()
    v2 = (ROOT / "schemas" / "order-v2.avsc").read_text()
    for body in [
        {"schema": v1},
        {"schema": v2, "schemaType": "AVRO"},
        {"schema": json.dumps(json.loads(v2), separators=(",", ":")), "references": []},
        {"schema": '{"type":"record","name":"Order","fields":[{"name":"orderId","type":"string"},'
                   '{"name":"product","type":"string"},{"name":"price","type":"double"},'
                   '{"name":"tags","type":{"type":"map","values":"int"},"default":{"b":1,"a":2}}]}'},
        {"schema": "syntax = \"proto3\";", "schemaType": "PROTOBUF"},
        {"schema": '{"type":"object"}', "schemaType": "JSON"},
        {"schema": v1, "references": [{"name": "x", "subject": "s", "version": 1}], "id": 3},
        {"error_code": 40403, "message": "Schema 7 not found"},
        {"schema": {"type": "int"}},
        {"schema": '"int"'},
    ]:
        write(answers, json.dumps(body).encode())


if __name__ == "__main__":
    main()
