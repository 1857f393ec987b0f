"""Request paths segment by segment, where an encoded slash (`%2F`) stays inside its segment.

An ASGI server decodes the path before the app sees it: `GET /v1/items/A%2FB` arrives with
`scope["path"] == "/v1/items/A/B"`, which no route's `{ref}` (one segment) matches, so an item
whose SKU holds a `/` (or a location whose name does) could be created but never read by it.
`scope["raw_path"]` keeps what the client sent. The routes of the app's table
(`routing.StorekeeperRoute`) match against `route_path`, which reads the raw path when, and only
when, it holds an encoded slash; every other request routes on `scope["path"]` as before.

An encoded slash also settles what a naive `{ref:path}` could not: `/v1/items/X%2Fmovements` is
the item `X/movements`, `/v1/items/X/movements` the movements of the item `X`.
"""

from __future__ import annotations

from urllib.parse import quote, unquote, unquote_to_bytes

_CACHE = "storekeeper.route_path"
ENCODED_SLASH = "storekeeper.encoded_slash"  # the scope's key for has_encoded_slash, asked once


def has_encoded_slash(scope) -> bool:
    raw = scope.get("raw_path")
    return bool(raw) and (b"%2F" in raw or b"%2f" in raw)


def _segments(scope) -> list[str] | None:
    """The decoded segments of the raw path, or None when it has no encoded slash (or does not
    decode to `scope["path"]`: a path rewritten after the server, as a redirect check does)."""
    if not has_encoded_slash(scope):
        return None
    raw = scope["raw_path"]
    # As uvicorn decodes `path`: percent-escapes as UTF-8, undecodable bytes replaced.
    segments = [unquote_to_bytes(part).decode("utf-8", "replace") for part in raw.split(b"/")]
    return segments if "/".join(segments) == scope["path"] else None


def _strip_root(path: str, root: str) -> str:
    """What Starlette's get_route_path does with a mount's or a proxy's root path."""
    if not root or not path.startswith(root):
        return path
    if path == root:
        return ""
    return path[len(root):] if path[len(root)] == "/" else path


def route_path(scope) -> tuple[str, bool]:
    """(the path that routes match, whether it is encoded). Not encoded: `scope["path"]` without
    the root path, as Starlette routes it. Encoded: each segment with its own `%` and `/`
    escaped (`%25`, `%2F`) and nothing else, so that a route's `[^/]+` takes a whole segment and
    `path_value` gives it back exactly. Kept in the scope: every route of the table asks."""
    path, root = scope["path"], scope.get("root_path", "")
    cached = scope.get(_CACHE)
    if cached is not None and cached[0] == (path, root):  # a mounted app routes with its own root
        return cached[1]
    segments = _segments(scope)
    if segments is None:
        result = (_strip_root(path, root), False)
    else:
        escaped = "/".join(s.replace("%", "%25").replace("/", "%2F") for s in segments)
        result = (_strip_root(escaped, root), True)
    scope[_CACHE] = ((path, root), result)
    return result


def path_value(matched: str) -> str:
    """The text of a path parameter matched in an encoded `route_path`."""
    return unquote(matched)


def url_segment(value: str) -> str:
    """A value as one segment of a URL path: everything but unreserved characters escaped, `/`
    included (`quote` and Jinja's `urlencode` keep `/` as it is by default)."""
    return quote(value, safe="")


def request_url_path(scope) -> str:
    """The request's path as a URL path (percent-encoded, an encoded slash kept), for a link back
    to it, such as the page to return to after signing in."""
    raw = scope.get("raw_path")
    if raw:
        return raw.decode("ascii", "replace")
    return quote(scope["path"])
