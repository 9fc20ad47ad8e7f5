"""Python Celery tasks that Bullpen calls, for the interop tests.

Run a worker with
    BULLPEN_BROKER_URL=amqp://... BULLPEN_RESULT_URL=redis://host:port/db BULLPEN_KEY_PREFIX=<prefix> \
    python3 -m celery -A bullpen_pytasks worker -Q <queue> -c 2 --pool=prefork -n pytest-<uuid>@%h
BULLPEN_KEY_PREFIX is Bullpen's bullpen.result.key-prefix, given to Celery as global_keyprefix.
"""
import os
import time

from celery import Celery
from celery.backends.base import KeyValueStoreBackend
from celery.backends.redis import RedisBackend


class PrefixedRedisBackend(RedisBackend):
    """Celery's Redis backend, honouring global_keyprefix on Celery 5.2 too.

    Celery 5.3 added result_backend_transport_options['global_keyprefix']; 5.2 ignores it. On 5.2
    this does what 5.3's KeyValueStoreBackend._add_global_keyprefix does, so that the tests can use
    a key prefix of their own, as Bullpen's do. On 5.3 and later it changes nothing.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if hasattr(KeyValueStoreBackend, "_add_global_keyprefix"):
            return
        prefix = (self.app.conf.result_backend_transport_options or {}).get("global_keyprefix")
        if prefix:
            if prefix[-1] not in ":_-.":
                prefix += "_"
            encoded = prefix.encode()
            self.task_keyprefix = encoded + self.task_keyprefix
            self.group_keyprefix = encoded + self.group_keyprefix
            self.chord_keyprefix = encoded + self.chord_keyprefix


app = Celery("bullpen_pytasks", broker=os.environ["BULLPEN_BROKER_URL"],
             backend=__name__ + ":PrefixedRedisBackend+" + os.environ["BULLPEN_RESULT_URL"])
app.conf.update(
    task_serializer="json", result_serializer="json", accept_content=["json"],
    result_extended=True,
    # The tests run the worker in a zone that is not UTC (TZ), so that an eta misread as local time shows.
    timezone=os.environ.get("TZ") or None,
    result_backend_transport_options={"global_keyprefix": os.environ.get("BULLPEN_KEY_PREFIX", "")},
    broker_connection_retry_on_startup=True,
    worker_prefetch_multiplier=1,
)


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
