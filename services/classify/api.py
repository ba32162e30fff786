"""HTTP API of the classifier: POST /v1/classify {title, summary, lang?} -> tags."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Header, HTTPException
from pydantic import BaseModel, ConfigDict, Field

from services.classify.classifier import MAX_SUMMARY_CHARS, MAX_TITLE_CHARS, Classifier
from services.pipeline.events import Tags

MAX_BODY_BYTES = 256 * 1024  # 20,000 characters of CJK text are 60 KB of UTF-8; JSON escapes can double it


class ClassifyRequest(BaseModel):
    """An item to tag."""

    model_config = ConfigDict(extra="forbid")

    title: str = Field(min_length=1, max_length=MAX_TITLE_CHARS, description="The item's title, plain text.")
    summary: str = Field(default="", max_length=MAX_SUMMARY_CHARS, description="The item's summary, plain text.")
    lang: str | None = Field(
        default=None, max_length=35, pattern=r"^[A-Za-z]{2,3}(?:[-_][A-Za-z0-9]{1,8})*$",
        description="Language tag (BCP 47) when known; detected otherwise.",
    )  # fmt: skip


def _body_size(content_length: Annotated[int | None, Header()] = None) -> None:
    if content_length is not None and content_length > MAX_BODY_BYTES:
        raise HTTPException(status_code=413, detail=f"request body over {MAX_BODY_BYTES} bytes")


def make_router(classifier: Classifier) -> APIRouter:
    """The ``/v1/classify`` route, bound to one loaded classifier."""
    router = APIRouter(prefix="/v1", tags=["classify"])

    @router.post(
        "/classify", summary="Tag an item: language, companies, regulators, actions, jurisdictions",
        dependencies=[Depends(_body_size)],
    )  # fmt: skip
    def classify(request: ClassifyRequest) -> Tags:  # sync: FastAPI runs it in its thread pool (CPU-bound work)
        return classifier.classify(request.title, request.summary, request.lang)

    return router
