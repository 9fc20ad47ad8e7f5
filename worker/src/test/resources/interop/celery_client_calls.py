"""A Python Celery client calling Bullpen tasks, for what CeleryClientInteropIntegrationTests checks.

Usage: celery_client_calls.py COMMAND BROKER_URL BACKEND_URL QUEUE; each prints one JSON line.
  json-types     demo.echo(*ARGS, **KWARGS) with every JSON type; {id, same, sent, got, arg_types, kwarg_types}
                 ("same": what came back is what was sent, compared as JSON text, so 3.0 is not 3)
  failure        demo.fail(MESSAGE); {id, state, type, module, args, str, traceback, is_exception}
  not-registered a task name no worker has; {id, state, type, module, is_not_registered, args}
  expires        demo.add(1, 2), countdown 3 s, expires 1 s; {id, state, type, result}
  eta            interop.when with countdown=2, an aware eta (+05:30) and a naive (UTC) eta, each 2 s ahead;
                 {runs: [{how, id, eta, result}]}: "eta" the earliest instant meant (ISO, UTC), "result" what the task returned
"""
import json
import sys
import time
from datetime import datetime, timedelta, timezone

from celery import Celery
from celery.exceptions import NotRegistered

MESSAGE = "boom: caf\u00e9 \u2603 \"quoted\""
ARGS = [42, -7, 9007199254740993, 9223372036854775807, 18446744073709551617, 3.25, 1.5e-10, -0.0, 1e300,
        "h\u00e9llo \"w\u00f6rld\" \u2603 \U0001F600", "", True, False, None,
        [1, "two", 3.0, None, False], [], {"a": 1, "b": [2]}, {},
        {"deep": [{"x": [1, [2, [3, {"y": None}]]]}]}]
KWARGS = {"k": [1.5, False], "none": None, "caf\u00e9": "\u2603", "nested": {"empty": {}, "list": [[]]}}


def make_app(broker, backend):
    app = Celery("interop", broker=broker, backend=backend)
    app.conf.update(task_serializer="json", result_serializer="json", accept_content=["json"],
                    broker_connection_retry_on_startup=True)
    return app


def show(**fields):
    print(json.dumps(fields), flush=True)


def json_types(app, queue):
    r = app.send_task("demo.echo", args=ARGS, kwargs=KWARGS, queue=queue)
    got = r.get(timeout=20)
    sent = {"args": ARGS, "kwargs": KWARGS}
    show(id=r.id, same=json.dumps(got, sort_keys=True) == json.dumps(sent, sort_keys=True), sent=sent, got=got,
         arg_types=[type(a).__name__ for a in got["args"]],
         kwarg_types={k: type(v).__name__ for k, v in got["kwargs"].items()})


def failure(app, queue):
    r = app.send_task("demo.fail", args=[MESSAGE], queue=queue)
    try:
        r.get(timeout=20)
        show(id=r.id, state=r.state)
    except Exception as exc:  # the class Celery made from what the worker stored
        show(id=r.id, state=r.state, type=type(exc).__name__, module=type(exc).__module__, args=list(exc.args),
             str=str(exc), traceback=r.traceback, is_exception=isinstance(exc, Exception))


def not_registered(app, queue):
    r = app.send_task("interop.no_such_task", args=[1], queue=queue)
    try:
        r.get(timeout=20)
        show(id=r.id, state=r.state)
    except Exception as exc:
        show(id=r.id, state=r.state, type=type(exc).__name__, module=type(exc).__module__,
             is_not_registered=isinstance(exc, NotRegistered), args=list(exc.args))


def expires(app, queue):
    r = app.send_task("demo.add", args=[1, 2], queue=queue, countdown=3, expires=1)
    try:
        value = r.get(timeout=20)
        show(id=r.id, state=r.state, result=value)
    except Exception as exc:
        show(id=r.id, state=r.state, type=type(exc).__name__, result=repr(exc))


def eta(app, queue):
    kolkata = timezone(timedelta(hours=5, minutes=30))
    sent = []
    before = datetime.now(timezone.utc)
    sent.append(("countdown", before + timedelta(seconds=2),
                 app.send_task("interop.when", queue=queue, countdown=2)))
    aware = datetime.now(kolkata) + timedelta(seconds=2)
    sent.append(("aware", aware, app.send_task("interop.when", queue=queue, eta=aware)))
    naive = datetime.utcnow() + timedelta(seconds=2)  # no tzinfo: UTC, as the protocol says
    sent.append(("naive", naive.replace(tzinfo=timezone.utc), app.send_task("interop.when", queue=queue, eta=naive)))
    runs = []
    for how, meant, r in sent:
        runs.append({"how": how, "id": r.id, "eta": meant.astimezone(timezone.utc).isoformat(),
                     "result": r.get(timeout=20)})
    show(runs=runs)


if __name__ == "__main__":
    command, broker, backend, queue = sys.argv[1:5]
    {"json-types": json_types, "failure": failure, "not-registered": not_registered, "expires": expires,
     "eta": eta}[command](make_app(broker, backend), queue)
