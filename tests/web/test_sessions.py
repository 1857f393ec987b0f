"""Dashboard sessions kept on the server (issue 19): signing out ends the session wherever its
cookie was copied, a new password or a deleted user ends every session of the user, the worker
purges sessions past their end, and a signed-in request reads its session in one statement."""

from __future__ import annotations

from datetime import timedelta

from fastapi.testclient import TestClient
from sqlalchemy import func, select, update

from storekeeper.domain.clock import utcnow
from storekeeper.persistence.tables import sessions as sessions_table
from storekeeper.services import sessions, users, worker
from tests.sql_counting import statements
from tests.web.conftest import PASSWORD, sign_in


def copy_of(app, browser) -> TestClient:
    """Another client holding the same session cookie (copied from the browser, say by malware
    or from a shared machine)."""
    thief = TestClient(app)
    thief.cookies.set("storekeeper_session", browser.client.cookies.get("storekeeper_session"))
    return thief


def user_id(workspace, email: str) -> str:
    with workspace.db.read() as conn:
        return users.find_user(conn, workspace.id, email)["id"]


def live_sessions(workspace, of_user: str) -> int:
    with workspace.db.read() as conn:
        return conn.execute(select(func.count()).select_from(sessions_table).where(
            sessions_table.c.workspace_id == workspace.id, sessions_table.c.user_id == of_user)).scalar_one()


def test_a_cookie_copied_before_sign_out_is_refused_after_it(app, admin):
    thief = copy_of(app, admin)
    assert thief.get("/items", follow_redirects=False).status_code == 200
    signed_out = admin.submit("/logout", {})
    assert signed_out.status_code == 303 and signed_out.headers["location"] == "/login"
    refused = thief.get("/items", follow_redirects=False)
    assert refused.status_code == 303 and refused.headers["location"].startswith("/login")
    assert admin.get("/items").status_code == 303


def test_signing_out_ends_that_session_only(app, workspace, admin):
    other_device = TestClient(app)
    r = other_device.post("/login", data={"email": admin.email, "password": PASSWORD}, follow_redirects=False)
    assert r.status_code == 303
    assert live_sessions(workspace, user_id(workspace, admin.email)) == 2
    assert admin.submit("/logout", {}).status_code == 303
    assert live_sessions(workspace, user_id(workspace, admin.email)) == 1
    assert other_device.get("/items", follow_redirects=False).status_code == 200


def test_a_new_password_or_deleting_the_user_deletes_their_sessions(app, workspace):
    ada = sign_in(app, workspace, "member", "ada@sessions.example")
    ada_id = user_id(workspace, ada.email)
    assert live_sessions(workspace, ada_id) == 1
    r = workspace.api.patch(f"/v1/users/{ada_id}", json={"password": "a new long password"})
    assert r.status_code == 200, r.text
    assert live_sessions(workspace, ada_id) == 0 and ada.get("/items").status_code == 303
    bob = sign_in(app, workspace, "viewer", "bob@sessions.example")
    bob_id = user_id(workspace, bob.email)
    assert live_sessions(workspace, bob_id) == 1
    users.delete_user(workspace.db, workspace.id, bob_id)
    assert live_sessions(workspace, bob_id) == 0 and bob.get("/items").status_code == 303


def test_a_session_past_its_end_is_refused_and_the_worker_purges_it(app, workspace, admin):
    # Fourteen days pass for this session (set on its row: the clock is not ours to move).
    with workspace.db.write() as conn:
        conn.execute(update(sessions_table).where(sessions_table.c.workspace_id == workspace.id)
                     .values(expires_at=utcnow() - timedelta(seconds=1)))
    assert admin.get("/items").status_code == 303
    assert worker.run_once(workspace.db)["sessions_purged"] >= 1
    assert live_sessions(workspace, user_id(workspace, admin.email)) == 0


def test_a_signed_in_request_reads_its_session_user_and_key_in_one_statement(app, workspace, admin):
    cookie = admin.client.cookies.get("storekeeper_session")
    with statements(workspace.db) as seen:
        user = sessions.session_user(workspace.db, cookie, app.state.settings.secret_key)
    assert user is not None and user.email == admin.email
    queries = [sql for sql in seen if sql.strip().upper() != "BEGIN"]  # SQLite's read transaction
    assert len(queries) == 1, queries
