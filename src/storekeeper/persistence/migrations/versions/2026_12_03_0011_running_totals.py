"""running totals for the dashboard, kept by triggers

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-03

The dashboard's counts by status, stock value and per-location figures read a million items or
levels each time (0.5-2.5 s at a million items). These two tables keep them instead, written by
triggers in the statement that changes a level or an item, whatever code (or SQL) changes it:

- `location_totals`: per location, over the levels of live items (deleted_at IS NULL): items
  with stock there, their on-hand, its value at coalesce(average_cost, unit_cost) and the levels
  with stock whose item has no cost;
- `status_totals`: live items by status.

Each trigger adds a row holding the change: rows are only ever inserted, so two writers never
wait for each other or deadlock on a total (a counter row per location or status would be locked
by every writer of it until commit, in whatever order their levels come). The totals are the
sums of a workspace's rows; `persistence/totals.fold` replaces the rows by their sums.

A value is on-hand (micro-units) times cost (micro-units of money): 10**-12 of money, which
overflows 64 bits. It is kept in three parts, `value_units` (money) + `value` (10**-6) +
`value_rest` (10**-12), computed exactly with integers on SQLite (splitting both factors at
10**6, so no product passes 2**63 below a change of 9.2 * 10**18 in money) and with numeric on
PostgreSQL; `totals.fold` carries the parts over.

A later migration that rebuilds `items` or `stock_levels` on SQLite (batch mode) drops these
triggers: it must create them again (`create_triggers()`).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

EXACT = sa.BigInteger().with_variant(sa.Numeric(), "postgresql")
M = "1000000"  # 10**6
T = "1000000000000"  # 10**12


def _cost(row: str) -> str:
    return f"coalesce({row}.average_cost, {row}.unit_cost)"


def _live(row: str, dialect: str) -> str:
    return f"({row}.deleted_at IS NULL)" + ("::int" if dialect == "postgresql" else "")


def _nonzero(value: str, dialect: str) -> str:
    return f"({value} <> 0)" + ("::int" if dialect == "postgresql" else "")


def _is_null(value: str, dialect: str) -> str:
    return f"({value} IS NULL)" + ("::int" if dialect == "postgresql" else "")


def _value(quantity: str, cost: str, dialect: str) -> tuple[str, str, str]:
    """quantity x cost (both in micro-units; 0 for no cost) as (value_units, value, value_rest):
    10**12 x units + 10**6 x micro-units + 10**-12 units of money."""
    if dialect == "postgresql":
        product = f"({quantity})::numeric * ({cost})"
        return (f"coalesce(div({product}, {T}), 0)", f"coalesce(div(mod({product}, {T}), {M}), 0)",
                f"coalesce(mod({product}, {M}), 0)")
    q, c = f"({quantity})", f"({cost})"
    # With q = qh*M + ql and c = ch*M + cl (truncating / and %): q*c = qh*ch*M**2 + (qh*cl + ql*ch)*M + ql*cl,
    # none of whose products passes 2**63 below a change of 9.2 * 10**18 in money.
    return (f"coalesce({q} / {M} * ({c} / {M}), 0)",
            f"coalesce({q} / {M} * ({c} % {M}) + {q} % {M} * ({c} / {M}), 0)",
            f"coalesce({q} % {M} * ({c} % {M}), 0)")


COLUMNS = "workspace_id, location_id, items, on_hand, value_units, value, value_rest, uncosted"


def _level_change(dialect: str, row: str, new: str, old: str) -> str:
    """The INSERT for a level (`row`, NEW or OLD) going from on-hand `old` to `new`, if its item is live."""
    units, value, rest = _value(f"{new} - {old}", _cost("i"), dialect)
    items = f"{_nonzero(new, dialect)} - {_nonzero(old, dialect)}"
    return (f"INSERT INTO location_totals ({COLUMNS})"
            f" SELECT {row}.workspace_id, {row}.location_id, {items}, {new} - {old}, {units}, {value}, {rest},"
            f" CASE WHEN {_cost('i')} IS NULL THEN {items} ELSE 0 END"
            f" FROM items i WHERE i.workspace_id = {row}.workspace_id AND i.id = {row}.item_id"
            f" AND i.deleted_at IS NULL;")


def _item_change(dialect: str) -> str:
    """The INSERT for an item whose cost or liveness changed: each of its levels with stock is
    taken out as it was counted (OLD) and put back as it is (NEW)."""
    new_live, old_live = _live("NEW", dialect), _live("OLD", dialect)
    new_units, new_value, new_rest = _value("l.on_hand", _cost("NEW"), dialect)
    old_units, old_value, old_rest = _value("l.on_hand", _cost("OLD"), dialect)
    return (f"INSERT INTO location_totals ({COLUMNS})"
            f" SELECT l.workspace_id, l.location_id, {new_live} - {old_live}, ({new_live} - {old_live}) * l.on_hand,"
            f" {new_live} * {new_units} - {old_live} * {old_units},"
            f" {new_live} * {new_value} - {old_live} * {old_value},"
            f" {new_live} * {new_rest} - {old_live} * {old_rest},"
            f" {new_live} * {_is_null(_cost('NEW'), dialect)} - {old_live} * {_is_null(_cost('OLD'), dialect)}"
            f" FROM stock_levels l WHERE l.workspace_id = NEW.workspace_id AND l.item_id = NEW.id AND l.on_hand <> 0;")


def _item_changed(dialect: str) -> str:
    distinct = "IS DISTINCT FROM" if dialect == "postgresql" else "IS NOT"
    return (f"(NEW.deleted_at IS NULL) <> (OLD.deleted_at IS NULL)"
            f" OR {_cost('NEW')} {distinct} {_cost('OLD')}")


def _status_changed(dialect: str) -> str:
    distinct = "IS DISTINCT FROM" if dialect == "postgresql" else "IS NOT"
    return f"(NEW.deleted_at IS NULL) <> (OLD.deleted_at IS NULL) OR NEW.status {distinct} OLD.status"


def _status(row: str, n: int) -> str:
    return (f"INSERT INTO status_totals (workspace_id, status, items)"
            f" SELECT {row}.workspace_id, {row}.status, {n} WHERE {row}.deleted_at IS NULL;")


# (name, table, event, WHEN condition or None, body statements) for each trigger.
def _triggers(dialect: str) -> list[tuple[str, str, str, str | None, list[str]]]:
    return [
        ("totals_level_insert", "stock_levels", "INSERT", "NEW.on_hand <> 0",
         [_level_change(dialect, "NEW", "NEW.on_hand", "0")]),
        ("totals_level_update", "stock_levels", "UPDATE OF on_hand", "NEW.on_hand <> OLD.on_hand",
         [_level_change(dialect, "NEW", "NEW.on_hand", "OLD.on_hand")]),
        ("totals_level_delete", "stock_levels", "DELETE", "OLD.on_hand <> 0",
         [_level_change(dialect, "OLD", "0", "OLD.on_hand")]),
        ("totals_item_update", "items", "UPDATE OF average_cost, unit_cost, deleted_at", _item_changed(dialect),
         [_item_change(dialect)]),
        ("totals_status_insert", "items", "INSERT", None, [_status("NEW", 1)]),
        ("totals_status_update", "items", "UPDATE OF status, deleted_at", _status_changed(dialect),
         [_status("OLD", -1), _status("NEW", 1)]),
        ("totals_status_delete", "items", "DELETE", None, [_status("OLD", -1)]),
    ]


def create_triggers() -> None:
    dialect = op.get_bind().dialect.name
    for name, table, event, when, body in _triggers(dialect):
        if dialect == "postgresql":
            op.execute(f"CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$\nBEGIN\n  "
                       + "\n  ".join(body) + "\n  RETURN NULL;\nEND\n$$")
            op.execute(f"CREATE TRIGGER {name} AFTER {event} ON {table} FOR EACH ROW"
                       + (f" WHEN ({when})" if when else "") + f" EXECUTE FUNCTION {name}()")
        else:
            op.execute(f"CREATE TRIGGER {name} AFTER {event} ON {table} FOR EACH ROW"
                       + (f" WHEN {when}" if when else "") + " BEGIN\n  " + "\n  ".join(body) + "\nEND")


def drop_triggers() -> None:
    dialect = op.get_bind().dialect.name
    for name, table, *_ in _triggers(dialect):
        if dialect == "postgresql":
            op.execute(f"DROP TRIGGER IF EXISTS {name} ON {table}")
            op.execute(f"DROP FUNCTION IF EXISTS {name}()")
        else:
            op.execute(f"DROP TRIGGER IF EXISTS {name}")


def upgrade() -> None:
    op.create_table(
        "location_totals",
        sa.Column("workspace_id", sa.String(40), nullable=False),
        sa.Column("location_id", sa.String(40), nullable=False),
        sa.Column("items", sa.BigInteger(), nullable=False),
        sa.Column("on_hand", EXACT, nullable=False),
        sa.Column("value_units", EXACT, nullable=False),
        sa.Column("value", EXACT, nullable=False),
        sa.Column("value_rest", EXACT, nullable=False),
        sa.Column("uncosted", sa.BigInteger(), nullable=False),
    )
    op.create_index("ix_location_totals_location", "location_totals", ["workspace_id", "location_id"])
    op.create_table(
        "status_totals",
        sa.Column("workspace_id", sa.String(40), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("items", sa.BigInteger(), nullable=False),
    )
    op.create_index("ix_status_totals_status", "status_totals", ["workspace_id", "status"])
    dialect = op.get_bind().dialect.name
    units, value, rest = _value("l.on_hand", _cost("i"), dialect)
    op.execute(f"INSERT INTO location_totals ({COLUMNS})"
               f" SELECT l.workspace_id, l.location_id, count(*), sum(l.on_hand),"
               f" sum({units}), sum({value}), sum({rest}),"
               f" sum({_is_null(_cost('i'), dialect)})"
               f" FROM stock_levels l JOIN items i ON i.workspace_id = l.workspace_id AND i.id = l.item_id"
               f" WHERE i.deleted_at IS NULL AND l.on_hand <> 0 GROUP BY l.workspace_id, l.location_id")
    op.execute("INSERT INTO status_totals (workspace_id, status, items)"
               " SELECT workspace_id, status, count(*) FROM items WHERE deleted_at IS NULL"
               " GROUP BY workspace_id, status")
    create_triggers()


def downgrade() -> None:
    drop_triggers()
    op.drop_table("status_totals")
    op.drop_table("location_totals")
