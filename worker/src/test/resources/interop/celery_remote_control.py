"""Python Celery's remote control against a Bullpen worker.

Usage:
  celery_remote_control.py inspect BROKER_URL NODE
      prints JSON {ping, registered, active_queues, stats, active, nobody} for destination=[NODE]
      ("nobody" pings a node that does not exist: None)
  celery_remote_control.py events BROKER_URL NODE
      listens with Celery's EventReceiver and events.State (what Flower and `celery events` use) until
      two heartbeats of NODE came, at most 15 s; prints JSON {types, alive, freq, sw_ident, processed}
  celery_remote_control.py revoke-waiting BROKER_URL BACKEND_URL QUEUE
      sends demo.add(1, 2) with a countdown, AsyncResult.revoke()s it (a broadcast, as Celery does),
      waits for its state; prints JSON {id, state, result}
  celery_remote_control.py terminate-running BROKER_URL BACKEND_URL QUEUE NODE
      sends demo.sleep(30), waits until inspect().active() lists it, revokes it with terminate=True
      asking NODE for a reply, waits for its state; prints JSON {id, seen_active, reply, state, result}
"""
import json
import sys
import time

from celery import Celery
from celery.result import AsyncResult


def make_app(broker, backend=None):
    app = Celery("interop", broker=broker, backend=backend)
    app.conf.update(task_serializer="json", result_serializer="json", accept_content=["json"],
                    broker_connection_retry_on_startup=True)
    return app


def wait_for_state(result, states, seconds):
    deadline = time.time() + seconds
    while time.time() < deadline:
        if result.state in states:
            break
        time.sleep(0.1)
    return result.state


def inspect(broker, node):
    app = make_app(broker)
    i = app.control.inspect(destination=[node], timeout=5)
    out = {
        "ping": i.ping(),
        "registered": i.registered(),
        "active_queues": i.active_queues(),
        "stats": i.stats(),
        "active": i.active(),
        "nobody": app.control.inspect(destination=["nobody-" + node], timeout=1).ping(),
    }
    print(json.dumps(out))


def events(broker, node):
    app = make_app(broker)
    state = app.events.State()
    types = []
    with app.connection_for_read() as connection:
        receiver = None

        def on_event(event):
            state.event(event)
            if event.get("hostname") == node:
                types.append(event["type"])
                if types.count("worker-heartbeat") >= 2:
                    receiver.should_stop = True

        receiver = app.events.Receiver(connection, handlers={"*": on_event})
        deadline = time.time() + 15
        try:
            for _ in receiver.itercapture(limit=None, timeout=15, wakeup=False):
                if receiver.should_stop or time.time() > deadline:
                    break
        except OSError:  # socket.timeout: no event at all for 15 s
            pass
    worker = state.workers.get(node)
    print(json.dumps({"types": types, "alive": bool(worker and worker.alive), "freq": worker and worker.freq,
                      "sw_ident": worker and worker.sw_ident, "processed": worker and worker.processed}))


def revoke_waiting(broker, backend, queue):
    app = make_app(broker, backend)
    result = app.send_task("demo.add", args=[1, 2], queue=queue, countdown=4)
    AsyncResult(result.id, app=app).revoke()
    state = wait_for_state(result, {"REVOKED", "SUCCESS", "FAILURE"}, 30)
    print(json.dumps({"id": result.id, "state": state, "result": repr(result.result)}))


def terminate_running(broker, backend, queue, node):
    app = make_app(broker, backend)
    result = app.send_task("demo.sleep", args=[30], queue=queue)
    seen_active = False
    deadline = time.time() + 20
    while time.time() < deadline and not seen_active:
        active = app.control.inspect(destination=[node], timeout=2).active() or {}
        seen_active = any(task["id"] == result.id for task in active.get(node, []))
        if not seen_active:
            time.sleep(0.2)
    reply = app.control.revoke(result.id, terminate=True, destination=[node], reply=True, timeout=5)
    # Well within the 30 s the task sleeps: only an interrupted task is REVOKED this soon.
    state = wait_for_state(result, {"REVOKED", "SUCCESS", "FAILURE"}, 15)
    print(json.dumps({"id": result.id, "seen_active": seen_active, "reply": reply, "state": state,
                      "result": repr(result.result)}))


if __name__ == "__main__":
    command, args = sys.argv[1], sys.argv[2:]
    {"inspect": inspect, "events": events, "revoke-waiting": revoke_waiting, "terminate-running": terminate_running}[command](*args)
