"""Sample values for the Avro interop checks: the Order schema and tests/vectors/rich.avsc.

Values are plain Python objects as fastavro and python3-avro accept them (logical types as
Decimal, UUID, date, time, datetime).
"""
import datetime
import decimal
import random
import struct
import uuid

FLOAT_MAX = struct.unpack("<f", b"\xff\xff\x7f\x7f")[0]
FLOAT_DENORM_MIN = struct.unpack("<f", b"\x01\x00\x00\x00")[0]

UNICODE_BITS = ["é", "€", "😀", "中文", "Ω", "\u0000", "\x7f", "ß", "🇩🇪", "\u200b", "a", "Z", "-"]


def fixed_orders():
    """Hand-picked edge cases: empty, unicode, long, and extreme / non-finite prices."""
    return [
        {"orderId": "ORD-00001", "product": "Laptop", "price": 999.99},
        {"orderId": "", "product": "", "price": 0.0},
        {"orderId": "ORD-00002", "product": "Mouse", "price": -0.0},
        {"orderId": "é€😀", "product": "中文 product", "price": 1.5},
        {"orderId": "x" * 63, "product": "y" * 64, "price": 12.25},
        {"orderId": "z" * 300, "product": "Keyboard", "price": 49.5},
        {"orderId": "ORD-max", "product": "p", "price": FLOAT_MAX},
        {"orderId": "ORD-min", "product": "p", "price": -FLOAT_MAX},
        {"orderId": "ORD-tiny", "product": "p", "price": FLOAT_DENORM_MIN},
        {"orderId": "ORD-inf", "product": "p", "price": float("inf")},
        {"orderId": "ORD-ninf", "product": "p", "price": float("-inf")},
        {"orderId": "ORD-nan", "product": "p", "price": float("nan")},
        {"orderId": "nul\u0000inside", "product": "\U0010ffff", "price": 0.1},
    ]


def random_text(rng, max_len=40):
    return "".join(rng.choice(UNICODE_BITS) for _ in range(rng.randint(0, max_len)))


def random_orders(seed, count):
    rng = random.Random(seed)
    out = fixed_orders()
    while len(out) < count:
        bits = rng.getrandbits(32)
        price = struct.unpack("<f", struct.pack("<I", bits))[0]
        if rng.random() < 0.7:
            price = round(rng.uniform(0, 5000), 2)
        out.append({"orderId": f"ORD-{rng.randint(0, 10**9):09d}" if rng.random() < 0.5
                    else random_text(rng), "product": random_text(rng), "price": price})
    return out


def _point(rng):
    return {"x": rng.uniform(-180, 180), "y": rng.choice([0.0, -0.0, 1e308, -5e-324, 3.25])}


def rich_record(rng, depth=0):
    """One value of tests/vectors/rich.avsc."""
    epoch = datetime.datetime(1970, 1, 1, tzinfo=datetime.timezone.utc)
    choice = rng.choice([None, random_text(rng, 8), rng.randint(-2**63, 2**63 - 1), "GREEN",
                         _point(rng)])
    return {
        "nothing": None,
        "flag": rng.random() < 0.5,
        "small": rng.choice([0, -1, 1, 2**31 - 1, -2**31, rng.randint(-2**31, 2**31 - 1)]),
        "big": rng.choice([0, -1, 2**63 - 1, -2**63, rng.randint(-2**63, 2**63 - 1)]),
        "ratio": rng.choice([0.5, -1.25, FLOAT_MAX, FLOAT_DENORM_MIN, float("inf"), float("nan")]),
        "precise": rng.choice([0.1, -1e-300, 1.7976931348623157e308, float("-inf"), float("nan")]),
        "blob": bytes(rng.getrandbits(8) for _ in range(rng.randint(0, 20))),
        "text": random_text(rng),
        "color": rng.choice(["RED", "GREEN", "BLUE"]),
        "md5": bytes(rng.getrandbits(8) for _ in range(16)),
        "tags": [random_text(rng, 6) for _ in range(rng.randint(0, 4))],
        "counts": {f"k{i}{random_text(rng, 3)}": rng.randint(-2**40, 2**40)
                   for i in range(rng.randint(0, 4))},
        "choice": choice,
        "points": [_point(rng) for _ in range(rng.randint(0, 3))],
        "nested": {"a": [None, rng.randint(-5, 5)], "b": []} if rng.random() < 0.5 else {},
        "amount": decimal.Decimal(rng.randint(-10**12 + 1, 10**12 - 1)).scaleb(-3),
        "amount_fixed": decimal.Decimal(rng.randint(-10**18 + 1, 10**18 - 1)).scaleb(-2),
        "id": uuid.UUID(int=rng.getrandbits(128)),
        "day": datetime.date(1970, 1, 1) + datetime.timedelta(days=rng.randint(-20000, 40000)),
        "tod_ms": datetime.time(rng.randint(0, 23), rng.randint(0, 59), rng.randint(0, 59),
                                rng.randint(0, 999) * 1000),
        "tod_us": datetime.time(rng.randint(0, 23), rng.randint(0, 59), rng.randint(0, 59),
                                rng.randint(0, 999999)),
        "ts_ms": epoch + datetime.timedelta(milliseconds=rng.randint(-10**12, 10**13)),
        "ts_us": epoch + datetime.timedelta(microseconds=rng.randint(-10**15, 10**16)),
        # One level only: fastavro 1.13 json_writer fails on deeper recursion (IndexError).
        "next": rich_record(rng, depth + 1) if depth < 1 and rng.random() < 0.5 else None,
    }


def rich_records(seed, count):
    rng = random.Random(seed)
    return [rich_record(rng) for _ in range(count)]
