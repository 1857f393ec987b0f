"""Helpers every use case shares."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

from sqlalchemy.exc import IntegrityError

from storekeeper.domain.errors import StorekeeperError
from storekeeper.persistence.database import violated_constraint


@contextmanager
def translate_integrity(mapping: dict[str, Callable[[], StorekeeperError]]) -> Iterator[None]:
    """Turn a uniqueness violation into its typed error. Keys match the PostgreSQL constraint
    name or SQLite's `table.column` text. Checks before writing give the friendly error in the
    common case; this catches the race in which two transactions both passed the check."""
    try:
        yield
    except IntegrityError as exc:
        text = violated_constraint(exc)
        for needle, make in mapping.items():
            if needle in text:
                raise make() from None
        raise


def changed_fields(current: dict, updates: dict) -> dict:
    """The subset of `updates` whose values differ from `current`."""
    return {k: v for k, v in updates.items() if current.get(k) != v}
