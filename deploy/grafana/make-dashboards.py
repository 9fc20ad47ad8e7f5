#!/usr/bin/env python3
"""Writes the provisioned Grafana dashboards (dashboards/*.json) from the panel lists below.

Edit here, run `python3 deploy/grafana/make-dashboards.py`, commit both. Every `expr` is evaluated
against a real Prometheus by producer's DashboardQueriesIntegrationTests, which fails on any query
that errors or returns nothing.
"""
import json
import pathlib

R = "$__rate_interval"


def panel(title, targets, kind="timeseries", unit=None, w=12, h=8, description=None):
    p = {"type": kind, "title": title, "datasource": {"type": "prometheus", "uid": "prometheus"},
         "targets": [{"refId": chr(65 + i), "expr": e, "legendFormat": l,
                      "datasource": {"type": "prometheus", "uid": "prometheus"}} for i, (e, l) in enumerate(targets)],
         "fieldConfig": {"defaults": {"unit": unit or "short"}, "overrides": []},
         "options": {}, "gridPos": {"w": w, "h": h}}
    if description:
        p["description"] = description
    if kind == "stat":
        p["options"] = {"reduceOptions": {"calcs": ["lastNotNull"], "fields": "", "values": False},
                        "colorMode": "value", "graphMode": "area"}
    return p


def quantiles(metric, by, label):
    return [(f"histogram_quantile({q}, sum by (le, {by}) (rate({metric}_bucket[{R}])))", f"p{int(q * 100)} {label}")
            for q in (0.5, 0.95, 0.99)]


def layout(panels):
    x = y = row_h = 0
    for i, p in enumerate(panels):
        p["id"] = i + 1
        g = p["gridPos"]
        if x + g["w"] > 24:
            x, y, row_h = 0, y + row_h, 0
        g["x"], g["y"] = x, y
        x += g["w"]
        row_h = max(row_h, g["h"])
    return panels


def dashboard(uid, title, description, panels):
    return {"uid": uid, "title": title, "description": description, "tags": ["bullpen"], "timezone": "browser",
            "schemaVersion": 39, "version": 1, "editable": False, "refresh": "5s",
            "time": {"from": "now-15m", "to": "now"}, "panels": layout(panels), "templating": {"list": []}}


BULLPEN = [
    panel("Workers alive", [("bullpen_workers_alive", "heartbeats"),
                            ('count(up{job="bullpen-worker"} == 1)', "scraped")], "stat", w=4, h=5,
          description="Workers whose heartbeat arrived in the last 15 s (producer), and worker replicas Prometheus scrapes."),
    panel("Tasks in flight", [("sum(bullpen_tasks_in_flight)", "in flight")], "stat", w=4, h=5),
    panel("Queue depth", [('sum(bullpen_queue_messages_ready{queue!~".*[.]dlq"})', "ready"),
                          ('sum(bullpen_queue_messages_unacked{queue!~".*[.]dlq"})', "unacked")], "stat", w=4, h=5),
    panel("Dead letters", [('sum(bullpen_queue_messages_ready{queue=~".*[.]dlq"})', "in DLQs")], "stat", w=4, h=5),
    panel("Failure ratio (5 m)", [("sum(rate(bullpen_tasks_failed_total[5m])) / clamp_min(sum(rate(bullpen_tasks_failed_total[5m])) + sum(rate(bullpen_tasks_succeeded_total[5m])), 1e-9)", "failed / finished")],
          "stat", unit="percentunit", w=4, h=5),
    panel("Published / s", [("sum(rate(bullpen_tasks_published_total[" + R + "]))", "published")], "stat", unit="ops", w=4, h=5),
    panel("Tasks / s by state", [
        (f"sum(rate(bullpen_tasks_received_total[{R}]))", "received"),
        (f"sum(rate(bullpen_tasks_started_total[{R}]))", "started"),
        (f"sum(rate(bullpen_tasks_succeeded_total[{R}]))", "succeeded"),
        (f"sum(rate(bullpen_tasks_failed_total[{R}]))", "failed"),
        (f"sum(rate(bullpen_tasks_retried_total[{R}]))", "retried"),
        (f"sum(rate(bullpen_tasks_revoked_total[{R}]))", "revoked")], unit="ops"),
    panel("Succeeded / s by task", [(f"sum by (task) (rate(bullpen_tasks_succeeded_total[{R}]))", "{{task}}")], unit="ops"),
    panel("Runtime by task", quantiles("bullpen_task_runtime_seconds", "task", "{{task}}"), unit="s",
          description="From the start of the task method to its return or throw."),
    panel("Wait time (published to started)", quantiles("bullpen_task_wait_seconds", "queue", "{{queue}}"), unit="s",
          description="From the producer's publish to the worker's start, per queue; includes any countdown or ETA."),
    panel("Queue depth by queue", [('sum by (queue) (bullpen_queue_messages_ready{queue!~".*[.]dlq"})', "{{queue}} ready"),
                                   ('sum by (queue) (bullpen_queue_messages_unacked{queue!~".*[.]dlq"})', "{{queue}} unacked")]),
    panel("Dead-letter queues", [('sum by (queue) (bullpen_queue_messages_ready{queue=~".*[.]dlq"})', "{{queue}}")]),
    panel("Consumers by queue", [('sum by (queue) (bullpen_queue_consumers{queue!~".*[.]dlq"})', "{{queue}}")], w=8),
    panel("In flight by worker", [("sum by (instance) (bullpen_tasks_in_flight)", "{{instance}}")], w=8),
    panel("Retries / s by task", [(f"sum by (task) (rate(bullpen_tasks_retried_total[{R}]))", "{{task}}")], unit="ops", w=8),
    panel("Failures / s by task", [(f"sum by (task) (rate(bullpen_tasks_failed_total[{R}]))", "{{task}}")], unit="ops", w=8),
    panel("Publish latency (with confirm)", quantiles("bullpen_publish_latency_seconds", "queue", "{{queue}}"), unit="s", w=8),
    panel("HTTP requests / s", [(f'sum by (method, uri, status) (rate(http_server_requests_seconds_count{{job="bullpen-producer"}}[{R}]))',
                                 "{{method}} {{uri}} {{status}}")], unit="reqps", w=8),
]

