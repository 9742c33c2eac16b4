"""The staff console: an index, subject access requests, audit log status.

Clauses: use.purposes (each page is open only to the roles whose work it
is: requests to the privacy officer, who alone may invoke `subject_access`;
the audit status to the roles with the `read_audit` duty; the website report
to roles that may use `improve_websites_and_ads`), rights.access (the
privacy officer's queue of cases, oldest deadline first), secure.measures
(the audit chain's verification, visible to privacy officer and auditor).

    GET /console         links, by role
    GET /console/sar     privacy_officer (see `console_cases`)
    GET /console/audit   privacy_officer, auditor
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from tutela.access.roles import SUBJECT_ACCESS, Duty, Role, has_duty, purposes_for
from tutela.audit import audit_log
from tutela.auth.signin import Principal, csrf_token
from tutela.web._pages import render
from tutela.web.deps import (
    SESSION_COOKIE,
    PolicyDep,
    StoreDep,
    require_duty,
    require_staff,
)

router = APIRouter(tags=["console"])

WEB_PURPOSE = "improve_websites_and_ads"


def _csrf(request: Request) -> str:
    return csrf_token(request.cookies.get(SESSION_COOKIE) or "")


@router.get("/console")
def read_console(
    request: Request,
    principal: Annotated[Principal, Depends(require_staff)],
    policy: PolicyDep,
) -> Response:
    """The index of staff pages this user's role may open."""
    role = principal.role
    may = purposes_for(role, policy=policy)
    return render(
        "console.html",
        principal=principal,
        csrf=_csrf(request),
        can_web=WEB_PURPOSE in may,
        can_sar=SUBJECT_ACCESS in may,
        can_audit=has_duty(role, Duty.read_audit),
        can_ledger=has_duty(role, Duty.read_ledger),
        can_oversee=role in (Role.privacy_officer, Role.auditor),
        can_admin=has_duty(role, Duty.administer),
    )


@router.get("/console/audit")
def read_audit_status(
    request: Request,
    store: StoreDep,
    principal: Annotated[Principal, Depends(require_duty(Duty.read_audit))],
) -> Response:
    """Verify the hash chain now and show the result."""
    return render(
        "console_audit.html",
        principal=principal,
        csrf=_csrf(request),
        report=audit_log(store).verify(),
    )
