"""Where webhooks may be delivered: public addresses only, unless the install allows its own network.

An admin chooses a webhook's URL and the server posts to it from inside its own network. Without
this rule, a URL on 127.0.0.1, 10.0.0.5 or 169.254.169.254 (a cloud's metadata service) makes the
server call services that trust it for being local, and report their answers in the delivery log
(server-side request forgery). The rule applies twice: to the URL as written, when it is registered
(`check_url`: a host that is an address in any spelling, or a `localhost` name), and before every
delivery to each address the host resolves to (services/delivery.py, which then connects to the
address it checked, so that a name cannot answer differently between the check and the connection).

What is public comes from IANA's special-purpose address registries, as Python's `ipaddress` has
them (`is_global`, `is_private`, …).
"""

from __future__ import annotations

import ipaddress
import re
import socket
import unicodedata
from urllib.parse import urlsplit

from storekeeper.domain.errors import ValidationFailed

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

NOT_HTTP = "An http:// or https:// URL."
# Hosts that can only be an IPv4 address if they are one at all: digits, dots, and 0x… parts.
_NUMERIC = re.compile(r"[0-9a-fx.]+")


def host_address(host: str) -> IPAddress | None:
    """The address `host` (a URL's host, without IPv6 brackets) is, or None for a name.

    Besides dotted quads and IPv6, resolvers accept IPv4 in the old BSD spellings: `2130706433`,
    `0177.0.0.1` (octal), `0x7f.1` (hex), `127.1` (short). `inet_aton` is the C library's reader of
    those, the very one getaddrinfo uses for a numeric host, so what it reads is what a connection
    to that host would reach.
    """
    host = unicodedata.normalize("NFKC", host).lower()
    try:
        return ipaddress.ip_address(host)
    except ValueError:
        pass
    if _NUMERIC.fullmatch(host):
        try:
            return ipaddress.IPv4Address(socket.inet_aton(host))
        except OSError:
            return None
    return None


def why_not_public(address: IPAddress) -> str | None:
    """None for a public unicast address; else what it is, in words ("a loopback address").

    An IPv6 address that carries an IPv4 one (IPv4-mapped `::ffff:127.0.0.1`, 6to4 `2002:7f00:1::`)
    reaches that IPv4 address, so it is judged by it too.
    """
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            return why_not_public(address.ipv4_mapped)
        if address.sixtofour is not None and (embedded := why_not_public(address.sixtofour)):
            return embedded
    kinds = (("unspecified", address.is_unspecified), ("loopback", address.is_loopback),
             ("link-local", address.is_link_local), ("multicast", address.is_multicast),
             ("reserved", address.is_reserved), ("private", address.is_private),
             ("site-local", isinstance(address, ipaddress.IPv6Address) and address.is_site_local))
    for kind, applies in kinds:
        if applies:
            return f"{address} is a {kind} address"
    return None if address.is_global else f"{address} is not a public address"


def is_local_name(host: str) -> bool:
    """`localhost` and every name under it, which resolvers keep on this machine (RFC 6761)."""
    name = unicodedata.normalize("NFKC", host).lower().rstrip(".")
    return name == "localhost" or name.endswith(".localhost")


def check_url(url: str, *, allow_private: bool) -> None:
    """Refuse (ValidationFailed on `url`) what is not an http(s) URL with a host, or, unless
    `allow_private`, a URL whose host is a non-public address or a `localhost` name. Other names
    pass: what they resolve to is checked when a delivery is made, as it may change."""
    try:
        parts = urlsplit(url)
        host, _port = parts.hostname, parts.port  # .port refuses a port out of range
    except ValueError:  # unbalanced IPv6 brackets, a port that is not a number
        raise ValidationFailed({"url": [NOT_HTTP]}) from None
    if parts.scheme not in ("http", "https") or not host:
        raise ValidationFailed({"url": [NOT_HTTP]})
    if allow_private:
        return
    if is_local_name(host):
        reason = f"{host} names this machine"
    elif (address := host_address(host.rstrip("."))) is None or (reason := why_not_public(address)) is None:
        return
    raise ValidationFailed({"url": [
        f"Not a public address: {reason}. Webhooks are delivered only to public addresses unless the "
        "server allows its own network (STOREKEEPER_WEBHOOK_ALLOW_PRIVATE)."]})


def loggable_url(url: str) -> str:
    """What of a webhook URL may be logged: `scheme://host[:port]`. The rest stays out of logs:
    receivers put tokens in userinfo, in query strings and in paths (`/services/T0/B0/<token>`)."""
    try:
        parts = urlsplit(url)
        host, port = parts.hostname, parts.port
    except ValueError:
        return "(not a URL)"
    if not host:
        return "(not a URL)"
    host = f"[{host}]" if ":" in host else host
    return f"{parts.scheme}://{host}" + (f":{port}" if port is not None else "")
