"""A Python Celery client calling a Bullpen task that retries: send_task("demo.flaky", [1]).

Watches the state until it reads RETRY (the worker stored Celery's retry result), then waits for
the result. Usage: celery_send_flaky.py BROKER_URL BACKEND_URL QUEUE
Prints "<task id> <state seen while waiting> <exception type seen> <result> <retries>".
"""
import sys
import time

from celery import Celery

broker, backend, queue = sys.argv[1:4]
app = Celery("interop", broker=broker, backend=backend)
app.conf.update(task_serializer="json", result_serializer="json", accept_content=["json"],
                result_extended=True, broker_connection_retry_on_startup=True)
result = app.send_task("demo.flaky", args=[1], queue=queue)
seen, seen_type = "none", "none"
deadline = time.monotonic() + 20
while time.monotonic() < deadline and not result.ready():
    if result.state == "RETRY":
        seen, seen_type = "RETRY", type(result.result).__name__
        break
    time.sleep(0.02)
value = result.get(timeout=20)
print(result.id, seen, seen_type, value, result.retries)
