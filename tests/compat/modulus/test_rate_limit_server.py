"""The Inventory Manager API's rate limits (seed 003) on a real `storekeeper serve` whose
workspace has a small plan: a refused request is a 429 in the document's envelope, with its
`X-RateLimit-*` headers (`X-RateLimit-Reset` a Unix time) and `Retry-After`."""

from __future__ import annotations

import time

from tests.compat.modulus.shapes import PREFIX, error
from tests.waiting import wait_until


def test_a_key_over_its_limit_is_refused_429_with_the_documents_headers(served):
    with served.v1() as v1:
        assert v1.patch("/v1/workspace", json={"settings": {"rate_limit": {"per_second": 0.05, "burst": 3}}}
                        ).status_code == 200
    with served.vendor(PREFIX, {"Authorization": f"Bearer {served.key}"}) as vendor:
        refused = wait_until(lambda: (r := vendor.get("/v1/items")).status_code == 429 and r,
                             "a request refused for its rate", interval=0.01)
    assert error(refused) == (429, "rate_limited", None)
    assert int(refused.headers["retry-after"]) >= 1 and refused.headers["x-ratelimit-remaining"] == "0"
    assert refused.headers["x-ratelimit-limit"] == "3"
    reset = int(refused.headers["x-ratelimit-reset"])
    assert time.time() < reset <= time.time() + 3 / 0.05 + 5  # the Unix time the bucket is full again