RABBITMQ = [
    panel("Nodes", [("count(rabbitmq_build_info)", "nodes")], "stat", w=4, h=5),
    panel("Connections", [("sum(rabbitmq_connections)", "connections")], "stat", w=4, h=5),
    panel("Channels", [("sum(rabbitmq_channels)", "channels")], "stat", w=4, h=5),
    panel("Queues", [("sum(rabbitmq_queues)", "queues")], "stat", w=4, h=5),
    panel("Consumers", [("sum(rabbitmq_consumers)", "consumers")], "stat", w=4, h=5),
    panel("Messages ready", [("sum(rabbitmq_queue_messages_ready)", "ready")], "stat", w=4, h=5),
    panel("Messages / s", [
        (f"sum(rate(rabbitmq_global_messages_received_total[{R}]))", "published"),
        (f"sum(rate(rabbitmq_global_messages_confirmed_total[{R}]))", "confirmed"),
        (f"sum(rate(rabbitmq_global_messages_routed_total[{R}]))", "routed"),
        (f"sum(rate(rabbitmq_global_messages_delivered_total[{R}]))", "delivered"),
        (f"sum(rate(rabbitmq_global_messages_acknowledged_total[{R}]))", "acknowledged"),
        (f"sum(rate(rabbitmq_global_messages_redelivered_total[{R}]))", "redelivered")], unit="ops"),
    panel("Messages in queues", [("sum(rabbitmq_queue_messages_ready)", "ready"),
                                 ("sum(rabbitmq_queue_messages_unacked)", "unacked")]),
    panel("Dead-lettered / s", [(f"sum(rate(rabbitmq_global_messages_dead_lettered_expired_total[{R}]))", "expired (delay levels)"),
                                (f"sum(rate(rabbitmq_global_messages_dead_lettered_rejected_total[{R}]))", "rejected")], unit="ops"),
    panel("Memory", [("sum(rabbitmq_process_resident_memory_bytes)", "resident"),
                     ("sum(rabbitmq_resident_memory_limit_bytes)", "high watermark")], unit="bytes"),
    panel("Disk free", [("sum(rabbitmq_disk_space_available_bytes)", "free"),
                        ("sum(rabbitmq_disk_space_available_limit_bytes)", "limit")], unit="bytes"),
    panel("File descriptors", [("sum(rabbitmq_process_open_fds)", "open"), ("sum(rabbitmq_process_max_fds)", "max")]),
]

here = pathlib.Path(__file__).parent / "dashboards"
here.mkdir(exist_ok=True)
for name, board in {
    "bullpen-overview.json": dashboard("bullpen-overview", "Bullpen overview",
                                       "Tasks, queues and workers of a Bullpen deployment.", BULLPEN),
    "rabbitmq-overview.json": dashboard("bullpen-rabbitmq", "RabbitMQ overview",
                                        "The broker, from RabbitMQ's rabbitmq_prometheus plugin.", RABBITMQ),
}.items():
    (here / name).write_text(json.dumps(board, indent=2) + "\n")
    print("wrote", here / name)
