"""The route class every router uses: request bodies are parsed by our exact JSON codec.

Each router must be built with `APIRouter(..., route_class=StorekeeperRoute)`: FastAPI keeps
the class a route was created with when its router is included in another, so setting
`route_class` on the including router (or on the app) does not reach the included routes.
"""

from __future__ import annotations

from typing import Any

from fastapi import Request
from fastapi.routing import APIRoute

from storekeeper.api import codec
from storekeeper.api.errors import NUL_MESSAGE, InvalidInput


class ExactJSONRequest(Request):
    async def json(self) -> Any:
        if not hasattr(self, "_json"):
            value = codec.loads(await self.body())
            where = codec.nul_path(value)
            if where is not None:
                raise InvalidInput({where: [NUL_MESSAGE]})
            self._json = value
        return self._json


class StorekeeperRoute(APIRoute):
    def get_route_handler(self):
        handler = super().get_route_handler()

        async def exact_json_handler(request: Request):
            return await handler(ExactJSONRequest(request.scope, request.receive))

        return exact_json_handler
