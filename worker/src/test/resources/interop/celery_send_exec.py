"""A Python Celery client calling the built-in bullpen.exec on a Bullpen worker.

Usage: celery_send_exec.py BROKER_URL BACKEND_URL QUEUE FILE
FILE is named relative to the worker's bullpen.worker.exec.work-dir.
Prints one JSON line: {ids, echo, stdin, gzip, not_allowed, failed, escape}, the last three as {state, type, str}.
"""
import json
import sys

from celery import Celery

broker, backend, queue, path = sys.argv[1:5]
app = Celery("interop", broker=broker, backend=backend)
app.conf.update(task_serializer="json", result_serializer="json", accept_content=["json"],
                broker_connection_retry_on_startup=True)
ids = []


def call(**kwargs):
    r = app.send_task("bullpen.exec", kwargs=kwargs, queue=queue)
    ids.append(r.id)
    return r


def failure(r):
    try:
        r.get(timeout=20)
        return {"state": r.state}
    except Exception as exc:  # a class Celery made, named after the worker's exception
        return {"state": r.state, "type": type(exc).__name__, "str": str(exc)}


echo = call(program="echo", args=["from", "python", "; rm -rf /"]).get(timeout=20)
stdin = call(program="cat", stdin="caf\u00e9 \u2603\n").get(timeout=20)
gzip = call(program="gzip", args=["-k", path], timeout=10).get(timeout=20)
not_allowed = failure(call(program="rm", args=["-rf", path]))
failed = failure(call(program="sh", args=["-c", "echo bad >&2; exit 2"]))
escape = failure(call(program="gzip", args=["-dc", "/etc/shadow"]))
print(json.dumps({"ids": ids, "echo": echo, "stdin": stdin, "gzip": gzip, "not_allowed": not_allowed,
                  "failed": failed, "escape": escape}))
