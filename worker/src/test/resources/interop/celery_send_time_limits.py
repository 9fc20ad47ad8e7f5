"""A Python Celery client calling Bullpen's demo.sleep with time limits, as Celery's own options.

send_task("demo.sleep", [60], time_limit=1) and (..., soft_time_limit=1), then get() each.
Usage: celery_send_time_limits.py BROKER_URL BACKEND_URL QUEUE
Prints, one line per call: "<task id> <state> <exception class> <exception module> <exception args>".
"""
import sys

from celery import Celery

broker, backend, queue = sys.argv[1:4]
app = Celery("interop", broker=broker, backend=backend)
app.conf.update(task_serializer="json", result_serializer="json", accept_content=["json"],
                broker_connection_retry_on_startup=True)
for options in ({"time_limit": 1}, {"soft_time_limit": 1}):
    result = app.send_task("demo.sleep", args=[60], queue=queue, **options)
    try:
        result.get(timeout=20)
        print(result.id, result.state, "none", "none", "none")
    except Exception as exc:  # what Celery rebuilt from the stored result
        print(result.id, result.state, type(exc).__name__, type(exc).__module__, repr(exc.args).replace(" ", ""))
