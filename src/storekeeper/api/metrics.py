"""Prometheus metrics of one app (GET /metrics, docs/operations.md lists them).

Each app has a registry of its own, so that building several apps in one process (the tests do)
never registers a metric twice. Requests are counted by route template (`/v1/items/{ref}`),
never by raw path, so that ids and SKUs do not become label values. The ledger and outbox
gauges are computed from the database when scraped, by two aggregate queries.
"""

from __future__ import annotations

import logging
from datetime import datetime

from prometheus_client import CollectorRegistry, Counter, Histogram, disable_created_metrics, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily
from sqlalchemy import and_, func, select

from storekeeper.domain.clock import utcnow
from storekeeper.persistence.database import Database
from storekeeper.persistence.tables import counters, events, reservations, webhooks

log = logging.getLogger("storekeeper.metrics")

disable_created_metrics()  # no `_created` series beside each counter: they only add noise

# Seconds: most requests take milliseconds; a bulk of 500 or a deep report may take a second.
LATENCY_BUCKETS = (0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)


class LedgerCollector:
    """Gauges read from the database at scrape time."""

    def __init__(self, db: Database):
        self.db = db

    def collect(self):
        up = GaugeMetricFamily("storekeeper_database_up", "1 if the last scrape could read the database, else 0.")
        try:
            due, movements, pending, oldest = self._read(utcnow())
        except Exception as exc:  # a scrape must still answer, saying the database is down
            log.warning("metrics: cannot read the database (%s: %s)", type(exc).__name__, exc)
            up.add_metric([], 0)
            yield up
            return
        up.add_metric([], 1)
        yield up
        yield GaugeMetricFamily(
            "storekeeper_reservations_due",
            "Active reservations past their expires_at that the worker has not marked expired yet.",
            value=due,
        )
        yield CounterMetricFamily(
            "storekeeper_movements", "Stock movements ever written, all workspaces together.", value=movements
        )
        yield GaugeMetricFamily(
            "storekeeper_outbox_pending_events",
            "Events not yet delivered, summed over every active webhook.",
            value=pending,
        )
        yield GaugeMetricFamily(
            "storekeeper_outbox_oldest_pending_seconds",
            "Age of the oldest event an active webhook has not been delivered yet (0 if none).",
            value=oldest,
        )

    def _read(self, now: datetime) -> tuple[int, int, int, float]:
        due = (
            select(func.count())
            .select_from(reservations)
            .where(reservations.c.status == "active", reservations.c.expires_at <= now)
            .scalar_subquery()
        )
        movements = select(func.coalesce(func.sum(counters.c.value), 0)).where(
            counters.c.name == "movements"
        ).scalar_subquery()
        outbox = (
            select(func.count(), func.min(events.c.created_at))
            .select_from(
                webhooks.join(
                    events,
                    and_(events.c.workspace_id == webhooks.c.workspace_id,
                         events.c.sequence > webhooks.c.delivered_sequence),
                )
            )
            .where(webhooks.c.is_active.is_(True), webhooks.c.deleted_at.is_(None))
        )
        with self.db.read() as conn:
            due_count, movement_count = conn.execute(select(due, movements)).one()
            pending, oldest = conn.execute(outbox).one()
        age = max(0.0, (now - oldest).total_seconds()) if oldest is not None else 0.0
        return int(due_count), int(movement_count), int(pending), age


class Metrics:
    def __init__(self, db: Database):
        self.registry = CollectorRegistry()
        self.requests = Counter(
            "storekeeper_http_requests",
            "HTTP requests answered, by method, route template and status.",
            ["method", "route", "status"],
            registry=self.registry,
        )
        self.latency = Histogram(
            "storekeeper_http_request_duration_seconds",
            "Time from a request's arrival to the end of its response, by method, route template and status.",
            ["method", "route", "status"],
            buckets=LATENCY_BUCKETS,
            registry=self.registry,
        )
        self.rate_limit_backend_errors = Counter(
            "storekeeper_rate_limit_backend_errors",
            "Times Redis could not be asked about a rate limit, so requests went through unlimited.",
            registry=self.registry,
        )
        self.registry.register(LedgerCollector(db))

    def observe(self, method: str, route: str, status: int, seconds: float) -> None:
        labels = (method, route, str(status))
        self.requests.labels(*labels).inc()
        self.latency.labels(*labels).observe(seconds)

    def exposition(self) -> bytes:
        return generate_latest(self.registry)
