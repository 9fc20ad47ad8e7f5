"""Python Celery tasks that Bullpen calls, for the interop tests.

Run a worker with
    BULLPEN_BROKER_URL=amqp://... BULLPEN_RESULT_URL=redis://host:port/db BULLPEN_KEY_PREFIX=<prefix> \
    python3 -m celery -A bullpen_pytasks worker -Q <queue> -c 2 --pool=prefork -n pytest-<uuid>@%h
BULLPEN_KEY_PREFIX is Bullpen's bullpen.result.key-prefix: results are stored under
<prefix>celery-task-meta-<id>, where Bullpen reads them.
"""
import os
import time

from celery import Celery
from celery.backends.redis import RedisBackend


class PrefixedRedisBackend(RedisBackend):
    """Celery's Redis backend with BULLPEN_KEY_PREFIX, as is, before its key names.

    So that each test keeps its results apart in a shared Redis, as Bullpen's tests do, on any
    Celery: 5.2 has no result_backend_transport_options['global_keyprefix'], and 5.3+ put a '_'
    after it (since celery#9080, only when it does not already end in one of ':_-.').
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        prefix = os.environ.get("BULLPEN_KEY_PREFIX", "").encode()
        self.task_keyprefix = prefix + self.task_keyprefix
        self.group_keyprefix = prefix + self.group_keyprefix
        self.chord_keyprefix = prefix + self.chord_keyprefix


app = Celery("bullpen_pytasks", broker=os.environ["BULLPEN_BROKER_URL"],
             backend=__name__ + ":PrefixedRedisBackend+" + os.environ["BULLPEN_RESULT_URL"])
app.conf.update(
    task_serializer="json", result_serializer="json", accept_content=["json"],
    result_extended=True,
    # The tests run the worker in a zone that is not UTC (TZ), so that an eta misread as local time shows.
    timezone=os.environ.get("TZ") or None,
    broker_connection_retry_on_startup=True,
    worker_prefetch_multiplier=1,
    # BULLPEN_WORKER_DIRECT=1: also consume <nodename>.dq2 on exchange C.dq2, as Bullpen workers do.
    worker_direct=os.environ.get("BULLPEN_WORKER_DIRECT") == "1",
)


@app.task(name="demo.whoami", bind=True)
def whoami(self):
    """The node name of the worker that runs it, as Bullpen's demo.whoami."""
    return self.request.hostname


@app.task(name="py.json_types")
def json_types():
    """Every JSON type, nested."""
    return {
        "int": 42, "negative": -7, "big": 9007199254740993, "float": 3.25, "exp": 1.5e-10,
        "str": "héllo \"wörld\" ☃", "empty_str": "", "true": True, "false": False, "none": None,
        "list": [1, "two", 3.0, None, False], "empty_list": [], "dict": {"a": 1, "b": [2]}, "empty_dict": {},
        "nested": {"deep": [{"x": [1, [2, [3, {"y": None}]]]}]},
    }


@app.task(name="py.echo")
def echo(*args, **kwargs):
    """What Bullpen sent, as Python received it."""
    return {"args": list(args), "kwargs": kwargs, "types": [type(a).__name__ for a in args]}


@app.task(name="py.fail")
def fail():
    raise ValueError("bad", 42)


@app.task(name="py.greet")
def greet(name, greeting="Hello", punctuation="!"):
    return f"{greeting}, {name}{punctuation}"


@app.task(name="py.when", bind=True)
def when(self):
    """When this ran (epoch seconds) and the eta it was given."""
    return {"ran_at": time.time(), "eta": self.request.eta}


@app.task(name="py.sleep")
def sleep(seconds):
    time.sleep(seconds)
    return seconds


@app.task(name="py.mark", bind=True)
def mark(self, seconds=0):
    """Marks in Redis that it started ("<BULLPEN_KEY_PREFIX>pytest-ran-<id>"), then sleeps."""
    key = os.environ.get("BULLPEN_KEY_PREFIX", "") + "pytest-ran-" + self.request.id
    app.backend.client.set(key, "1", ex=3600)
    time.sleep(seconds)
    return seconds


@app.task(name="py.retry_once", bind=True, max_retries=3)
def retry_once(self):
    """Retries once (Celery's self.retry, 2 s later) with an OSError, then returns its retries."""
    if self.request.retries < 1:
        raise self.retry(exc=OSError("flaky"), countdown=2)
    return self.request.retries


@app.task(name="py.add")
def add(x, y):
    """The sum, as demo.add on Bullpen: a step of a chain that mixes Java and Python tasks."""
    return x + y
