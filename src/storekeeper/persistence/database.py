"""Engine and transactions.

`Database.write()` opens a write transaction: on SQLite it starts with `BEGIN IMMEDIATE`, so
the write lock is taken before anything is read and two writers can never interleave a
read-modify-write (SQLAlchemy's `with_for_update()` compiles to nothing on SQLite). On
PostgreSQL it is an ordinary READ COMMITTED transaction whose writers lock rows
(`SELECT … FOR UPDATE`) or change them with conditional updates. `Database.read()` opens a
read-only transaction that never blocks writers (WAL on SQLite, MVCC on PostgreSQL).
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.engine import make_url

from storekeeper.config import Settings


def normalize_url(url: str) -> str:
    """`postgresql://` and `postgres://` mean psycopg 3 here."""
    parsed = make_url(url.replace("postgres://", "postgresql://", 1) if url.startswith("postgres://") else url)
    if parsed.drivername == "postgresql":
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed.render_as_string(hide_password=False)


# The write transaction open in this context, if any: (database, connection).
_active: ContextVar[tuple[Database, Connection] | None] = ContextVar("storekeeper_active_write", default=None)


_STATE = "storekeeper_transaction"
_BEFORE_COMMIT = "before_commit"
_SETTLE_INNER = "settle_inner"


def transaction_state(conn: Connection) -> dict:
    """Scratch space of the write transaction open on `conn`, dropped when it ends (committed or
    rolled back)."""
    return conn.info.setdefault(_STATE, {})


def before_commit(conn: Connection, key: str, flush) -> None:
    """Run `flush(conn)` once, as the last work of the write transaction `conn` (when the
    outermost `write()` block ends, right before it commits). Registering the same key again keeps
    the first. The ledger's movements and the change feed's events are written there, numbered
    from their workspace counters, so that those counter rows — which every writer of a
    workspace takes in turn — stay locked only for the last statements of a transaction."""
    transaction_state(conn).setdefault(_BEFORE_COMMIT, {}).setdefault(key, flush)


def _settle(conn: Connection) -> None:
    for flush in transaction_state(conn).pop(_BEFORE_COMMIT, {}).values():
        flush(conn)


class Database:
    def __init__(self, url: str, settings: Settings | None = None):
        settings = settings or Settings()
        self.url = normalize_url(url)
        # How long a process trusts an API key it read (services/api_keys.KeyCache).
        self.key_cache_seconds = settings.api_key_cache_seconds
        self.engine: Engine = _create_engine(self.url, settings)
        self.dialect = self.engine.dialect.name
        self.is_sqlite = self.dialect == "sqlite"
        self._writer = self.engine.execution_options(storekeeper_write=True)
        # SQLite has one writer at a time, and its busy handler makes waiting writers poll and
        # sleep rather than queue: under 32 concurrent writers some starve for seconds. Writers
        # therefore queue first — on a lock within the process, then on a file lock shared by
        # every process on the same database file, whose waiters the kernel wakes in turn.
        # PostgreSQL locks rows, so its writers need no such queue.
        self._write_turn = _SQLiteWriteQueue(self.engine.url.database) if self.is_sqlite else contextlib.nullcontext()

    @contextmanager
    def write(self, *, settle_inner: bool = False) -> Iterator[Connection]:
        """One write transaction: commits when the block ends, rolls back if it raises.

        Inside another `write()` of this database on the same thread (or context), the block
        joins the open transaction instead: the outer one commits everything at once. That is
        how an Idempotency-Key's stored response commits together with the change it answers.
        Such an outer block, opened with `settle_inner`, lets the blocks joining it run the
        before-commit work when they end — the change's movements and events get their
        sequences before the response showing them is rendered and stored.
        """
        active = _active.get()
        if active is not None and active[0] is self:
            yield active[1]
            if transaction_state(active[1]).get(_SETTLE_INNER):
                _settle(active[1])
            return
        with self._write_turn, self._writer.begin() as conn:
            token = _active.set((self, conn))
            try:
                if settle_inner:
                    transaction_state(conn)[_SETTLE_INNER] = True
                yield conn
                _settle(conn)
            finally:
                conn.info.pop(_STATE, None)  # the connection goes back to the pool
                _active.reset(token)

    @contextmanager
    def read(self) -> Iterator[Connection]:
        """A read transaction; inside an open `write()` it reads through that transaction."""
        active = _active.get()
        if active is not None and active[0] is self:
            yield active[1]
            return
        with self.engine.connect() as conn:
            yield conn
            conn.rollback()

    def dispose(self) -> None:
        self.engine.dispose()


class _SQLiteWriteQueue:
    def __init__(self, path: str | None):
        self._threads = threading.Lock()
        self._path = f"{path}-writelock" if path and path != ":memory:" and not path.startswith("file:") else None
        self._fd: int | None = None

    def __enter__(self):
        self._threads.acquire()
        try:
            if self._path is not None:
                if self._fd is None:
                    self._fd = os.open(self._path, os.O_RDWR | os.O_CREAT, 0o644)
                fcntl.flock(self._fd, fcntl.LOCK_EX)
        except BaseException:
            self._threads.release()
            raise
        return self

    def __exit__(self, *exc):
        try:
            if self._fd is not None:
                fcntl.flock(self._fd, fcntl.LOCK_UN)
        finally:
            self._threads.release()
        return False


def _create_engine(url: str, settings: Settings) -> Engine:
    if url.startswith("sqlite"):
        engine = create_engine(
            url,
            connect_args={"check_same_thread": False, "timeout": settings.sqlite_busy_timeout_ms / 1000},
            pool_size=settings.db_pool_size,
            max_overflow=settings.db_pool_size * 4,
        )
        _configure_sqlite(engine, settings)
        return engine
    return create_engine(
        url,
        pool_size=settings.db_pool_size,
        max_overflow=settings.db_pool_size * 2,
        pool_pre_ping=True,
    )


def _configure_sqlite(engine: Engine, settings: Settings) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):
        # Let SQLAlchemy's "begin" event below issue BEGIN itself (the pysqlite recipe in
        # SQLAlchemy's SQLite dialect documentation).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA synchronous={settings.sqlite_synchronous}")
        cursor.execute(f"PRAGMA busy_timeout={int(settings.sqlite_busy_timeout_ms)}")
        cursor.close()
        # SQLite's own lower() folds ASCII only ("ÜBER" stays "ÜBER"); PostgreSQL's folds every
        # letter. Searches compare lower() of a column with a lower-cased needle on both.
        dbapi_connection.create_function("lower", 1, _unicode_lower, deterministic=True)

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection):
        if conn.get_execution_options().get("storekeeper_write"):
            conn.exec_driver_sql("BEGIN IMMEDIATE")
        else:
            conn.exec_driver_sql("BEGIN")


def _unicode_lower(value):
    return value.lower() if isinstance(value, str) else value


def violated_constraint(exc: Exception) -> str:
    """The name of the constraint an IntegrityError broke (PostgreSQL), or SQLite's description
    of it (`UNIQUE constraint failed: items.workspace_id, items.sku`)."""
    orig = getattr(exc, "orig", None)
    diag = getattr(orig, "diag", None)
    name = getattr(diag, "constraint_name", None)
    return name or str(orig or exc)
