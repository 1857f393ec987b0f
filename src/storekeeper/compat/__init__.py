"""The seed APIs served as their documents describe them (SPEC §5): one facade per vendor,
mounted at /compat/<name> and speaking the vendor's paths, auth, bodies and errors over the
same services as /v1 (compat/facade.py is the frame; docs/dialects.md the mapping).

`STOREKEEPER_DIALECTS` chooses which are served: a comma-separated list of names, `all` (the
default) or `none`.
"""

from __future__ import annotations

import re
from importlib import import_module

from fastapi import FastAPI
from starlette.routing import Mount

from storekeeper.compat.facade import Dialect, build

# Each name's module holds its `DIALECT`; imported only when served.
MODULES: dict[str, str] = {
    "warehouses": "storekeeper.compat.warehouses",
    "inventorum": "storekeeper.compat.inventorum",
    "inventora": "storekeeper.compat.inventora",
    "modulus": "storekeeper.compat.modulus",
}


def chosen(setting: str) -> list[str]:
    """The dialects a `STOREKEEPER_DIALECTS` value names, in a fixed order; an unknown name is
    refused at start rather than ignored."""
    words = [word.strip().lower() for word in setting.split(",") if word.strip()]
    if words in ([], ["none"]):
        return []
    if words == ["all"]:
        return list(MODULES)
    unknown = [word for word in words if word not in MODULES]
    if unknown:
        raise ValueError(f"STOREKEEPER_DIALECTS names no dialect {', '.join(unknown)}: choose from "
                         f"{', '.join(MODULES)}, or all, or none")
    return [name for name in MODULES if name in words]


def install(app: FastAPI, setting: str) -> list[Dialect]:
    """Mount the chosen facades on `app`; the dialects, for the middleware and /docs."""
    dialects = [import_module(MODULES[name]).DIALECT for name in chosen(setting)]
    for dialect in dialects:
        mount = Mount(dialect.prefix, app=build(dialect, app), name=f"compat-{dialect.name}")
        # Starlette matches a mount's path with `.*`, which stops at a line break: a path with an
        # encoded one (`/compat/x/v1/items/%0A`) would miss the facade and get /v1's 404 envelope.
        mount.path_regex = re.compile(mount.path_regex.pattern, re.DOTALL)
        app.router.routes.append(mount)
    return dialects
