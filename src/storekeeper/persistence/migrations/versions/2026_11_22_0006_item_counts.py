"""item counts kept by triggers

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-22

Two rows per workspace in `counters`, kept by triggers on `items` in the statement that changes
an item, whatever code (or SQL) changes it, so the lists' default `total` is read instead of
counted (a count of a million items takes ~400 ms):

- `items_live`: items neither deleted nor purged (`GET /v1/items` unfiltered);
- `items_stocked`: items not deleted, tracked, without variants (`GET /v1/stock` unfiltered).

The conditions are repeated by `services/counts.py`, which the check (`storekeeper check`)
compares with real counts. A later migration that rebuilds `items` on SQLite (batch mode) drops
these triggers: it must create them again (`create_triggers()`).
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Each count's condition on a row of items, `{row}` being NEW or OLD.
COUNTS = {
    "items_live": "{row}.deleted_at IS NULL AND {row}.purged_at IS NULL",
    "items_stocked": "{row}.deleted_at IS NULL AND {row}.tracking <> 'none' AND NOT {row}.has_variants",
}
COLUMNS = ("deleted_at", "purged_at", "tracking", "has_variants")


def _changed(count: str, dialect: str) -> str:
    """1, -1 or 0: how an UPDATE changes the count (a boolean is 0/1 in SQLite, cast in PostgreSQL)."""
    new, old = COUNTS[count].format(row="NEW"), COUNTS[count].format(row="OLD")
    if dialect == "postgresql":
        return f"(({new})::int - ({old})::int)"
    return f"(({new}) - ({old}))"


def _sqlite_triggers() -> list[str]:
    def upsert(values: dict[str, str], workspace: str) -> str:
        return "\n".join(
            f"  INSERT INTO counters (workspace_id, name, value) VALUES ({workspace}, '{name}', {value})"
            f" ON CONFLICT (workspace_id, name) DO UPDATE SET value = value + excluded.value;"
            for name, value in values.items()
        )

    inserted = {name: f"({cond.format(row='NEW')})" for name, cond in COUNTS.items()}
    deleted = {name: f"-({cond.format(row='OLD')})" for name, cond in COUNTS.items()}
    updated = {name: _changed(name, "sqlite") for name in COUNTS}
    when = " OR ".join(f"{value} <> 0" for value in updated.values())
    return [
        f"CREATE TRIGGER items_counts_insert AFTER INSERT ON items BEGIN\n{upsert(inserted, 'NEW.workspace_id')}\nEND",
        f"CREATE TRIGGER items_counts_delete AFTER DELETE ON items BEGIN\n{upsert(deleted, 'OLD.workspace_id')}\nEND",
        f"CREATE TRIGGER items_counts_update AFTER UPDATE OF {', '.join(COLUMNS)} ON items WHEN {when}"
        f" BEGIN\n{upsert(updated, 'NEW.workspace_id')}\nEND",
    ]


def _postgresql_triggers() -> list[str]:
    def upsert(name: str, value: str, workspace: str) -> str:
        return (f"  IF {value} <> 0 THEN INSERT INTO counters AS c (workspace_id, name, value)"
                f" VALUES ({workspace}, '{name}', {value}) ON CONFLICT (workspace_id, name)"
                f" DO UPDATE SET value = c.value + excluded.value; END IF;")

    def function(op_name: str, values: dict[str, str], workspace: str) -> str:
        body = "\n".join(upsert(name, value, workspace) for name, value in values.items())
        return (f"CREATE FUNCTION items_counts_{op_name}() RETURNS trigger LANGUAGE plpgsql AS $$\nBEGIN\n"
                f"{body}\n  RETURN NULL;\nEND\n$$")

    inserted = {name: f"({cond.format(row='NEW')})::int" for name, cond in COUNTS.items()}
    deleted = {name: f"-({cond.format(row='OLD')})::int" for name, cond in COUNTS.items()}
    updated = {name: _changed(name, "postgresql") for name in COUNTS}
    when = " OR ".join(f"{value} <> 0" for value in updated.values())
    return [
        function("insert", inserted, "NEW.workspace_id"),
        function("delete", deleted, "OLD.workspace_id"),
        function("update", updated, "NEW.workspace_id"),
        "CREATE TRIGGER items_counts_insert AFTER INSERT ON items FOR EACH ROW EXECUTE FUNCTION items_counts_insert()",
        "CREATE TRIGGER items_counts_delete AFTER DELETE ON items FOR EACH ROW EXECUTE FUNCTION items_counts_delete()",
        # Not fired by the updates that only set an item's status (every stock change does).
        f"CREATE TRIGGER items_counts_update AFTER UPDATE OF {', '.join(COLUMNS)} ON items FOR EACH ROW"
        f" WHEN ({when}) EXECUTE FUNCTION items_counts_update()",
    ]


def create_triggers() -> None:
    dialect = op.get_bind().dialect.name
    for statement in _postgresql_triggers() if dialect == "postgresql" else _sqlite_triggers():
        op.execute(statement)


def drop_triggers() -> None:
    for name in ("insert", "delete", "update"):
        if op.get_bind().dialect.name == "postgresql":
            op.execute(f"DROP TRIGGER IF EXISTS items_counts_{name} ON items")
            op.execute(f"DROP FUNCTION IF EXISTS items_counts_{name}()")
        else:
            op.execute(f"DROP TRIGGER IF EXISTS items_counts_{name}")


def upgrade() -> None:
    for name, condition in COUNTS.items():
        op.execute(f"DELETE FROM counters WHERE name = '{name}'")
        op.execute(
            f"INSERT INTO counters (workspace_id, name, value) SELECT workspace_id, '{name}', count(*) FROM items"
            f" WHERE {condition.format(row='items')} GROUP BY workspace_id"
        )
    create_triggers()


def downgrade() -> None:
    drop_triggers()
    op.execute("DELETE FROM counters WHERE name IN ('items_live', 'items_stocked')")
