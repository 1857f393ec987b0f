"""Alembic, driven from code so it works from an installed package (no alembic.ini needed).

Alembic is imported only by the functions that migrate: the server's processes, which only ask
whether the schema is current (`/readyz`), never load it (and Mako and Pygments with it).
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import inspect, text

from storekeeper.persistence.database import Database

MIGRATIONS = Path(__file__).parent / "migrations"
VERSION_TABLE = "alembic_version"  # Alembic's default, which migrations/env.py keeps
# `revision: str = "0005"` / `down_revision: str | None = "0004"` in each file of versions/.
_DECLARATION = re.compile(r"^(down_revision|revision)\b[^=]*=\s*(?:None|[\"']([^\"']+)[\"'])", re.MULTILINE)

if TYPE_CHECKING:
    from alembic.config import Config


def alembic_config(db: Database) -> Config:
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.set_main_option("sqlalchemy.url", db.url.replace("%", "%%"))
    cfg.attributes["database"] = db
    return cfg


def upgrade(db: Database, revision: str = "head") -> None:
    from alembic import command

    command.upgrade(alembic_config(db), revision)


@lru_cache(maxsize=1)
def _script_head() -> str | None:
    """The revision no other names as its `down_revision` (the chain is linear; None if it is not),
    read from the files' declarations. tests/integration/test_schema.py checks it is Alembic's head."""
    revisions: set[str] = set()
    downs: set[str] = set()
    for path in (MIGRATIONS / "versions").glob("*.py"):
        for name, value in _DECLARATION.findall(path.read_text()):
            if value:
                (revisions if name == "revision" else downs).add(value)
    heads = revisions - downs
    return heads.pop() if len(heads) == 1 else None


def head_revision(db: Database) -> str | None:
    """The newest revision the installed code knows (read from disk once per process: /readyz
    asks on every probe)."""
    return _script_head()


def current_revision(db: Database) -> str | None:
    """The applied revision, read from Alembic's version table. Not through
    `MigrationContext.configure()`, which logs two INFO lines per call: /readyz asks on every
    probe. None when nothing is applied, or when several heads are (the chain is linear)."""
    with db.engine.connect() as conn:
        if not inspect(conn).has_table(VERSION_TABLE):
            return None
        rows = conn.execute(text(f"SELECT version_num FROM {VERSION_TABLE}")).scalars().all()
    return rows[0] if len(rows) == 1 else None


def is_current(db: Database) -> bool:
    return current_revision(db) == head_revision(db)
