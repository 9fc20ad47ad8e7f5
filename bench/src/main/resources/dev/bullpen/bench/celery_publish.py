# Publishes N tasks with a real Celery client onto a queue (declared as Celery declares it), args
# [i, i]; prints each task id on a line. Usage: celery_publish.py BROKER QUEUE TASK N
import sys
from celery import Celery

broker, queue, task, n = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
app = Celery("bullpen-bench-publisher", broker=broker)
app.conf.update(task_serializer="json", accept_content=["json"], broker_connection_retry_on_startup=True)
out = sys.stdout
with app.producer_or_acquire() as producer:
    for i in range(n):
        out.write(app.send_task(task, args=[i, i], queue=queue, producer=producer).id + "\n")
out.flush()
