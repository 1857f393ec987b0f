"""Import files (`storekeeper import` and the dashboard's import page): CSV and JSON Lines rows
read and validated by the API's own schemas, so a row is refused for exactly what the API would
refuse. Beside the schemas, so that the CLI and the dashboard both read files through it."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from storekeeper.api.schemas.items import ItemCreate, VariantCreate
from storekeeper.api.schemas.stock import AdjustmentCreate
from storekeeper.domain.csv_cells import unescape_cell
from storekeeper.services.exports import ITEM_IMPORT_COLUMNS, READ_ONLY_ITEM_COLUMNS
from storekeeper.services.imports import RowError, stock_row

# Stock rows: the API's adjustment fields, `sku` for `item` and `on_hand` for `set` (a stock
# export's columns), a reference as two columns. Columns only shown by an export are skipped.
STOCK_IMPORT_COLUMNS = ("sku", "item", "location", "on_hand", "set", "delta", "reason", "unit_cost", "note",
                        "occurred_at", "reference_type", "reference_id", "expected_on_hand", "label")
STOCK_SKIPPED_COLUMNS = ("reserved", "available", "location_id", "item_number")
_JSON_COLUMNS = ("attributes", "images", "channels", "metadata")
_NAMES = {"category": 200, "tax_rate": 200, "parent": 64}


class BadFile(Exception):
    """The file cannot be read as rows at all (unknown columns, not UTF-8, not a CSV)."""


def file_format(path: Path, given: str | None) -> str:
    if given:
        return given
    return "jsonl" if path.suffix.lower() in (".jsonl", ".ndjson", ".json") else "csv"


def count_rows(path: Path) -> int:
    """Lines in the file (minus a CSV's header): the progress bar's total."""
    with path.open("rb") as f:
        return sum(1 for line in f if line.strip())


def _records(path: Path, fmt: str, known: tuple[str, ...], skipped: tuple[str, ...]
             ) -> Iterator[tuple[int, dict[str, Any] | RowError]]:
    """(line, {column: value}) for each row; empty cells and nulls left out, skipped columns
    dropped, a CSV cell's formula escape taken off (domain/csv_cells.py: an export reads back as
    it was). Unknown columns make the file bad (a misspelt column would be lost silently)."""
    allowed = set(known) | set(skipped)
    try:
        with path.open(newline="", encoding="utf-8-sig") as f:
            if fmt == "csv":
                reader = csv.DictReader(f, strict=True)
                header = reader.fieldnames or []
                unknown = [c for c in header if c not in allowed]
                if unknown or not header:
                    raise BadFile(f"Unknown columns {', '.join(map(repr, unknown))}; a file's columns are: "
                                  f"{', '.join(known)}." if header else "The file is empty: no header row.")
                repeated = sorted({c for c in header if header.count(c) > 1})
                if repeated:
                    raise BadFile(f"Columns repeated in the header: {', '.join(repeated)}.")
                try:
                    for row in reader:
                        if None in row:
                            yield reader.line_num, RowError(reader.line_num, "more cells than the header has columns.")
                            continue
                        # Stripped first: an exported cell's quote is its first character.
                        yield reader.line_num, {k: unescape_cell(v.strip()) for k, v in row.items()
                                                if k not in skipped and v is not None and v.strip() != ""}
                except csv.Error as exc:
                    raise BadFile(f"line {reader.line_num}: not valid CSV ({exc}).") from None
            else:
                for number, line in enumerate(f, 1):
                    if not line.strip():
                        continue
                    try:
                        value = json.loads(line, parse_float=Decimal)
                    except ValueError as exc:
                        yield number, RowError(number, f"not valid JSON ({exc}).")
                        continue
                    if not isinstance(value, dict):
                        yield number, RowError(number, "each line must be a JSON object.")
                        continue
                    unknown = [c for c in value if c not in allowed]
                    if unknown:
                        yield number, RowError(number, f"unknown fields {', '.join(map(repr, unknown))}.")
                        continue
                    yield number, {k: v for k, v in value.items() if k not in skipped and v is not None}
    except UnicodeDecodeError as exc:
        raise BadFile(f"The file is not UTF-8 text ({exc.reason} at byte {exc.start}).") from None


def _pydantic_message(exc: ValidationError) -> str:
    parts = []
    for error in exc.errors():
        where = ".".join(str(p) for p in error["loc"])
        message = error["msg"].removeprefix("Value error, ")
        parts.append(f"{where}: {message}" if where else message)
    return "; ".join(parts)


def _cell_to_value(column: str, text: str) -> Any:
    """A CSV cell as the API's JSON value: lists and objects as JSON, tags comma-separated,
    reorder URLs space-separated, a package size as `250 ml`."""
    if column in _JSON_COLUMNS or (column in ("tags", "categories", "reorder_urls") and text.startswith("[")) or (
            column == "package_size" and text.startswith("{")):
        try:
            return json.loads(text, parse_float=Decimal)
        except ValueError:
            raise ValueError(f"{column}: not valid JSON.") from None
    if column in ("tags", "categories"):
        return [name.strip() for name in text.split(",") if name.strip()]
    if column == "reorder_urls":
        return text.replace(",", " ").split()
    if column == "package_size":
        value, _, unit = text.partition(" ")
        if not unit.strip():
            raise ValueError("package_size: a quantity and a unit, like `250 ml`.")
        return {"value": value, "unit": unit.strip()}
    return text


def item_rows(path: Path, fmt: str) -> Iterator[tuple[int, dict[str, Any] | RowError]]:
    """The file's items, each validated as the body of POST /v1/items would be."""
    for line, record in _records(path, fmt, ITEM_IMPORT_COLUMNS, READ_ONLY_ITEM_COLUMNS):
        if isinstance(record, RowError):
            yield line, record
            continue
        try:
            data = {k: _cell_to_value(k, v) if isinstance(v, str) and fmt == "csv" else v for k, v in record.items()}
            names: dict[str, Any] = {}
            for name, limit in _NAMES.items():
                if name in data:
                    value = data.pop(name)
                    if not isinstance(value, str) or len(value) > limit:
                        raise ValueError(f"{name}: a name or id of at most {limit} characters.")
                    names[name] = value
            if "categories" in data:
                names["categories"] = _category_names(data.pop("categories"))
            # A variant's name defaults to its parent's and its attribute values.
            model = (VariantCreate if names.get("parent") else ItemCreate).model_validate(data)
        except ValueError as exc:  # pydantic's ValidationError is one
            message = _pydantic_message(exc) if isinstance(exc, ValidationError) else str(exc)
            yield line, RowError(line, message)
            continue
        yield line, {**model.model_dump(exclude_unset=True, mode="python"), **names}


