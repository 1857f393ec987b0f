from __future__ import annotations

from alembic import context

from storekeeper.persistence.tables import metadata

config = context.config


def run_migrations_online() -> None:
    database = config.attributes.get("database")
    if database is None:  # plain `alembic` command line, e.g. to autogenerate a revision
        from storekeeper.persistence.database import Database

        database = Database(config.get_main_option("sqlalchemy.url"))
    # Migrations take the write lock (BEGIN IMMEDIATE on SQLite) so two processes starting at
    # once cannot both apply the same revision.
    with database.write() as connection:
        context.configure(
            connection=connection,
            target_metadata=metadata,
            render_as_batch=database.is_sqlite,
            compare_type=True,
        )
        context.run_migrations()


run_migrations_online()
