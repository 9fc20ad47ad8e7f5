"""A Python Celery 5.2 client builds canvas workflows of Bullpen demo tasks and reads their results.

Usage: celery_canvas.py BROKER_URL BACKEND_URL QUEUE CASE
CASE is chain, chain_into_group, group_into_chain, link, link_error, group, restore GROUP_ID, chord or
chord_failure. Prints one JSON line.
"""
import json
import sys

from celery import Celery, chain, chord, group
from celery.exceptions import ChordError
from celery.result import GroupResult

broker, backend, queue, case = sys.argv[1:5]
extra = sys.argv[5:]
app = Celery("interop", broker=broker, backend=backend)
app.conf.update(task_serializer="json", result_serializer="json", accept_content=["json"],
                task_default_queue=queue, broker_connection_retry_on_startup=True)


def s(name, *args):
    return app.signature(name, args=args)


if case == "chain":
    result = chain(s("demo.add", 1, 2), s("demo.add", 3), s("demo.add", 4)).apply_async()
    print(json.dumps({"result": result.get(timeout=30), "parent": result.parent.get(timeout=5)}))
elif case == "chain_into_group":
    result = chain(s("demo.add", 1, 1), group(s("demo.mul", 10), s("demo.mul", 100))).apply_async()
    print(json.dumps({"result": result.get(timeout=30)}))
elif case == "group_into_chain":
    result = chain(group(s("demo.add", 1, 1), s("demo.add", 2, 2)), s("demo.tsum"), s("demo.mul", 10)).apply_async()
    print(json.dumps({"result": result.get(timeout=30)}))
elif case == "link":
    callback = s("demo.mul", 10).freeze()
    result = s("demo.add", 2, 3).apply_async(link=s("demo.mul", 10).set(task_id=callback.id))
    print(json.dumps({"result": result.get(timeout=30), "callback": app.AsyncResult(callback.id).get(timeout=30)}))
elif case == "link_error":
    errback = app.signature("demo.echo").freeze()
    result = s("demo.fail", "boom").apply_async(link_error=app.signature("demo.echo").set(task_id=errback.id))
    echoed = app.AsyncResult(errback.id).get(timeout=30)
    print(json.dumps({"failed": result.id, "state": result.state, "errback_args": echoed["args"]}))
elif case == "group":
    result = group(s("demo.add", i, i) for i in range(10)).apply_async()
    result.save()
    values = result.get(timeout=30)
    restored = GroupResult.restore(result.id, app=app)
    print(json.dumps({"results": values, "same_members": [r.id for r in restored.results] == [r.id for r in result.results],
                      "restored": [r.get(timeout=5) for r in restored.results],
                      "completed": restored.completed_count()}))
elif case == "restore":
    # A group that Bullpen's Java client sent and saved.
    restored = GroupResult.restore(extra[0], app=app)
    print(json.dumps({"results": restored.get(timeout=30), "ids": [r.id for r in restored.results]}))
elif case == "chord":
    result = chord(s("demo.add", i, i) for i in range(5))(s("demo.tsum"))
    print(json.dumps({"result": result.get(timeout=30)}))
elif case == "chord_failure":
    sleeper = s("demo.sleep", 10).freeze()
    failing = s("demo.fail", "member broke").freeze()
    header = [s("demo.add", 1, 1), s("demo.fail", "member broke").set(task_id=failing.id),
              s("demo.sleep", 10).set(task_id=sleeper.id)]
    result = chord(header)(s("demo.tsum"))
    try:
        # The body alone: the chord's own result would first re-raise the header task's error.
        app.AsyncResult(result.id).get(timeout=30)
        print(json.dumps({"error": "the body succeeded"}))
    except ChordError as exc:
        # Read at once: a body that failed promptly did so while the 10 s member still runs.
        print(json.dumps({"error": type(exc).__name__, "message": str(exc), "state": app.AsyncResult(result.id).state,
                          "failed_member": failing.id, "sleeper_ready": app.AsyncResult(sleeper.id).ready()}))
else:
    raise SystemExit("unknown case " + case)
