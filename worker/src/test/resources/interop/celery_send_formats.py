"""A Python Celery client sending compressed and very long messages to a Bullpen worker.

Usage: celery_send_formats.py BROKER_URL BACKEND_URL QUEUE LONG_TASK_NAME
Prints one JSON object a line: {"step": ..., "id": ..., "result": ..., ...}.
- zlib, gzip: send_task("demo.add", [2, 3], compression=...) and get() (kombu sends both as application/x-gzip);
- bzip2: the same with compression="bzip2", not waited for (Bullpen cannot read it and dead-letters it);
- long: "formats.sizes" with a 100,000-character argument, argsrepr_maxsize raised so that argsrepr is as long,
  and a 250-character task id; get() returns the sizes Bullpen saw, "argsrepr" the length Celery sent;
- long_name: a 1,013-character task name with the same argument, zlib-compressed.
"""
import json
import sys

from celery import Celery
from celery.utils.saferepr import saferepr

broker, backend, queue, long_name = sys.argv[1:5]
app = Celery("interop", broker=broker, backend=backend)
app.conf.update(task_serializer="json", result_serializer="json", accept_content=["json"],
                broker_connection_retry_on_startup=True)


def show(step, async_result, **extra):
    print(json.dumps(dict(step=step, id=async_result.id, **extra)), flush=True)


for compression in ("zlib", "gzip"):
    r = app.send_task("demo.add", args=[2, 3], queue=queue, compression=compression)
    show(compression, r, result=r.get(timeout=20))

show("bzip2", app.send_task("demo.add", args=[2, 3], queue=queue, compression="bzip2"))

# Celery cuts argsrepr at 1024 characters by default; lift that to send a header past 64 KiB.
app.amqp.argsrepr_maxsize = 200_000
big = "x" * 100_000
r = app.send_task("formats.sizes", args=[big], queue=queue, task_id="long-id-" + "9" * 242)
show("long", r, result=r.get(timeout=20), argsrepr=len(saferepr([big], 200_000)))

r = app.send_task(long_name, args=[big], queue=queue, compression="zlib")
show("long_name", r, result=r.get(timeout=20))
