"""A Python Celery client starts a chain and a chord mixing Bullpen (demo.*) and Python (py.*) tasks.

Usage: mixed_canvas.py JAVA_QUEUE PYTHON_QUEUE chain|chord, with bullpen_pytasks on PYTHONPATH and its
BULLPEN_* variables set. Each signature names its queue with .set(queue=...), as a Python app routes
tasks to workers of another language. Prints one JSON line: the result and the last task's id.
"""
import json
import sys

from celery import chain, chord

from bullpen_pytasks import app

java, python, case = sys.argv[1:4]


def on(queue, name, *args):
    return app.signature(name, args=args).set(queue=queue)


if case == "chain":
    result = chain(on(java, "demo.add", 1, 2), on(python, "py.add", 4), on(java, "demo.mul", 10),
                   on(python, "py.add", 5)).apply_async()
elif case == "chord":
    result = chord([on(java, "demo.add", 1, 1), on(python, "py.add", 2, 2), on(java, "demo.mul", 3, 3),
                    on(python, "py.add", 4, 4)])(on(java, "demo.tsum"))
else:
    raise SystemExit("unknown case " + case)
print(json.dumps({"result": result.get(timeout=30), "id": result.id}))
