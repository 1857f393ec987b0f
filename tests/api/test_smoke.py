"""The first request a newcomer makes: who am I?"""


def test_me_names_the_workspace_and_the_calling_key(api, workspace):
    r = api.get("/v1/me")
    assert r.status_code == 200
    body = r.json()
    assert body["workspace"]["id"] == workspace.id
    assert body["key"]["scopes"] == ["*"]
    assert workspace.key.startswith(body["key"]["prefix"])
    assert body["rate_limit"] == {"per_second": 20, "burst": 40, "per_minute": None, "per_day": None}


def test_every_response_carries_the_api_version_and_a_request_id(client):
    r = client.get("/healthz", headers={"X-Request-Id": "abc-123"})
    assert r.headers["x-api-version"] == "1"
    assert r.headers["x-request-id"] == "abc-123"
    generated = client.get("/healthz").headers["x-request-id"]
    assert generated.startswith("req_")
