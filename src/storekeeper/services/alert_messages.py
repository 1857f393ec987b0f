"""What a stock alert email says (the stdlib's `email` package builds it): per item its name, SKU,
the status it moved into (and from), its stock per location now, and a link to its page in the
dashboard. Several alerts of one item in one email (low, then out of stock, in a digest) are told
as one: from its first status to its last.
"""

from __future__ import annotations

from decimal import Decimal
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from typing import Any
from urllib.parse import quote

from storekeeper.domain.quantities import format_quantity

STATUS_WORDS = {"normal": "in stock", "low": "low", "critical": "critical", "out_of_stock": "out of stock"}


def _quantity(value: Decimal, unit: str | None) -> str:
    return f"{format_quantity(value)} {unit}" if unit else format_quantity(value)


def _link(config: dict[str, Any], sku: str) -> str | None:
    base = config.get("dashboard_url")
    return f"{base}/items/{quote(sku, safe='')}" if base else None


def _by_item(leased: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """One entry per item, in the order of their first alert: its first `from`, its last `to`."""
    items: dict[str, dict[str, Any]] = {}
    for alert in leased:
        seen = items.get(alert["item_id"])
        if seen is None:
            items[alert["item_id"]] = dict(alert)
        else:
            seen.update(to_status=alert["to_status"], on_hand=alert["on_hand"], available=alert["available"])
    return list(items.values())


def _paragraph(config: dict[str, Any], alert: dict[str, Any], levels: list[dict[str, Any]]) -> list[str]:
    name, sku, unit = alert.get("name") or "(an item since deleted)", alert.get("sku") or "?", alert.get("unit")
    lines = [f"{name} (SKU {sku}) is {STATUS_WORDS.get(alert['to_status'], alert['to_status'])} "
             f"(was {STATUS_WORDS.get(alert['from_status'], alert['from_status'])}): "
             f"{_quantity(alert['available'], unit)} available, {_quantity(alert['on_hand'], unit)} on hand."]
    if levels:
        lines.append("  Stock now by location:")
        lines += [f"  - {lv['location']}: {_quantity(lv['on_hand'], unit)} on hand, "
                  f"{_quantity(lv['available'], unit)} available" for lv in levels]
    if link := _link(config, sku):
        lines.append(f"  {link}")
    return lines


def _one_line(text: str) -> str:
    """A header's text: an item's name with a line break in it must not end the header (the
    email package refuses one) nor start another."""
    return " ".join(text.split())[:900]


def _message(config: dict[str, Any], subject: str, body: str) -> EmailMessage:
    message = EmailMessage()
    message["Subject"] = _one_line(subject)
    message["From"] = config["from_address"]
    # Recipients go in the envelope only: each sees the alert, not who else was told.
    message["To"] = "undisclosed-recipients:;"
    message["Date"] = formatdate(localtime=False, usegmt=True)
    message["Message-ID"] = make_msgid(domain=config["from_address"].rpartition("@")[2] or None)
    message["Auto-Submitted"] = "auto-generated"
    message.set_content(body)
    return message


def compose(config: dict[str, Any], leased: list[dict[str, Any]], levels: dict[str, list[dict[str, Any]]], *,
            digest: bool = False) -> EmailMessage:
    entries = _by_item(leased)
    if len(entries) == 1 and not digest:
        only = entries[0]
        subject = (f"Stock alert: {only.get('name') or only.get('sku')} ({only.get('sku')}) is "
                   f"{STATUS_WORDS.get(only['to_status'], only['to_status'])}")
    else:
        subject = f"{'Daily stock alerts' if digest else 'Stock alerts'}: {len(entries)} " \
                  f"item{'s' if len(entries) != 1 else ''}"
    lines = ["Stock has run low:" if not digest else "Stock that ran low since the last digest:", ""]
    for entry in entries:
        lines += _paragraph(config, entry, levels.get(entry["item_id"], []))
        lines.append("")
    lines.append("You receive this because the workspace's alert settings name you. "
                 "An admin changes them on the dashboard's Alerts page.")
    return _message(config, subject, "\n".join(lines))


def compose_test(config: dict[str, Any]) -> EmailMessage:
    body = ("This is a test of the stock alert settings: the SMTP server accepted it, so alerts will reach you "
            "too.\n\n" + (f"Dashboard: {config['dashboard_url']}\n" if config.get("dashboard_url") else ""))
    return _message(config, "Storekeeper: test of stock alerts", body)
