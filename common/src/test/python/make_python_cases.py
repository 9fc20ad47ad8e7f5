"""Writes the expected values that PythonReprTests and CeleryJsonTests compare against.

Run with a Python that has Celery 5.2 (Debian: apt-get install python3-celery):

    /usr/bin/python3 common/src/test/python/make_python_cases.py > common/src/test/resources/python/cases.json

Each case is a JSON text (what a message body would carry) and what Celery makes of it:
argsrepr/kwargsrepr as celery.app.amqp computes them (saferepr(args, 1024)) and the bytes of
json.dumps with kombu's defaults.
"""
import json
import random
import sys

import celery
from celery.utils.saferepr import saferepr

rng = random.Random(20261125)

WORDS = ["a", "b c", "it's", 'say "hi"', "back\\slash", "new\nline", "tab\there", "é", "☃", "😀",
         "ünïcödé wörds", "", " ", "x" * 50, "y" * 120, "z " * 60, "\u0000", "\u001f", "\u007f", "\u2028"]


def scalar():
    kind = rng.randrange(9)
    if kind == 0:
        return None
    if kind == 1:
        return rng.choice([True, False])
    if kind == 2:
        return rng.randint(-1000, 1000)
    if kind == 3:
        return rng.choice([2 ** 31, -2 ** 63, 2 ** 64 + 1, 10 ** 30])
    if kind == 4:
        return rng.choice([0.0, -0.0, 1.0, 1.5, 0.1, 1e16, 1e15, 1e-5, 1e-4, 1e7, 123456789.125, 1e300, 5e-324,
                           2.5e-7, 1234567890123456789.0, 0.30000000000000004, 100.0, -42.75])
    if kind == 5:
        return rng.uniform(-1e6, 1e6)
    return rng.choice(WORDS)


def value(depth):
    if depth > 5 or rng.random() < 0.45:
        return scalar()
    if rng.random() < 0.5:
        return [value(depth + 1) for _ in range(rng.randrange(0, 5))]
    return {rng.choice(WORDS) + str(i): value(depth + 1) for i in range(rng.randrange(0, 5))}


def case(args, kwargs):
    text_args = json.dumps(args)
    text_kwargs = json.dumps(kwargs)
    # What a worker or Python client sees after decoding the body.
    args, kwargs = json.loads(text_args), json.loads(text_kwargs)
    return {
        "args": text_args,
        "kwargs": text_kwargs,
        "argsrepr": saferepr(tuple(args), 1024),
        "kwargsrepr": saferepr(kwargs, 1024),
        "json": json.dumps([args, kwargs]),
    }


cases = [
    case([2, 3], {}),
    case([1], {}),
    case([], {"x": 2, "y": 40}),
    case(["it's", 'say "hi"', None, True, False], {}),
    case([[1, [2, {"a": [3]}]]], {"a": {"b": {"c": {"d": 1}}}}),
    case(["x" * 2000], {"k": "v " * 600}),
    case(list(range(600)), {}),
    case([["y" * 100] * 20], {}),
    case([{"k": list(range(400))}], {}),
]
for n in range(300):
    args = [value(1) for _ in range(rng.randrange(0, 6))]
    kwargs = {rng.choice(WORDS) + str(i): value(1) for i in range(rng.randrange(0, 4))}
    cases.append(case(args, kwargs))
# Sizes straddling the 1024 budget, where the cut lands on every kind of token.
for n in range(120):
    size = rng.randrange(150, 400)
    args = [value(2) if rng.random() < 0.3 else rng.choice(WORDS) for _ in range(size // 10)]
    cases.append(case(args, {"k" * rng.randrange(1, 40): value(1)}))

# One case per line, so a regenerated file diffs readably.
sys.stdout.write('{"celery": %s, "cases": [\n' % json.dumps(celery.__version__))
sys.stdout.write(",\n".join(json.dumps(c) for c in cases))
sys.stdout.write("\n]}\n")
