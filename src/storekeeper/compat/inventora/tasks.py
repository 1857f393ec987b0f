"""Tasks and their batches (seed 002): production orders, their lines and production batches,
over the same services as /v1. A write and the read of its answer
are one transaction."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query

from storekeeper.api.deps import DB
from storekeeper.api.responses import JSONResponse, no_content
from storekeeper.api.routing import StorekeeperRoute
from storekeeper.compat.facade import caller
from storekeeper.compat.inventora import ids, mapping
from storekeeper.compat.inventora.catalog import MAX_LIMIT, Limit, Offset, paged
from storekeeper.compat.inventora.schemas import (
    BatchCreate,
    BatchRead,
    TaskCreate,
    TaskPage,
    TaskRead,
    TaskStatus,
    TaskUpdate,
)
from storekeeper.domain.errors import NotFound
from storekeeper.persistence.database import Database
from storekeeper.persistence.pagination import PageRequest
from storekeeper.services import batches, production
from storekeeper.services.production import ProductionFilters

# A task shows the stock of what it makes.
TasksRead = caller("production:read", "stock:read")
TasksWrite = caller("production:write", "stock:read")
ProductionWrite = caller("production:write")

VendorId = Annotated[int, Path(ge=1, le=ids.MAX_ID)]

router = APIRouter(route_class=StorekeeperRoute, tags=["tasks"])


def _tasks(db: Database, workspace_id: str, orders: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Orders as tasks, with who made each of their batches (one query for all of them)."""
    made_by = batches.makers(db, workspace_id, [batch["id"] for order in orders for line in order["lines"]
                                                for batch in line["batches"]])
    return [mapping.task(order, made_by) for order in orders]


def _task(db: Database, workspace_id: str, order: dict[str, Any], status: int = 200) -> JSONResponse:
    return JSONResponse(_tasks(db, workspace_id, [order])[0], status_code=status)


@router.get("/api/tasks", response_model=TaskPage, summary="Get Tasks")
def list_tasks(
    principal: TasksRead, db: DB, limit: Limit = 100, offset: Offset = 0,
    status: Annotated[TaskStatus | None, Query(description="Filter by task status")] = None,
    UserId: Annotated[str | None, Query(max_length=320, description="Filter by user ID or email address")] = None,
) -> JSONResponse:
    """Returns a paginated list of tasks, in their order."""
    filters = ProductionFilters(status=mapping.order_status(status) if status else None, assignee=UserId)
    page = PageRequest(limit=min(limit, MAX_LIMIT), offset=offset)
    result = production.list_production_orders(db, principal.workspace_id, filters, page)
    return paged(result, _tasks(db, principal.workspace_id, result.rows), offset)


@router.get("/api/tasks/{id}", response_model=TaskRead, summary="Get Task")
def get_task(id: VendorId, principal: TasksRead, db: DB) -> JSONResponse:
    """Returns a single task by ID."""
    return _task(db, principal.workspace_id, ids.find(db, principal.workspace_id, "production_order", id))


@router.post("/api/tasks", status_code=201, response_model=TaskRead, summary="Create Task")
def create_task(body: TaskCreate, principal: TasksWrite, db: DB) -> JSONResponse:
    """Creates a new task: a production order with a line per item."""
    fields = body.model_dump(exclude_unset=True)
    with db.write(settle_inner=True):
        wanted = {entry["ProductId"] for entry in fields["Items"]}
        found = ids.core_ids(db, principal.workspace_id, "item", wanted)
        missing = sorted(wanted - set(found))
        if missing:
            raise NotFound("item", f"#{missing[0]}")
        data = {**mapping.task_changes(fields), "lines": mapping.task_lines(fields["Items"], found)}
        order = production.create_production_order(db, principal, data)
        return _task(db, principal.workspace_id, order, status=201)


@router.patch("/api/tasks/{id}", response_model=TaskRead, summary="Update Task")
def update_task(id: VendorId, body: TaskUpdate, principal: TasksWrite, db: DB) -> JSONResponse:
    """Updates an existing task; null unsets a field (a null LocationId is the default location)."""
    changes = mapping.task_changes(body.model_dump(exclude_unset=True))
    with db.write(settle_inner=True):
        order_id = ids.core_id(db, principal.workspace_id, "production_order", id)
        order = production.update_production_order(db, principal, order_id, changes)
        return _task(db, principal.workspace_id, order)


@router.delete("/api/tasks/{id}", status_code=204, summary="Delete Task")
def delete_task(id: VendorId, principal: ProductionWrite, db: DB):
    """Deletes a task (soft delete): what its batches made or used stays."""
    with db.write(settle_inner=True):
        production.delete_production_order(db, principal, ids.core_id(db, principal.workspace_id,
                                                                      "production_order", id))
    return no_content()


@router.post("/api/tasks/{id}/items/{item_id}/batches", status_code=201, response_model=BatchRead,
             summary="Create Task Batch")
def create_batch(id: VendorId, item_id: VendorId, body: BatchCreate, principal: ProductionWrite,
                 db: DB) -> JSONResponse:
    """Creates a production batch for a specific task item: its materials are used and the
    product made, in one transaction."""
    workspace_id = principal.workspace_id
    with db.write(settle_inner=True):
        batch = batches.produce(db, principal, ids.core_id(db, workspace_id, "production_order", id),
                                ids.core_id(db, workspace_id, "production_order_line", item_id), body.quantity)
        return JSONResponse(mapping.batch_created(batch, item_id, principal.user_id), status_code=201)


@router.delete("/api/task-batches/{id}", status_code=204, summary="Delete Task Batch")
def delete_batch(id: VendorId, principal: ProductionWrite, db: DB):
    """Deletes a task batch and reverses its production exactly."""
    with db.write(settle_inner=True):
        batches.reverse_batch(db, principal, ids.core_id(db, principal.workspace_id, "batch", id))
    return no_content()
