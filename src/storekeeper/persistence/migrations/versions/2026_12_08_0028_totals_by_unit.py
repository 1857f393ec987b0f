"""running totals by unit

Revision ID: 0028
Revises: 0027
Create Date: 2026-12-08

Issue 22: "totals never add kilograms to pieces". The running totals of 0011 (per location) and
0012 (per day) summed the on-hand of every item whatever its unit, so the locations page and the
overview's chart added 5 kg of wax to 40 candles. Both tables gain the item's `unit`; each row
holds a change of one unit, and the readers sum per unit.

The triggers are those of 0011 and 0012 with the unit added (the level and movement triggers
read it from the item they already join, or one primary-key lookup), plus one for an item whose
unit is relabelled (compat/inventora allows it on a stocked item: its quantities keep their
numbers in the new unit). That trigger moves the item's whole contribution from the old unit to
the new one, its levels in `location_totals` and its movements of every day in `day_totals`, so
the totals stay exactly the sums `storekeeper check` recounts from the levels and movements
under each item's current unit.

A later migration that rebuilds `items`, `stock_levels` or `movements` on SQLite (batch mode)
drops these triggers: it must create them again (`create_triggers()` here).
"""

import importlib.util
from collections.abc import Sequence
from pathlib import Path

import sqlalchemy as sa
from alembic import op

