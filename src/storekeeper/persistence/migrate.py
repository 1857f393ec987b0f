"""Alembic, driven from code so it works from an installed package (no alembic.ini needed)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory
from sqlalchemy import inspect, text

from storekeeper.persistence.database import Database

MIGRATIONS = Path(__file__).parent / "migrations"
VERSION_TABLE = "alembic_version"  # Alembic's default, which migrations/env.py keeps


def alembic_config(db: Database) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.set_main_option("sqlalchemy.url", db.url.replace("%", "%%"))
    cfg.attributes["database"] = db
    return cfg


def upgrade(db: Database, revision: str = "head") -> None:
    command.upgrade(alembic_config(db), revision)


@lru_cache(maxsize=1)
def _script_head() -> str | None:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return ScriptDirectory.from_config(config).get_current_head()


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
