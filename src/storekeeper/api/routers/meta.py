"""Unauthenticated operational endpoints."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response
from prometheus_client import CONTENT_TYPE_LATEST
from sqlalchemy import text

from storekeeper.api.deps import DB
from storekeeper.api.responses import JSONResponse
from storekeeper.api.routing import StorekeeperRoute
from storekeeper.persistence import migrate

router = APIRouter(tags=["operations"], route_class=StorekeeperRoute)


@router.get("/healthz", summary="The process is up")
def healthz() -> JSONResponse:
    return JSONResponse({"status": "ok"})


@router.get("/readyz", summary="The database is reachable and its migrations are current")
def readyz(db: DB) -> JSONResponse:
    try:
        with db.read() as conn:
            conn.execute(text("SELECT 1"))
        current = migrate.is_current(db)
    except Exception as exc:  # any failure to reach the database means not ready
        return JSONResponse({"status": "unavailable", "database": f"unreachable: {type(exc).__name__}"}, 503)
    if not current:
        pending = "migrations pending: run `storekeeper db upgrade`"
        return JSONResponse({"status": "unavailable", "database": pending}, 503)
    return JSONResponse({"status": "ok", "database": db.dialect})


@router.get(
    "/metrics",
    summary="Prometheus metrics: requests by route, and the ledger's and the outbox's lag",
    response_class=Response,
    responses={
        200: {"description": "Prometheus text format", "content": {"text/plain": {"schema": {"type": "string"}}}},
    },
)
def metrics(request: Request) -> Response:
    """Unauthenticated, like /healthz: put it behind the network rules of your monitoring."""
    return Response(request.app.state.metrics.exposition(), media_type=CONTENT_TYPE_LATEST)
