"""The dashboard, and the files served as they are from `static/` at /static (api/docs.py
mounts it): the dashboard's styles and scripts, and the API docs' Swagger UI. Front-end
libraries are vendored from npm under static/vendor/ (its README.md names them), never loaded
from a CDN: the machines this runs on have no internet access."""

from __future__ import annotations

from pathlib import Path

STATIC_DIR = Path(__file__).parent / "static"
STATIC_URL = "/static"
