"""Unauthenticated operational endpoints."""

from __future__ import annotations

from fastapi import APIRouter
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
