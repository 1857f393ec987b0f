"""The rules of stock alerts (domain/alerts.py): which status changes alert, where an SMTP server
may be, and when a daily digest is due."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from storekeeper.domain.alerts import alerts_about, alerts_for, check_host, last_digest_at
from storekeeper.domain.errors import ValidationFailed

EVERY = {"low", "critical", "out_of_stock"}


@pytest.mark.parametrize(("before", "after", "alerts"), [
    ("normal", "low", True), ("low", "critical", True), ("normal", "out_of_stock", True),
    ("critical", "out_of_stock", True), ("out_of_stock", "low", False), ("low", "normal", False),
    ("low", "low", False), ("critical", "low", False)])
def test_an_item_alerts_only_when_its_status_gets_worse(before, after, alerts):
    assert alerts_for(before, after, EVERY) is alerts


def test_an_item_alerts_only_for_the_chosen_statuses():
    assert not alerts_for("normal", "low", {"out_of_stock"})
    assert alerts_for("low", "out_of_stock", {"out_of_stock"})


@pytest.mark.parametrize("host", ["10.0.0.1", "169.254.169.254", "0xa9fea9fe", "2852039166", "[::ffff:10.0.0.1]",
                                  "192.168.0.10", "172.16.3.4", "100.64.0.1", "0.0.0.0", "[fe80::1]", "[fc00::5]",
                                  "224.0.0.1"])
def test_smtp_hosts_inside_the_network_are_refused_whatever_the_loopback_setting(host):
    for allow_loopback in (False, True):
        with pytest.raises(ValidationFailed) as refused:
            check_host(host, allow_loopback=allow_loopback)
        assert "Not a public address" in refused.value.fields["smtp_host"][0]


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost", "mail.localhost", "[::1]", "2130706433", "127.1"])
def test_this_machine_is_refused_unless_the_server_allows_it(host):
    with pytest.raises(ValidationFailed):
        check_host(host, allow_loopback=False)
    check_host(host, allow_loopback=True)


def test_public_hosts_and_names_pass():
    for host in ("smtp.example.com", "8.8.8.9", "[2001:4860:4860::8888]"):
        check_host(host, allow_loopback=False)
    with pytest.raises(ValidationFailed):
        check_host("smtp example com", allow_loopback=False)


def test_the_digest_is_due_from_its_hour_in_the_time_zone_until_the_next_day():
    # 07:00 in London is 07:00 UTC in winter
    assert last_digest_at(datetime(2026, 12, 7, 6, 59, tzinfo=UTC), 7, "Europe/London") == \
        datetime(2026, 12, 6, 7, 0, tzinfo=UTC)
    assert last_digest_at(datetime(2026, 12, 7, 7, 0, tzinfo=UTC), 7, "Europe/London") == \
        datetime(2026, 12, 7, 7, 0, tzinfo=UTC)
    # 07:00 in Berlin is 06:00 UTC in winter and 05:00 UTC in summer
    assert last_digest_at(datetime(2026, 12, 7, 6, 30, tzinfo=UTC), 7, "Europe/Berlin") == \
        datetime(2026, 12, 7, 6, 0, tzinfo=UTC)
    assert last_digest_at(datetime(2026, 7, 7, 5, 30, tzinfo=UTC), 7, "Europe/Berlin") == \
        datetime(2026, 7, 7, 5, 0, tzinfo=UTC)
    with pytest.raises(ValidationFailed):
        last_digest_at(datetime(2026, 7, 7, tzinfo=UTC), 7, "Mars/Base")


def test_only_items_that_hold_stock_alert_not_parents_nor_bundles():
    assert alerts_about({"has_variants": False, "tracking": "quantity"})
    assert alerts_about({"has_variants": False, "tracking": "none"})  # never alerting: its status never worsens
    assert not alerts_about({"has_variants": True, "tracking": "quantity"})  # sums its variants, who alert
    assert not alerts_about({"has_variants": False, "tracking": "bundle"})  # its components alert
