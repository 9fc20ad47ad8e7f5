"""Python Celery and a Bullpen worker's direct queue (Celery's worker_direct).

Usage:
  celery_direct.py send BROKER_URL NODE
      sends demo.whoami twice to NODE alone: once with exchange="C.dq2", routing_key=NODE, once with
      queue=worker_direct(NODE); prints JSON {by_exchange, by_queue} (the task ids)
  celery_direct.py declare BROKER_URL NODE
      declares worker_direct(NODE) as a Celery worker with worker_direct=True does: it fails
      (PRECONDITION_FAILED) unless the queue, its exchange and binding exist as Celery declares them;
      prints JSON {declared: NAME}
"""
import json
import sys

from celery import Celery
from celery.utils.nodenames import worker_direct


def make_app(broker):
    app = Celery("interop", broker=broker)
    app.conf.update(task_serializer="json", accept_content=["json"], broker_connection_retry_on_startup=True)
    return app


def send(broker, node):
    app = make_app(broker)
    by_exchange = app.send_task("demo.whoami", exchange="C.dq2", routing_key=node)
    by_queue = app.send_task("demo.whoami", queue=worker_direct(node))
    print(json.dumps({"by_exchange": by_exchange.id, "by_queue": by_queue.id}))


def declare(broker, node):
    app = make_app(broker)
    with app.connection_for_write() as connection:
        queue = worker_direct(node)(connection.default_channel)
        queue.declare()
        print(json.dumps({"declared": queue.name}))


if __name__ == "__main__":
    command, args = sys.argv[1], sys.argv[2:]
    {"send": send, "declare": declare}[command](*args)
