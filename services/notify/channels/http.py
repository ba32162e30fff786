"""One HTTP POST to a webhook or Slack endpoint, turned into an Outcome (redirects never followed)."""

from __future__ import annotations

import time

import httpx

from services.notify.channels import Outcome, parse_retry_after
from services.pipeline.netguard import GuardedTransport, NetworkPolicy

USER_AGENT = "RegAlerts-Webhooks/1.0"
MAX_RESPONSE_BYTES = 64 * 1024


class PerOriginTransport(httpx.AsyncBaseTransport):
    """One connection pool per origin; every request passes the SSRF policy first.

    httpcore's pool examines every one of its connections on each request, so a single pool shared by
    all endpoints costs more per webhook as endpoints are added; per-origin pools stay small (an idle
    pool keeps no sockets once its keep-alive connections expire). Each pool is a GuardedTransport: it
    resolves without blocking the event loop and connects to the address it checked.
    """

    def __init__(self, policy: NetworkPolicy, *, max_connections: int) -> None:
        self._policy = policy
        self._limits = httpx.Limits(max_connections=max_connections, max_keepalive_connections=max_connections)
        self._tls = httpx.create_ssl_context()  # loading the CA bundle takes ~30 ms: once, not per origin
        self._pools: dict[tuple[str, str, int | None], GuardedTransport] = {}

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        """Send through the pool of the request's origin (created on first use), which checks the destination."""
        origin = (request.url.scheme, request.url.host, request.url.port)
        pool = self._pools.get(origin)
        if pool is None:
            pool = self._pools[origin] = GuardedTransport(self._policy, limits=self._limits, verify=self._tls)
        return await pool.handle_async_request(request)

    async def aclose(self) -> None:
        """Close every pool."""
        pools, self._pools = list(self._pools.values()), {}
        for pool in pools:
            await pool.aclose()


class Poster:
    """Posts webhook bodies straight to the transport: no cookies, auth or redirects to handle (a third of
    an AsyncClient's per-request CPU). Redirects are never followed; response bodies are read up to a cap."""

    def __init__(self, policy: NetworkPolicy, *, timeout_s: float, max_connections: int = 100) -> None:
        self._transport = PerOriginTransport(policy, max_connections=max_connections)
        self._timeout = {"connect": timeout_s, "read": timeout_s, "write": timeout_s, "pool": timeout_s}

    async def __aenter__(self) -> Poster:
        return self

    async def __aexit__(self, *_exc: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        """Close every connection."""
        await self._transport.aclose()

    async def post(self, url: str, body: bytes, headers: dict[str, str]) -> Outcome:
        """POST ``body``; 2xx is delivered, 410 is gone, anything else (3xx included) is a failure."""
        started = time.perf_counter()
        request = httpx.Request(
            "POST",
            url,
            content=body,
            headers={"user-agent": USER_AGENT, "content-type": "application/json", **headers},
            extensions={"timeout": self._timeout},
        )
        try:
            response = await self._transport.handle_async_request(request)
            try:
                await _drain(response)
            finally:
                await response.aclose()
        except httpx.HTTPError as exc:
            latency = (time.perf_counter() - started) * 1000
            return Outcome(delivered=False, latency_ms=latency, error=f"{type(exc).__name__}: {exc}"[:500])
        return _outcome(response, latency_ms=(time.perf_counter() - started) * 1000)


async def _drain(response: httpx.Response) -> None:
    """Read (and drop) at most MAX_RESPONSE_BYTES of the body, so the connection can be reused."""
    read = 0
    async for chunk in response.aiter_raw():
        read += len(chunk)
        if read > MAX_RESPONSE_BYTES:
            break


def _outcome(response: httpx.Response, *, latency_ms: float) -> Outcome:
    code = response.status_code
    if 200 <= code < 300:
        return Outcome(delivered=True, status_code=code, latency_ms=latency_ms)
    error = f"HTTP {code}" + (" (redirects are not followed)" if 300 <= code < 400 else "")
    return Outcome(
        delivered=False,
        status_code=code,
        latency_ms=latency_ms,
        error=error,
        retry_after_s=parse_retry_after(response.headers.get("retry-after")) if code in (429, 503) else None,
        gone=code == 410,
    )


def make_client(policy: NetworkPolicy, *, timeout_s: float, max_connections: int = 100) -> Poster:
    """A poster whose every connection passes the SSRF policy (close it with ``async with``)."""
    return Poster(policy, timeout_s=timeout_s, max_connections=max_connections)
