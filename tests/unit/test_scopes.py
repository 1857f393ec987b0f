"""API key scopes (SPEC §2): a write scope implies its read scope, `*` grants all."""

from __future__ import annotations

import pytest

from storekeeper.domain.scopes import SCOPES, UnknownScope, allows, effective, validate_scopes

SPEC_SCOPES = {
    "items:read", "items:write", "stock:read", "stock:write", "orders:read", "orders:write", "production:read",
    "production:write", "audit:read", "locations:sync", "admin", "*",
}


def test_the_known_scopes_are_those_of_the_spec():
    assert set(SCOPES) == SPEC_SCOPES


@pytest.mark.parametrize("area", ["items", "stock", "orders", "production"])
def test_a_write_scope_implies_its_read_scope(area):
    assert allows([f"{area}:write"], f"{area}:read")
    assert effective([f"{area}:write"]) == {f"{area}:write", f"{area}:read"}


@pytest.mark.parametrize("area", ["items", "stock", "orders", "production"])
def test_a_read_scope_does_not_imply_its_write_scope(area):
    assert not allows([f"{area}:read"], f"{area}:write")


def test_a_scope_grants_nothing_of_another_area():
    assert not allows(["items:write"], "stock:read")
    assert not allows(["stock:write"], "items:read")
    assert not allows(["stock:write"], "locations:sync")


def test_the_wildcard_grants_every_scope():
    for scope in SCOPES:
        assert allows(["*"], scope)


def test_admin_implies_reading_the_audit_log_but_not_items_or_stock():
    assert allows(["admin"], "audit:read")
    assert not allows(["admin"], "items:read")
    assert not allows(["admin"], "stock:write")


def test_no_scopes_allow_nothing():
    assert effective([]) == frozenset()
    assert not allows([], "items:read")


def test_unknown_scopes_are_rejected_by_name():
    with pytest.raises(UnknownScope, match="'items:delete'"):
        validate_scopes(["items:read", "items:delete"])
    with pytest.raises(UnknownScope):
        validate_scopes(["ITEMS:READ"])


def test_validated_scopes_are_deduplicated_in_the_order_given():
    assert validate_scopes(["stock:read", "items:read", "stock:read"]) == ["stock:read", "items:read"]
    assert validate_scopes([]) == []
