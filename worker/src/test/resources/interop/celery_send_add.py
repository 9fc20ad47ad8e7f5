"""A Python Celery client calling a Bullpen worker: send_task("demo.add", [2, 3]).get().

Usage: celery_send_add.py BROKER_URL BACKEND_URL QUEUE
Prints "<task id> <result>".
"""
import sys

from celery import Celery

broker, backend, queue = sys.argv[1:4]
app = Celery("interop", broker=broker, backend=backend)
app.conf.update(task_serializer="json", result_serializer="json", accept_content=["json"],
                broker_connection_retry_on_startup=True)
result = app.send_task("demo.add", args=[2, 3], queue=queue)
print(result.id, result.get(timeout=20))
