"""SSRF guard for every URL RegAlerts fetches (feeds) or posts to (webhooks, Slack).

A URL is refused when its host resolves to a loopback, private, link-local, multicast, reserved or
cloud-metadata address, unless that address is inside an explicitly allowed CIDR. The check runs at
registration and again at each connection (:class:`GuardedTransport`), since DNS answers change.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from collections.abc import Iterable
from typing import Any
from urllib.parse import urlsplit

import httpx

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network

# Cloud metadata endpoints are refused even when a private range containing them is allowed.
METADATA_ADDRESSES = frozenset(
    ipaddress.ip_address(a) for a in ("169.254.169.254", "169.254.170.2", "fd00:ec2::254", "100.100.100.200")
)


# IPv6 prefixes whose last 32 bits are an IPv4 destination (RFC 6052 NAT64, RFC 8215, RFC 4291 compatible).
_IPV4_CARRYING = tuple(ipaddress.IPv6Network(n) for n in ("64:ff9b::/96", "64:ff9b:1::/48", "::/96"))


def embedded_ipv4(address: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 address leads to (mapped, 6to4, NAT64 or IPv4-compatible), if any."""
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    if address.sixtofour is not None:
        return address.sixtofour
    if any(address in network for network in _IPV4_CARRYING) and int(address) > 1:  # not :: or ::1
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    return None


class BlockedURL(ValueError):
    """The URL may not be fetched or posted to; the message says why."""


class HostNotFound(BlockedURL):
    """The URL's host does not resolve, so its addresses cannot be checked: a DNS failure, not a refusal."""


def parse_cidrs(spec: str | Iterable[str]) -> tuple[IPNetwork, ...]:
    """Parse a comma-separated string (or iterable) of CIDRs; raise ValueError on a bad one."""
    items = spec.split(",") if isinstance(spec, str) else spec
    return tuple(ipaddress.ip_network(item.strip(), strict=False) for item in items if item.strip())


class NetworkPolicy:
    """Which addresses outbound requests may reach."""

    def __init__(self, allow_cidrs: str | Iterable[str] = ()) -> None:
        self.allowed = parse_cidrs(allow_cidrs)

    def check_address(self, address: IPAddress) -> None:
        """Raise BlockedURL when the address is not public and not explicitly allowed.

        An IPv6 address that carries an IPv4 address (mapped, compatible, NAT64, 6to4) is judged by the IPv4
        address it reaches; site-local and Teredo addresses are never public destinations.
        """
        if isinstance(address, ipaddress.IPv6Address):
            if address.is_site_local or address.teredo:
                raise BlockedURL(f"address {address} is site-local or a Teredo tunnel")
            embedded = embedded_ipv4(address)
            if embedded is not None:
                address = embedded
        if address in METADATA_ADDRESSES:
            raise BlockedURL(f"address {address} is a cloud metadata endpoint")
        if any(address in network for network in self.allowed):
            return
        if not address.is_global or address.is_multicast:
            raise BlockedURL(f"address {address} is not public (loopback, private, link-local or reserved)")

    def resolve(self, host: str, port: int) -> list[IPAddress]:
        """Resolve a host and check every address it resolves to."""
        try:
            infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except socket.gaierror as exc:
            raise HostNotFound(f"host {host!r} does not resolve: {exc.strerror}") from exc
        return self._checked(infos)

    def _checked(self, infos: list[tuple[Any, ...]]) -> list[IPAddress]:
        addresses = [ipaddress.ip_address(info[4][0]) for info in infos]
        for address in addresses:
            self.check_address(address)
        return addresses

    def check_url(self, url: str) -> None:
        """Validate scheme, credentials and host of a URL, resolving the host."""
        self.resolve(*_host_and_port(url))

    async def checked_addresses(self, url: str) -> list[IPAddress]:
        """Validate a URL as check_url does, resolving without blocking; return the addresses to connect to."""
        host, port = _host_and_port(url)
        try:
            literal = ipaddress.ip_address(host)
        except ValueError:
            literal = None
        if literal is not None:
            self.check_address(literal)
            return [literal]
        try:
            infos = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except socket.gaierror as exc:
            raise HostNotFound(f"host {host!r} does not resolve: {exc.strerror}") from exc
        return self._checked(infos)


def _host_and_port(url: str) -> tuple[str, int]:
    parts = urlsplit(url)
    if parts.scheme not in {"http", "https"}:
        raise BlockedURL(f"scheme {parts.scheme!r} is not http or https")
    if not parts.hostname:
        raise BlockedURL("URL has no host")
    if parts.username or parts.password:
        raise BlockedURL("URL may not carry credentials")
    try:
        return parts.hostname, parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError as exc:
        raise BlockedURL(f"bad port: {exc}") from exc


class GuardedTransport(httpx.AsyncHTTPTransport):
    """An httpx transport that checks the destination of every request (redirects included) and connects to
    the very address it checked, so a DNS answer that changes between check and connection (rebinding)
    cannot reach a refused address. The Host header, TLS SNI and certificate check keep the original name."""

    def __init__(self, policy: NetworkPolicy, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self._policy = policy

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        original = request.url
        try:
            addresses = await self._policy.checked_addresses(str(original))
        except HostNotFound as exc:
            raise httpx.ConnectError(f"DNS resolution failed: {exc}", request=request) from exc
        except BlockedURL as exc:
            raise httpx.ConnectError(f"blocked by SSRF policy: {exc}", request=request) from exc
        if original.scheme == "https":
            request.extensions = {**request.extensions, "sni_hostname": original.host}
        try:
            for address in addresses[:-1]:
                request.url = original.copy_with(host=str(address))
                try:
                    return await super().handle_async_request(request)
                except httpx.ConnectError:
                    continue  # the next address the name resolved to
            request.url = original.copy_with(host=str(addresses[-1]))
            return await super().handle_async_request(request)
        finally:
            request.url = original  # redirects and logs see the name, not the address
