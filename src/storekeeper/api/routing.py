"""The route class every router uses: request bodies are parsed by our exact JSON codec."""

from __future__ import annotations

from typing import Any

from fastapi import Request
from fastapi.routing import APIRoute

from storekeeper.api import codec


class ExactJSONRequest(Request):
    async def json(self) -> Any:
        if not hasattr(self, "_json"):
            self._json = codec.loads(await self.body())
        return self._json


class StorekeeperRoute(APIRoute):
    def get_route_handler(self):
        handler = super().get_route_handler()

        async def exact_json_handler(request: Request):
            return await handler(ExactJSONRequest(request.scope, request.receive))

        return exact_json_handler
