"""The HTTP ceiling: what this machine's FastAPI and uvicorn serve with nothing behind them.

One synchronous `def` POST route, as Storekeeper's are (FastAPI runs them in its thread pool),
taking a small JSON body validated by a Pydantic model: the same body as a W1 adjustment. Served
by uvicorn with the same worker count and the same event loop and HTTP parser as
`storekeeper serve` (`bench/__main__.py` starts it), and driven by the same load process, so
W1's requests a second can be read as a share of it.
"""

from __future__ import annotations

from fastapi import FastAPI
from pydantic import BaseModel

app = FastAPI(openapi_url=None, docs_url=None, redoc_url=None)


class Adjustment(BaseModel):
    item: str
    location: str | None = None
    reason: str
    delta: int


@app.post("/ceiling", status_code=201)
def ceiling(body: Adjustment) -> dict[str, str | int]:
    return {"item": body.item, "delta": body.delta}