revision: str = "0028"
down_revision: str | None = "0027"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _migration(name: str):
    """Migration 0011's or 0012's module: their SQL builders for values, costs and days are the
    ones these triggers keep using (and their triggers are what a downgrade restores)."""
    spec = importlib.util.spec_from_file_location(name, Path(__file__).with_name(name + ".py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


R11 = _migration("2026_12_03_0011_running_totals")
R12 = _migration("2026_12_03_0012_day_totals")
COLUMNS = R11.COLUMNS + ", unit"
ITEM_TRIGGERS = ("totals_item_update", "totals_item_unit")
MOVEMENT_TRIGGER = "totals_movement_insert"


def _level_change(dialect: str, row: str, new: str, old: str) -> str:
    """0011's INSERT for a level going from `old` to `new`, under its item's unit."""
    sql = R11._level_change(dialect, row, new, old)
    return (sql.replace(f"({R11.COLUMNS})", f"({COLUMNS})")
            .replace(" FROM items i WHERE", ", i.unit FROM items i WHERE"))


def _levels_of(dialect: str, row: str, sign: str) -> str:
    """The INSERT putting in (sign '') or taking out (sign '-') every level with stock of the item
    `row` (NEW or OLD) as its cost, liveness and unit count it."""
    live = R11._live(row, dialect)
    units, value, rest = R11._value("l.on_hand", R11._cost(row), dialect)
    return (f"INSERT INTO location_totals ({COLUMNS})"
            f" SELECT l.workspace_id, l.location_id, {sign}{live}, {sign}{live} * l.on_hand,"
            f" {sign}{live} * {units}, {sign}{live} * {value}, {sign}{live} * {rest},"
            f" {sign}{live} * {R11._is_null(R11._cost(row), dialect)}, {row}.unit"
            f" FROM stock_levels l WHERE l.workspace_id = NEW.workspace_id AND l.item_id = NEW.id AND l.on_hand <> 0;")


def _days_of(dialect: str, row: str, sign: str) -> str:
    """The INSERT putting in or taking out the item's movements of every day under `row`'s unit."""
    day = R12.DAY[dialect].format(row="m")
    return (f"INSERT INTO day_totals (workspace_id, day, unit, on_hand)"
            f" SELECT m.workspace_id, {day}, {row}.unit, {sign}sum(m.delta) FROM movements m"
            f" WHERE m.workspace_id = NEW.workspace_id AND m.item_id = NEW.id GROUP BY m.workspace_id, {day};")


def _movement(dialect: str) -> str:
    day = R12.DAY[dialect].format(row="NEW")
    return ("INSERT INTO day_totals (workspace_id, day, unit, on_hand)"
            f" SELECT NEW.workspace_id, {day}, i.unit, NEW.delta FROM items i"
            " WHERE i.workspace_id = NEW.workspace_id AND i.id = NEW.item_id;")


def _triggers(dialect: str) -> list[tuple[str, str, str, str | None, list[str]]]:
    """0011's triggers with the unit, an item's relabelling, and 0012's movement trigger."""
    same_unit = "NEW.unit = OLD.unit"
    kept = {name: (name, table, event, when, body) for name, table, event, when, body in R11._triggers(dialect)}
    return [
        ("totals_level_insert", "stock_levels", "INSERT", "NEW.on_hand <> 0",
         [_level_change(dialect, "NEW", "NEW.on_hand", "0")]),
        ("totals_level_update", "stock_levels", "UPDATE OF on_hand", "NEW.on_hand <> OLD.on_hand",
         [_level_change(dialect, "NEW", "NEW.on_hand", "OLD.on_hand")]),
        ("totals_level_delete", "stock_levels", "DELETE", "OLD.on_hand <> 0",
         [_level_change(dialect, "OLD", "0", "OLD.on_hand")]),
        # A change of cost or liveness under the same unit: one row per level, as in 0011.
        ("totals_item_update", "items", "UPDATE OF average_cost, unit_cost, deleted_at",
         f"({R11._item_changed(dialect)}) AND {same_unit}",
         [R11._item_change(dialect).replace(f"({R11.COLUMNS})", f"({COLUMNS})")
          .replace(" FROM stock_levels l", ", NEW.unit FROM stock_levels l")]),
        # A relabelled unit (with or without a change of cost or liveness in the same statement).
        ("totals_item_unit", "items", "UPDATE OF unit", "NEW.unit <> OLD.unit",
         [_levels_of(dialect, "OLD", "-"), _levels_of(dialect, "NEW", ""),
          _days_of(dialect, "OLD", "-"), _days_of(dialect, "NEW", "")]),
        kept["totals_status_insert"], kept["totals_status_update"], kept["totals_status_delete"],
        (MOVEMENT_TRIGGER, "movements", "INSERT", None, [_movement(dialect)]),
    ]


def _create(triggers) -> None:
    dialect = op.get_bind().dialect.name
    for name, table, event, when, body in triggers:
        if dialect == "postgresql":
            op.execute(f"CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$\nBEGIN\n  "
                       + "\n  ".join(body) + "\n  RETURN NULL;\nEND\n$$")
            op.execute(f"CREATE TRIGGER {name} AFTER {event} ON {table} FOR EACH ROW"
                       + (f" WHEN ({when})" if when else "") + f" EXECUTE FUNCTION {name}()")
        else:
            op.execute(f"CREATE TRIGGER {name} AFTER {event} ON {table} FOR EACH ROW"
                       + (f" WHEN {when}" if when else "") + " BEGIN\n  " + "\n  ".join(body) + "\nEND")


def _drop(triggers) -> None:
    dialect = op.get_bind().dialect.name
    for name, table, *_ in triggers:
        if dialect == "postgresql":
            op.execute(f"DROP TRIGGER IF EXISTS {name} ON {table}")
            op.execute(f"DROP FUNCTION IF EXISTS {name}()")
        else:
            op.execute(f"DROP TRIGGER IF EXISTS {name}")


def create_triggers() -> None:
    _create(_triggers(op.get_bind().dialect.name))


def _recount(with_unit: bool) -> None:
    """Both tables again from the levels, items and movements (one row per location or day and
    unit), as 0011 and 0012 first filled them."""
    dialect = op.get_bind().dialect.name
    unit, columns = (", i.unit", COLUMNS) if with_unit else ("", R11.COLUMNS)
    units, value, rest = R11._value("l.on_hand", R11._cost("i"), dialect)
    op.execute("DELETE FROM location_totals")
    op.execute(f"INSERT INTO location_totals ({columns})"
               f" SELECT l.workspace_id, l.location_id, count(*), sum(l.on_hand), sum({units}), sum({value}),"
               f" sum({rest}), sum({R11._is_null(R11._cost('i'), dialect)}){unit}"
               f" FROM stock_levels l JOIN items i ON i.workspace_id = l.workspace_id AND i.id = l.item_id"
               f" WHERE i.deleted_at IS NULL AND l.on_hand <> 0 GROUP BY l.workspace_id, l.location_id{unit}")
    day = R12.DAY[dialect].format(row="m")
    op.execute("DELETE FROM day_totals")
    op.execute(f"INSERT INTO day_totals (workspace_id, day, on_hand{', unit' if with_unit else ''})"
               f" SELECT m.workspace_id, {day}, sum(m.delta){unit} FROM movements m"
               f" JOIN items i ON i.workspace_id = m.workspace_id AND i.id = m.item_id"
               f" GROUP BY m.workspace_id, {day}{unit}")


def upgrade() -> None:
    dialect = op.get_bind().dialect.name
    _drop([*R11._triggers(dialect), (MOVEMENT_TRIGGER, "movements", None, None, None)])
    for table in ("location_totals", "day_totals"):
        op.add_column(table, sa.Column("unit", sa.String(16), nullable=False, server_default="pcs"))
    _recount(with_unit=True)
    create_triggers()


def downgrade() -> None:
    _drop(_triggers(op.get_bind().dialect.name))
    for table in ("location_totals", "day_totals"):
        op.drop_column(table, "unit")
    _recount(with_unit=False)
    R11.create_triggers()
    R12.create_trigger()
