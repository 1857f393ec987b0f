"""The process `storekeeper serve` becomes once the database is migrated (the CLI `exec`s it).

Only uvicorn and the logging setup are imported here, not the CLI, Alembic or Rich: this is the
supervisor of the worker processes and stays small, and its workers (spawned processes, which
re-import the main module) import just this and the app. The options come as one JSON argument.
"""

from __future__ import annotations

import json
import sys

import uvicorn

from storekeeper.logs import logging_config

APP = "storekeeper.api.app:create_app"


def command(host: str, port: int, workers: int, log_level: str, log_format: str) -> list[str]:
    """The argv that runs the server: `python -m storekeeper.api.server '{...}'`."""
    options = {"host": host, "port": port, "workers": workers, "log_level": log_level, "log_format": log_format}
    return [sys.executable, "-m", "storekeeper.api.server", json.dumps(options)]


def main(argv: list[str] | None = None) -> None:
    options = json.loads((argv if argv is not None else sys.argv[1:])[0])
    uvicorn.run(
        APP,
        factory=True,
        host=options["host"],
        port=options["port"],
        workers=options["workers"],
        access_log=False,  # our middleware logs requests without their query strings
        log_level=options["log_level"].lower(),
        log_config=logging_config(options["log_level"], options["log_format"]),  # in every worker too
    )


if __name__ == "__main__":
    main()
