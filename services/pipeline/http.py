"""Operational HTTP routes every service mounts: liveness, readiness and Prometheus metrics."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Literal

from fastapi import APIRouter, Response
from fastapi.responses import JSONResponse
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from pydantic import BaseModel

log = logging.getLogger(__name__)

ReadyCheck = Callable[[], None]


class Ready(BaseModel):
    """Every readiness check passed."""

    status: Literal["ok"]
    checks: list[str]


class NotReady(BaseModel):
    """At least one readiness check failed: each failed check with the name of its error."""

    status: Literal["unavailable"]
    failed: dict[str, str]


def ops_router(ready_checks: dict[str, ReadyCheck]) -> APIRouter:
    """GET /healthz (the process answers), /readyz (each check passes), /metrics (Prometheus text)."""
    router = APIRouter(tags=["operations"])

    @router.get("/healthz", summary="Liveness: the process answers")
    def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @router.get(
        "/readyz",
        summary="Readiness: broker and database reachable",
        response_model=Ready,
        responses={503: {"model": NotReady, "description": "A check failed"}},
    )
    def readyz() -> JSONResponse:
        failed: dict[str, str] = {}
        for name, check in ready_checks.items():
            try:
                check()
            except Exception as exc:
                failed[name] = type(exc).__name__
                log.warning("Readiness check failed", extra={"check": name, "error": str(exc)[:300]})
        if failed:
            return JSONResponse({"status": "unavailable", "failed": failed}, status_code=503)
        return JSONResponse({"status": "ok", "checks": sorted(ready_checks)})

    @router.get("/metrics", summary="Prometheus metrics", include_in_schema=False)
    def metrics() -> Response:
        return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)

    return router


def kafka_ready_check(bootstrap_servers: list[str]) -> ReadyCheck:
    """A readiness check that asks the broker for cluster metadata (short timeouts)."""

    def check() -> None:
        from kafka import KafkaAdminClient

        admin = KafkaAdminClient(
            bootstrap_servers=bootstrap_servers, request_timeout_ms=2000, bootstrap_timeout_ms=2000
        )
        try:
            admin.list_topics()
        finally:
            admin.close()

    return check
