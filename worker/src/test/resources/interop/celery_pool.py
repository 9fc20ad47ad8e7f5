"""A Python Celery 5.2 client calls Bullpen demo tasks with map, starmap and chunks.

Usage: celery_pool.py BROKER_URL BACKEND_URL QUEUE CASE
CASE is chunks, map, starmap, chunks_failure or chunks_in_chain. Prints one JSON line.
The tasks below are stubs: they name Bullpen's demo tasks, which a Bullpen worker runs.
"""
import json
import sys

from celery import Celery, chain
from celery.result import result_from_tuple

broker, backend, queue, case = sys.argv[1:5]
app = Celery("interop", broker=broker, backend=backend)
app.conf.update(task_serializer="json", result_serializer="json", accept_content=["json"],
                task_default_queue=queue, broker_connection_retry_on_startup=True)


@app.task(name="demo.add")
def add(x, y):
    raise AssertionError("runs on the Bullpen worker")


@app.task(name="demo.tsum")
def tsum(numbers):
    raise AssertionError("runs on the Bullpen worker")


if case == "chunks":
    result = add.chunks(zip(range(100), range(100)), 10).apply_async()
    print(json.dumps({"result": result.get(timeout=30), "tasks": len(result.results)}))
elif case == "map":
    print(json.dumps({"result": tsum.map([[1, 2], [3, 4], [5, 6]]).delay().get(timeout=30)}))
elif case == "starmap":
    print(json.dumps({"result": add.starmap(zip(range(10), range(10))).delay().get(timeout=30)}))
elif case == "chunks_failure":
    result = add.chunks([[1, 2], [3, 4], [5, 6], [7, "x"], [9, 10]], 2).apply_async()
    try:
        result.get(timeout=30)
        print(json.dumps({"error": "no failure"}))
    except Exception as exc:  # the Bullpen worker's TypeError, rebuilt by Celery
        failed = result.results[1]
        stored = json.loads(app.backend.get(app.backend.get_key_for_task(failed.id)))
        print(json.dumps({"type": type(exc).__name__, "message": str(exc), "failed_state": failed.state,
                          "item_index": stored["result"].get("item_index"),
                          "others": [r.get(timeout=30) for r in (result.results[0], result.results[2])]}))
elif case == "chunks_in_chain":
    # A chunks step inside a chain travels as a plain celery.chunks task: the worker sends the group.
    result = chain(add.s(1, 1), add.chunks([[1, 2], [3, 4], [5, 6]], 2)).apply_async()
    group = result_from_tuple(result.get(timeout=30), app=app)
    print(json.dumps({"first": result.parent.get(timeout=5), "result": group.get(timeout=30)}))
else:
    raise SystemExit("unknown case " + case)
