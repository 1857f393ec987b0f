"""The route class every router uses: request bodies are parsed by our exact JSON codec, every
write endpoint honours Idempotency-Key (api/idempotency.py), and a path parameter may hold an
encoded slash (api/paths.py: `/v1/items/A%2FB` is the item `A/B`). And `add_routes`, which puts
a router's routes into the app's own flat route table (the dashboard's too).

Each router must be built with `APIRouter(..., route_class=StorekeeperRoute)`: FastAPI keeps
the class a route was created with when its router is included in another, so setting
`route_class` on the including router (or on the app) does not reach the included routes.
"""

from __future__ import annotations

from types import UnionType
from typing import Annotated, Any, Union, get_args, get_origin

from fastapi import APIRouter, Depends, Header, Request
from fastapi.routing import APIRoute
from starlette.routing import Match

from storekeeper.api import codec, paths
from storekeeper.api.errors import NUL_MESSAGE, InvalidInput
from storekeeper.api.idempotency import current_request, idempotent

WRITE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}


class ExactJSONRequest(Request):
    async def json(self) -> Any:
        if not hasattr(self, "_json"):
            value = codec.loads(await self.body())
            where = codec.nul_path(value)
            if where is not None:
                raise InvalidInput({where: [NUL_MESSAGE]})
            self._json = value
        return self._json


async def _idempotency_header(
    key: Annotated[
        str | None,
        Header(
            alias="Idempotency-Key",
            max_length=255,
            description="Makes a retry safe: the first response to this key is replayed for 24 hours.",
        ),
    ] = None,
) -> None:
    """Documents the header on every write in /openapi.json; api/idempotency.py acts on it."""


class StorekeeperRoute(APIRoute):
    def __init__(self, path: str, endpoint, *, methods=None, dependencies=None, **kwargs):
        if methods and WRITE_METHODS & {m.upper() for m in methods}:
            endpoint = idempotent(endpoint, redact=getattr(endpoint, "idempotency_redact", ()))
            dependencies = [*(d for d in dependencies or [] if d.dependency is not _idempotency_header),
                            Depends(_idempotency_header)]
        super().__init__(path, endpoint, methods=methods, dependencies=dependencies, **kwargs)

    def matches(self, scope) -> tuple[Match, dict[str, Any]]:
        """Starlette's matching, on the raw path when it holds an encoded slash (api/paths.py),
        so that the slash stays inside its parameter."""
        # Asked of every route until one matches: the raw path is searched once per request.
        slashed = scope.get(paths.ENCODED_SLASH)
        if slashed is None:
            slashed = scope[paths.ENCODED_SLASH] = paths.has_encoded_slash(scope)
        if not slashed or scope["type"] != "http":
            return APIRoute.matches(self, scope)
        path, encoded = paths.route_path(scope)
        if not encoded:
            return APIRoute.matches(self, scope)
        match = self.path_regex.match(path)
        if match is None:
            return Match.NONE, {}
        params = {key: self.param_convertors[key].convert(paths.path_value(value))
                  for key, value in match.groupdict().items()}
        child_scope = {"endpoint": self.endpoint, "path_params": {**scope.get("path_params", {}), **params},
                       "route": self}
        if self.methods and scope["method"] not in self.methods:
            return Match.PARTIAL, child_scope
        return Match.FULL, child_scope

    def get_route_handler(self):
        handler = super().get_route_handler()
        repeatable = _sequence_query_params(self)

        async def exact_json_handler(request: Request):
            repeated = _repeated_query_params(request, repeatable)
            if repeated:
                raise InvalidInput({name: ["Given more than once; it takes one value."] for name in repeated})
            exact = ExactJSONRequest(request.scope, request.receive)
            token = current_request.set(exact)
            try:
                return await handler(exact)
            finally:
                current_request.reset(token)

        return exact_json_handler


# What a route keeps from its router's settings, copied as it is into the app's route table.
_ROUTE_SETTINGS = (
    "response_model", "status_code", "tags", "dependencies", "summary", "description", "response_description",
    "deprecated", "name", "methods", "operation_id", "response_model_include", "response_model_exclude",
    "response_model_by_alias", "response_model_exclude_unset", "response_model_exclude_defaults",
    "response_model_exclude_none", "include_in_schema", "response_class", "callbacks", "openapi_extra",
    "generate_unique_id_function", "strict_content_type", "max_body_size",
)


def add_routes(target: APIRouter, router: APIRouter, *, prefix: str = "",
               responses: dict[int | str, dict[str, Any]] | None = None) -> None:
    """Add the routes of `router` to `target` under `prefix`, as `include_router` would, but as
    routes of `target` itself. FastAPI since 0.137 keeps an included router as a branch that it
    walks for every request, twice per level: with /v1 and its 16 routers, finding the route
    took a third of the CPU of `GET /v1/stock/{sku}`; in one flat table it is a regex per route."""
    for route in router.routes:
        if not isinstance(route, APIRoute):
            raise TypeError(f"{route!r}: only API routes can be added")
        settings = {name: getattr(route, name) for name in _ROUTE_SETTINGS}
        target.add_api_route(prefix + route.path, route.endpoint, responses={**(responses or {}), **route.responses},
                             **settings)


def _sequence_query_params(route: APIRoute) -> set[str]:
    """Query parameters declared as lists, which may be given several times."""
    names = set()
    fields, pending = [], [route.dependant]
    while pending:
        dependant = pending.pop()
        fields += dependant.query_params
        pending += dependant.dependencies
    for field in fields:
        annotation = field.field_info.annotation
        candidates = get_args(annotation) if get_origin(annotation) in (Union, UnionType) else (annotation,)
        if any(get_origin(c) in (list, set, tuple) or c in (list, set, tuple) for c in candidates):
            names.add(field.alias)
    return names


def _repeated_query_params(request: Request, repeatable: set[str]) -> list[str]:
    """FastAPI quietly keeps the last of a repeated single-valued parameter; we refuse it."""
    if not request.scope.get("query_string"):
        return []
    seen: set[str] = set()
    repeated = []
    for name, _value in request.query_params.multi_items():
        if name in seen and name not in repeatable and name not in repeated:
            repeated.append(name)
        seen.add(name)
    return repeated
