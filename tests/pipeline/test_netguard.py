"""SSRF guard: private, loopback, link-local and metadata addresses are refused unless allowed."""

from __future__ import annotations

import asyncio
import http.server
import ipaddress
import threading
from collections.abc import Iterator

import httpx
import pytest

from services.pipeline.netguard import (
    BlockedURL,
    GuardedTransport,
    HostNotFound,
    IPAddress,
    NetworkPolicy,
    embedded_ipv4,
)


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1/",
        "http://localhost:8080/x",
        "http://10.1.2.3/",
        "http://192.168.0.1/",
        "http://172.16.5.5/",
        "http://169.254.169.254/latest/meta-data/",
        "http://[::1]/",
        "http://[::ffff:127.0.0.1]/",
        "http://0.0.0.0/",
        "http://100.64.0.1/",
        "http://[64:ff9b::a9fe:a9fe]/",  # NAT64 to 169.254.169.254
        "http://[64:ff9b::a00:1]/",  # NAT64 to 10.0.0.1
        "http://[2002:a9fe:a9fe::]/",  # 6to4 from 169.254.169.254
        "http://[2002:7f00:1::]/",  # 6to4 from 127.0.0.1
        "http://[::169.254.169.254]/",  # IPv4-compatible
        "http://[::10.0.0.1]/",
        "http://[fec0::1]/",  # site-local
        "http://[2001:0:4136:e378:8000:63bf:3fff:fdd2]/",  # Teredo
    ],
)
def test_non_public_addresses_are_refused(url: str) -> None:
    with pytest.raises(BlockedURL):
        NetworkPolicy().check_url(url)


@pytest.mark.parametrize(
    "url", ["ftp://example.org/", "file:///etc/passwd", "http://user:pw@example.org/", "http:///x"]
)
def test_bad_schemes_credentials_and_hosts_are_refused(url: str) -> None:
    with pytest.raises(BlockedURL):
        NetworkPolicy().check_url(url)


def test_allow_list_admits_loopback_but_never_metadata() -> None:
    policy = NetworkPolicy("127.0.0.0/8, 169.254.0.0/16")
    policy.check_url("http://127.0.0.1:9/")
    with pytest.raises(BlockedURL, match="metadata"):
        policy.check_url("http://169.254.169.254/")


def test_bad_cidr_in_settings_is_a_clear_error() -> None:
    with pytest.raises(ValueError, match="does not appear to be an IPv4 or IPv6 network"):
        NetworkPolicy("127.0.0.0/8,not-a-cidr")


@pytest.fixture
def local_server() -> Iterator[str]:
    class Redirecting(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            if self.path == "/redirect":
                self.send_response(302)
                self.send_header("Location", "http://169.254.169.254/latest/meta-data/")
                self.end_headers()
                return
            if self.path == "/relative":
                self.send_response(302)
                self.send_header("Location", "/host")
                self.end_headers()
                return
            self.send_response(200)
            self.end_headers()
            self.wfile.write(self.headers["Host"].encode() if self.path == "/host" else b"ok")

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Redirecting)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_guarded_transport_checks_every_connection_including_redirects(local_server: str) -> None:
    async def fetch(policy: NetworkPolicy, path: str) -> httpx.Response:
        async with httpx.AsyncClient(transport=GuardedTransport(policy), follow_redirects=True) as client:
            return await client.get(local_server + path)

    with pytest.raises(httpx.ConnectError, match="blocked by SSRF policy"):
        asyncio.run(fetch(NetworkPolicy(), "/"))
    assert asyncio.run(fetch(NetworkPolicy("127.0.0.0/8"), "/")).text == "ok"
    with pytest.raises(httpx.ConnectError, match="metadata"):
        asyncio.run(fetch(NetworkPolicy("127.0.0.0/8"), "/redirect"))


def test_a_host_that_does_not_resolve_is_a_dns_failure_not_a_policy_refusal() -> None:
    async def fetch() -> httpx.Response:
        async with httpx.AsyncClient(transport=GuardedTransport(NetworkPolicy())) as client:
            return await client.get("http://no-such-host.invalid/feed.xml")

    with pytest.raises(HostNotFound, match="does not resolve"):
        NetworkPolicy().check_url("https://no-such-host.invalid/hook")
    with pytest.raises(httpx.ConnectError) as raised:
        asyncio.run(fetch())
    assert str(raised.value).startswith("DNS resolution failed: host 'no-such-host.invalid' does not resolve")
    assert "SSRF" not in str(raised.value)


def test_guarded_transport_connects_to_the_address_it_checked_under_the_original_name(local_server: str) -> None:
    port = local_server.rsplit(":", 1)[1]
    checked: list[str] = []

    class Recording(NetworkPolicy):
        def check_address(self, address: IPAddress) -> None:
            checked.append(str(address))
            super().check_address(address)

    async def fetch(path: str) -> httpx.Response:
        transport = GuardedTransport(Recording("127.0.0.0/8"))
        async with httpx.AsyncClient(transport=transport, follow_redirects=True) as client:
            return await client.get(f"http://localhost:{port}{path}")

    response = asyncio.run(fetch("/relative"))
    assert response.text == f"localhost:{port}"  # the Host header keeps the name, also after a redirect
    assert str(response.url) == f"http://localhost:{port}/host"
    assert checked and set(checked) <= {"127.0.0.1", "::1"}


@pytest.mark.parametrize(
    ("address", "reached"),
    [
        ("64:ff9b::808:808", "8.8.8.8"),
        ("2002:808:808::1", "8.8.8.8"),
        ("::ffff:8.8.8.8", "8.8.8.8"),
        ("2606:4700:4700::1111", None),
    ],
)
def test_ipv6_addresses_are_judged_by_the_ipv4_address_they_carry(address: str, reached: str | None) -> None:
    ip = ipaddress.IPv6Address(address)
    assert str(embedded_ipv4(ip)) == str(reached) if reached else embedded_ipv4(ip) is None
    NetworkPolicy().check_address(ip)  # public either way: allowed
