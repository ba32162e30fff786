"""One HTTP POST to a webhook or Slack endpoint, turned into an Outcome (redirects never followed)."""

from __future__ import annotations

import time

import httpx

from services.notify.channels import Outcome, parse_retry_after
from services.pipeline.netguard import GuardedTransport, NetworkPolicy

USER_AGENT = "RegAlerts-Webhooks/1.0"


def make_client(policy: NetworkPolicy, *, timeout_s: float, max_connections: int = 100) -> httpx.AsyncClient:
    """An HTTP client whose every connection passes the SSRF policy, and which never follows redirects."""
    transport = GuardedTransport(
        policy, limits=httpx.Limits(max_connections=max_connections, max_keepalive_connections=max_connections)
    )
    return httpx.AsyncClient(
        transport=transport,
        timeout=httpx.Timeout(timeout_s),
        follow_redirects=False,
        headers={"user-agent": USER_AGENT},
    )


async def post(client: httpx.AsyncClient, url: str, body: bytes, headers: dict[str, str]) -> Outcome:
    """POST ``body``; 2xx is delivered, 410 is gone, anything else (3xx included) is a failure."""
    started = time.perf_counter()
    try:
        response = await client.post(url, content=body, headers={"content-type": "application/json", **headers})
    except httpx.HTTPError as exc:
        latency = (time.perf_counter() - started) * 1000
        return Outcome(delivered=False, latency_ms=latency, error=f"{type(exc).__name__}: {exc}"[:500])
    latency = (time.perf_counter() - started) * 1000
    code = response.status_code
    if 200 <= code < 300:
        return Outcome(delivered=True, status_code=code, latency_ms=latency)
    error = f"HTTP {code}" + (" (redirects are not followed)" if 300 <= code < 400 else "")
    return Outcome(
        delivered=False,
        status_code=code,
        latency_ms=latency,
        error=error,
        retry_after_s=parse_retry_after(response.headers.get("retry-after")) if code in (429, 503) else None,
        gone=code == 410,
    )
