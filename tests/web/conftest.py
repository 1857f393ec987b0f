"""The dashboard through the real ASGI app: a signed-in browser-like client per test (its own
cookie jar), whose forms carry the session's CSRF token as a browser's would."""

from __future__ import annotations

import re
from dataclasses import dataclass
from html import unescape

import pytest
from fastapi.testclient import TestClient

from storekeeper.services import sessions, users

PASSWORD = "correct horse battery"


@dataclass
class Browser:
    client: TestClient
    email: str

    def get(self, path: str, **kwargs):
        return self.client.get(path, follow_redirects=False, **kwargs)

    def csrf(self) -> str:
        """The session's CSRF token, as every signed-in page carries it."""
        page = self.client.get("/items", follow_redirects=False)
        found = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
        assert found, page.text
        return found.group(1)

    def submit(self, path: str, data: dict, *, csrf: bool = True):
        """POST a form as the page's own form would (with the CSRF token and a fresh form key)."""
        fields = dict(data)
        if csrf:
            fields.setdefault("csrf_token", self.csrf())
        return self.client.post(path, data=fields, follow_redirects=False)


def sign_in(app, workspace, role: str = "admin", email: str | None = None) -> Browser:
    email = email or f"{role}@{workspace.id.lower()}.example"
    row = users.create_user(workspace.db, workspace.id, email, role.capitalize(), role)
    sessions.set_password(workspace.db, workspace.id, row["id"], PASSWORD)
    client = TestClient(app, base_url="http://testserver")
    r = client.post("/login", data={"email": email, "password": PASSWORD, "next": "/"}, follow_redirects=False)
    assert r.status_code == 303, r.text
    return Browser(client, email)


@pytest.fixture
def admin(app, workspace) -> Browser:
    return sign_in(app, workspace, "admin")


@pytest.fixture
def member(app, workspace) -> Browser:
    return sign_in(app, workspace, "member")


@pytest.fixture
def viewer(app, workspace) -> Browser:
    return sign_in(app, workspace, "viewer")


def form_at(text: str, action: str) -> dict[str, str]:
    """The hidden fields of the page's form sent to `action`, as the browser sends them."""
    found = re.search(rf'<form method="post" action="{re.escape(action)}".*?</form>', text, re.S)
    assert found, f"no form to {action}"
    return dict(re.findall(r'<input type="hidden" name="([\w.]+)" value="([^"]*)"', found.group(0)))


def field_error(page, name: str) -> str:
    """What a form page says under its field `name` (empty when nothing)."""
    found = re.search(rf'id="error-{re.escape(name)}">([^<]*)<', page.text)
    return unescape(found.group(1)) if found else ""
