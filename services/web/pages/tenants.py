"""Tenants, for operators: every tenant with its member count, creating one (through notify's tenant API with
its admin token) and adding a member, who is emailed a sign-in link. Other members get 404."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request, status
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from services.web.accounts import add_member, register_tenant
from services.web.auth import signin_url
from services.web.deps import ContextDep, FormDep, OperatorDep, SessionDep, Viewer, admin_token, call_service, render
from services.web.mail import send_signin_link
from services.web.models import Member, WebTenant
from services.web.tenant_client import TenantAdminClient, TenantAdminError

router = APIRouter(prefix="/tenants", tags=["tenants"])
NOT_FOUND = "No such tenant."
EMPTY_FORM = {"name": "", "email": "", "tenant": "", "operator": ""}


def notify_admin_for(viewer: OperatorDep, context: ContextDep) -> TenantAdminClient:
    """notify's tenant API with its admin token; 503 when this web app was given none."""
    token = admin_token(context.settings.web_notify_admin_token, "Tenants", "REGALERTS_WEB_NOTIFY_ADMIN_TOKEN")
    return TenantAdminClient(context.settings.web_notify_url, token)


AdminDep = Annotated[TenantAdminClient, Depends(notify_admin_for)]


def _member_counts(session: Session) -> dict[str, int]:
    rows = session.execute(select(Member.tenant_id, func.count()).group_by(Member.tenant_id))
    return {tenant_id: count for tenant_id, count in rows.tuples()}


async def _page(
    request: Request,
    context: ContextDep,
    viewer: Viewer,
    session: Session,
    admin: TenantAdminClient,
    status_code: int = 200,
    **values: Any,
) -> HTMLResponse:
    tenants = await call_service(admin.tenants, not_found=NOT_FOUND)
    counts = _member_counts(session)
    managed = set(session.scalars(select(WebTenant.id)))
    for tenant in tenants:
        tenant["members"], tenant["managed"] = counts.get(tenant["id"], 0), tenant["id"] in managed
    values = {"errors": {}, "form": EMPTY_FORM, "notice": {}, **values}
    status_code = 422 if values["errors"] and status_code == 200 else status_code
    return render(context, request, "tenants.html.j2", viewer, status_code, tenants=tenants, **values)


@router.get("", response_class=HTMLResponse, summary="Tenants")
async def list_all(
    request: Request, context: ContextDep, viewer: OperatorDep, session: SessionDep, admin: AdminDep
) -> HTMLResponse:
    """Every tenant with its member count, and the forms creating a tenant and adding a member."""
    with admin:
        return await _page(request, context, viewer, session, admin)


@router.post("", summary="Create a tenant")
async def create(
    request: Request, context: ContextDep, viewer: OperatorDep, session: SessionDep, admin: AdminDep, form: FormDep
) -> HTMLResponse:
    """Create the tenant at notify and keep its first API key for the web app (never shown)."""
    typed = {**EMPTY_FORM, "name": form.get("name", "")}
    with admin:
        if not typed["name"].strip():
            errors = {"name": "Give the tenant a name."}
            return await _page(request, context, viewer, session, admin, errors=errors, form=typed)
        try:
            created = await call_service(admin.create_tenant, typed["name"], not_found=NOT_FOUND)
        except TenantAdminError as exc:
            if exc.status_code == status.HTTP_409_CONFLICT:
                errors = {"name": "A tenant of that name exists already."}
            elif exc.status_code == status.HTTP_422_UNPROCESSABLE_CONTENT:
                errors = {"name": next(iter(exc.field_errors().values()))}
            else:
                raise
            return await _page(request, context, viewer, session, admin, errors=errors, form=typed)
        register_tenant(session, tenant_id=created["id"], name=created["name"], api_key=created["api_key"])
        session.commit()
        notice = {"created": created["name"]}
        return await _page(
            request, context, viewer, session, admin, notice=notice, form={**EMPTY_FORM, "tenant": created["id"]}
        )


@router.post("/members", summary="Add a member to a tenant")
async def add(
    request: Request, context: ContextDep, viewer: OperatorDep, session: SessionDep, admin: AdminDep, form: FormDep
) -> HTMLResponse:
    """Add a member (an operator when asked) and email them a sign-in link; errors beside the field."""
    typed = {**EMPTY_FORM, **{name: form.get(name, "") for name in ("email", "tenant", "operator")}}
    tenant = session.get(WebTenant, typed["tenant"])
    with admin:
        if tenant is None:
            errors = {"tenant": "Choose a tenant this web app manages."}
            return await _page(request, context, viewer, session, admin, errors=errors, form=typed)
        try:
            member = add_member(session, email=typed["email"], tenant=tenant, operator=typed["operator"] == "1")
        except ValueError as exc:
            session.rollback()
            return await _page(request, context, viewer, session, admin, errors={"email": str(exc)}, form=typed)
        link = signin_url(session, context.settings, member=member)
        session.commit()
        await run_in_threadpool(send_signin_link, context.settings, to=member.email, link=link)
        notice = {"member": member.email, "tenant": tenant.name, "operator": member.operator}
        return await _page(
            request, context, viewer, session, admin, notice=notice, form={**EMPTY_FORM, "tenant": tenant.id}
        )
