"""Messages whose AMQP headers a Java consumer could not read, as Python sends them.

Usage:
  hostile_headers.py celery BROKER_URL QUEUE
      Python Celery's send_task of hostile.header with headers={"tenant_id": 5000000000} and of
      demo.add with retries=2**62: py-amqp writes both integers with the field type 'L'.
      Prints the two task ids.
  hostile_headers.py deep BROKER_URL QUEUE DEPTH TASK_ID
      A demo.add task message, published with py-amqp, whose header 'deep' nests DEPTH tables
      (RabbitMQ passes it; the Java client's reader recurses once a level).
"""
import json
import sys
from urllib.parse import unquote, urlparse

mode, broker, queue = sys.argv[1:4]

if mode == "celery":
    from celery import Celery

    app = Celery("hostile", broker=broker)
    app.conf.update(task_serializer="json", accept_content=["json"], broker_connection_retry_on_startup=True)
    wide = app.send_task("hostile.header", args=["tenant_id"], queue=queue, headers={"tenant_id": 5000000000})
    retried = app.send_task("demo.add", args=[1, 2], queue=queue, retries=2 ** 62)
    print(wide.id, retried.id)
elif mode == "deep":
    import amqp

    depth, task_id = int(sys.argv[4]), sys.argv[5]
    sys.setrecursionlimit(depth * 4 + 1000)
    deep = "bottom"
    for _ in range(depth):
        deep = {"d": deep}
    url = urlparse(broker)
    with amqp.Connection(f"{url.hostname}:{url.port or 5672}", userid=unquote(url.username or "guest"),
                         password=unquote(url.password or "guest"),
                         virtual_host=unquote(url.path[1:]) or "/") as connection:
        channel = connection.channel()
        channel.confirm_select()
        body = json.dumps([[1, 2], {}, {"callbacks": None, "errbacks": None, "chain": None, "chord": None}])
        message = amqp.Message(body.encode(), content_type="application/json", content_encoding="utf-8",
                               correlation_id=task_id, delivery_mode=2,
                               application_headers={"lang": "py", "task": "demo.add", "id": task_id, "deep": deep})
        channel.basic_publish(message, exchange="", routing_key=queue)
    print(task_id)
else:
    sys.exit("unknown mode " + mode)