def _category_names(value: Any) -> list[str]:
    limit = _NAMES["category"]
    if not isinstance(value, list) or not all(isinstance(v, str) and 0 < len(v) <= limit for v in value):
        raise ValueError(f"categories: a list of names or ids, each of at most {limit} characters.")
    return value


def stock_rows(path: Path, fmt: str) -> Iterator[tuple[int, Any]]:
    """The file's stock changes, each validated as the body of POST /v1/stock/adjustments would
    be: `sku` (or `item`), `location` (default: the default location), `on_hand` (a count: the
    new on-hand) or `delta`, `reason` (default `count` for a count, `correction` for a delta)."""
    for line, record in _records(path, fmt, STOCK_IMPORT_COLUMNS, STOCK_SKIPPED_COLUMNS):
        if isinstance(record, RowError):
            yield line, record
            continue
        data = dict(record)
        if "sku" in data:
            data["item"] = data.pop("sku")  # an export's `item` is the id in its own workspace
        if "on_hand" in data:
            if "set" in data:
                yield line, RowError(line, "give `on_hand` or `set`, not both.")
                continue
            data["set"] = data.pop("on_hand")
        reference = {k: data.pop(f"reference_{k}") for k in ("type", "id") if f"reference_{k}" in data}
        if reference:
            data["reference"] = reference
        data.setdefault("reason", "count" if "set" in data else "correction")
        try:
            model = AdjustmentCreate.model_validate(data)
        except ValidationError as exc:
            yield line, RowError(line, _pydantic_message(exc))
            continue
        yield line, stock_row(model.model_dump(exclude_unset=True, mode="python"))
