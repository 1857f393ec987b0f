"""Log output of `storekeeper serve` and `storekeeper worker`: one JSON object per line (the
default), or plain text (`STOREKEEPER_LOG_FORMAT=text`).

Every JSON line has `timestamp`, `level`, `logger`, `message` and `request_id` (null outside a
request); an access line also has `method`, `route`, `path`, `status` and `duration_ms`. What is
logged is chosen where it is logged: the access line carries the path but never the query
string (it may hold `api_key`), and no header at all; a webhook delivery's line names the
endpoint's `scheme://host[:port]`, never the rest of its URL.
"""

from __future__ import annotations

import logging
import logging.config
from datetime import UTC, datetime
from typing import Any

import orjson

from storekeeper.services.context import current_request

TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s %(message)s"

# Attributes every LogRecord has; anything else on a record came from `extra=`.
_STANDARD = set(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {"message", "asctime"}
# Extras not worth a field: uvicorn's copy of the message with terminal colours.
_DROPPED = {"color_message"}


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        request_id = getattr(record, "request_id", None)
        if request_id is None:
            context = current_request()
            request_id = context.request_id if context is not None else None
        entry: dict[str, Any] = {
            "timestamp": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds")[:-6] + "Z",
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": request_id,
        }
        for name, value in vars(record).items():
            if name not in _STANDARD and name not in _DROPPED and name not in entry:
                entry[name] = value
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        if record.stack_info:
            entry["stack"] = self.formatStack(record.stack_info)
        return orjson.dumps(entry, default=str).decode()


def logging_config(level: str = "INFO", log_format: str = "json") -> dict[str, Any]:
    """A `logging.config.dictConfig` document: everything, uvicorn's loggers included, to stderr
    in one format. uvicorn applies it in each of its worker processes too (`log_config=`)."""
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {
            "json": {"()": "storekeeper.logs.JsonFormatter"},
            "text": {"format": TEXT_FORMAT},
        },
        "handlers": {
            "stderr": {"class": "logging.StreamHandler", "formatter": log_format, "stream": "ext://sys.stderr"},
        },
        "root": {"handlers": ["stderr"], "level": level.upper()},
        "loggers": {
            # uvicorn's own handlers go; its lines reach the root handler. Its access log is off:
            # our middleware writes the access lines, without query strings.
            "uvicorn": {"handlers": [], "propagate": True},
            "uvicorn.error": {"handlers": [], "propagate": True},
            "uvicorn.access": {"handlers": [], "propagate": False},
            # httpx logs each request at INFO with its whole URL: a webhook's query string and
            # userinfo, where receivers keep tokens. The delivery logs its own line without them.
            "httpx": {"level": "WARNING"},
        },
    }


def configure_logging(level: str = "INFO", log_format: str = "json") -> None:
    logging.config.dictConfig(logging_config(level, log_format))
