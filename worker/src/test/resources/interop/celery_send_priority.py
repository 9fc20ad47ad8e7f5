"""A Python Celery client sharing priority queues with Bullpen.

Declares each queue as docs/routing.md (Priorities) says a Celery app must (x-max-priority 9), which must agree with
how Bullpen declares it, then sends test.record tasks with priorities, lowest first.

Usage: celery_send_priority.py BROKER_URL QUEUE [QUEUE...]
Sends to the first queue: low-0, low-1 (priority 1), high-0, high-1 (priority 8).
"""
import sys

from celery import Celery
from kombu import Queue

broker, queues = sys.argv[1], sys.argv[2:]
app = Celery("interop", broker=broker)
app.conf.update(task_serializer="json", accept_content=["json"], broker_connection_retry_on_startup=True,
                task_queues=[Queue(name, queue_arguments={"x-max-priority": 9}) for name in queues])
with app.connection_for_write() as connection:
    channel = connection.default_channel
    for name in queues:
        app.amqp.queues[name](channel).declare()
for priority, label in [(1, "low-0"), (1, "low-1"), (8, "high-0"), (8, "high-1")]:
    app.send_task("test.record", args=[label], queue=queues[0], priority=priority)
print("sent")
