"""HTTP API of the classifier: POST /v1/classify {title, summary, lang?} -> tags."""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, Field

from services.classify import lookup
from services.classify.classifier import MAX_SUMMARY_CHARS, MAX_TITLE_CHARS, Classifier
from services.pipeline.events import Tags


class ClassifyRequest(BaseModel):
    """An item to tag."""

    model_config = ConfigDict(extra="forbid")

    title: str = Field(min_length=1, max_length=MAX_TITLE_CHARS, description="The item's title, plain text.")
    summary: str = Field(default="", max_length=MAX_SUMMARY_CHARS, description="The item's summary, plain text.")
    lang: str | None = Field(
        default=None, max_length=35, pattern=r"^[A-Za-z]{2,3}(?:[-_][A-Za-z0-9]{1,8})*$",
        description="Language tag (BCP 47) when known; detected otherwise.",
    )  # fmt: skip


def make_router(classifier: Classifier) -> APIRouter:
    """The ``/v1/classify`` route, bound to one loaded classifier. The body's size is capped by the service's
    application (``services.pipeline.api.service_app``, counted while the body is read); the largest valid item
    (20,000 characters of summary, even all escaped as \\uXXXX) fits well under that cap."""
    router = APIRouter(prefix="/v1", tags=["classify"])

    @router.post(
        "/classify", summary="Tag an item: language, companies, regulators, actions, jurisdictions"
    )  # fmt: skip
    def classify(request: ClassifyRequest) -> Tags:  # sync: FastAPI runs it in its thread pool (CPU-bound work)
        return classifier.classify(request.title, request.summary, request.lang)

    router.include_router(lookup.make_router(classifier.kb))
    return router
