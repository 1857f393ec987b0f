"""Where webhooks may go (domain/webhook_targets.py): public addresses only, in whatever spelling
an address is written, unless the install allows its own network."""

from __future__ import annotations

import ipaddress

import pytest

from storekeeper.domain.errors import ValidationFailed
from storekeeper.domain.webhook_targets import check_url, host_address, is_local_name, loggable_url, why_not_public


def fullwidth(text: str) -> str:
    """`text` in the fullwidth forms of its letters and digits, which NFKC (IDNA) reads as ASCII."""
    return "".join(chr(ord(c) + 0xFEE0) if c.isalnum() else c for c in text)


NON_PUBLIC = {
    # loopback, and the unspecified addresses that reach this machine too
    "127.0.0.1": "loopback", "127.255.0.9": "loopback", "::1": "loopback",
    "0.0.0.0": "unspecified", "::": "unspecified",
    # RFC 1918
    "10.0.0.1": "private", "10.255.255.255": "private", "172.16.0.1": "private", "172.31.255.254": "private",
    "192.168.1.1": "private",
    # link-local, among them the cloud metadata service
    "169.254.169.254": "link-local", "169.254.0.1": "link-local", "fe80::1": "link-local",
    "fe80::1%eth0": "link-local",
    # shared address space (carrier-grade NAT)
    "100.64.0.1": "not a public", "100.127.255.254": "not a public",
    # IPv6 unique local
    "fc00::1": "private", "fd12:3456:789a::1": "private",
    # IPv4 inside IPv6: mapped, and 6to4
    "::ffff:127.0.0.1": "loopback", "::ffff:10.1.2.3": "private", "::ffff:169.254.169.254": "link-local",
    "2002:7f00:1::": "loopback", "2002:a00:1::1": "private",
    # multicast, broadcast, reserved, documentation
    "224.0.0.1": "multicast", "239.255.255.250": "multicast", "ff02::1": "multicast",
    "255.255.255.255": "reserved", "240.0.0.1": "reserved", "0.1.2.3": "private", "192.0.2.10": "private",
    "2001:db8::1": "private", "fec0::1": "site-local",
}

PUBLIC = ["8.8.8.8", "1.1.1.1", "93.184.216.34", "172.32.0.1", "100.128.0.1", "2001:4860:4860::8888",
          "2606:4700:4700::1111", "::ffff:8.8.8.8", "2002:808:808::1"]


@pytest.mark.parametrize("address,kind", NON_PUBLIC.items())
def test_a_non_public_address_is_named_for_what_it_is(address, kind):
    reason = why_not_public(ipaddress.ip_address(address))
    assert reason is not None and kind in reason, reason


@pytest.mark.parametrize("address", PUBLIC)
def test_a_public_address_passes(address):
    assert why_not_public(ipaddress.ip_address(address)) is None


@pytest.mark.parametrize("host,address", [
    ("2130706433", "127.0.0.1"), ("0177.0.0.1", "127.0.0.1"), ("0x7f.1", "127.0.0.1"), ("127.1", "127.0.0.1"),
    ("0x7F000001", "127.0.0.1"), ("017700000001", "127.0.0.1"), ("0xa.0.0.1", "10.0.0.1"),
    ("0251.0376.0251.0376", "169.254.169.254"), ("2852039166", "169.254.169.254"), ("0", "0.0.0.0"),
    ("::ffff:7f00:1", "::ffff:127.0.0.1"), ("FE80::1", "fe80::1"), (fullwidth("127.0.0.1"), "127.0.0.1"),
    ("8.8.8.8", "8.8.8.8"),
])
def test_every_spelling_of_an_address_that_resolvers_accept_is_read_as_that_address(host, address):
    assert host_address(host) == ipaddress.ip_address(address)


@pytest.mark.parametrize("host", ["example.com", "hooks.test", "deadbeef", "cafe.face", "0x", "1.2.3.4.5",
                                  "08.1.1.1", "localhost"])
def test_a_name_is_not_an_address(host):
    assert host_address(host) is None


@pytest.mark.parametrize("host", ["localhost", "LOCALHOST", "localhost.", "api.localhost", "a.b.localhost.",
                                  fullwidth("localhost")])
def test_localhost_and_names_under_it_are_this_machine(host):
    assert is_local_name(host)


@pytest.mark.parametrize("host", ["localhost.example.com", "notlocalhost", "mylocalhost.com"])
def test_names_that_only_look_like_localhost_are_not(host):
    assert not is_local_name(host)


REFUSED_URLS = [
    "http://127.0.0.1/hook", "http://127.0.0.1.:8080/hook", "https://127.1/", "http://2130706433/",
    "http://0177.0.0.1/", "http://0x7f.1/", "http://localhost/", "http://LocalHost:3000/x", "http://api.localhost/",
    "http://[::1]:8080/", "http://0.0.0.0/", "http://[::]/", "http://10.1.2.3/", "http://172.16.5.4/",
    "http://192.168.0.10/", "http://169.254.169.254/latest/meta-data/", "http://100.64.1.1/", "http://[fc00::1]/",
    "http://[fd00:ec2::254]/", "http://[fe80::1%25eth0]/", "http://[::ffff:127.0.0.1]/", "http://[::ffff:a9fe:a9fe]/",
    "http://224.0.0.1/", "http://255.255.255.255/", "http://user:secret@127.0.0.1/hook?token=x",
]


@pytest.mark.parametrize("url", REFUSED_URLS)
def test_a_url_on_a_non_public_host_is_refused_on_the_url_field(url):
    with pytest.raises(ValidationFailed) as refused:
        check_url(url, allow_private=False)
    [message] = refused.value.fields["url"]
    assert message.startswith("Not a public address: ") and "STOREKEEPER_WEBHOOK_ALLOW_PRIVATE" in message
    check_url(url, allow_private=True)  # an install that allows its own network takes it


@pytest.mark.parametrize("url", ["https://hooks.example.com/x?token=1", "http://8.8.8.8/", "http://8.8.8.8:8080/",
                                 "https://[2001:4860:4860::8888]:8443/h", "http://localhost.example.com/"])
def test_a_url_on_a_public_address_or_a_name_passes(url):
    check_url(url, allow_private=False)


@pytest.mark.parametrize("url", ["ftp://example.com/", "example.com/hook", "http://", "http://[::1/",
                                 "http://example.com:99999/", "http://example.com:port/", "javascript:alert(1)"])
def test_what_is_not_an_http_url_with_a_host_is_refused_whatever_the_setting(url):
    for allow_private in (False, True):
        with pytest.raises(ValidationFailed) as refused:
            check_url(url, allow_private=allow_private)
        assert refused.value.fields == {"url": ["An http:// or https:// URL."]}


@pytest.mark.parametrize("url,logged", [
    ("https://hook:pa55@hooks.example.com:8443/services/T0/B0/secret?token=abc#x", "https://hooks.example.com:8443"),
    ("http://Example.COM/path?token=abc", "http://example.com"),
    ("http://[::1]:9000/h?k=v", "http://[::1]:9000"),
    ("http://[::1/", "(not a URL)"),
])
def test_only_the_scheme_host_and_port_of_a_url_may_be_logged(url, logged):
    assert loggable_url(url) == logged
