"""Oversight pages: audit entries, the disclosure ledger, the data map, ingest runs, subscribers.

Clauses: secure.measures (audit entries, newest first, filtered; the
chain's verification stays on /console/audit), disclose and
disclose.jurisdictions (the ledger, per subject too), use.purposes and
collect (the data map, read from the policy), collect.service_use.
call_records (ingest runs and where and why records were refused),
changes.subscribe (who asked for policy updates; read-only here).
The privacy officer opens every page; the auditor the audit log, the
ledger, the data map and the ingest runs (no personal values are on
them); the subscribers' addresses only the privacy officer.

    GET /console/audit/entries   action, actor, subject, seq, page
    GET /console/ledger          recipient, allowed, subject, page
    GET /console/datamap
    GET /console/ingest          page
    GET /console/ingest/{id}
    GET /console/subscriptions
"""

from __future__ import annotations

from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import Response
from markupsafe import Markup

from tutela.access.roles import Duty, Role
from tutela.audit.browse import AuditQuery, browse_entries
from tutela.auth.signin import Principal
from tutela.collect.run_history import list_runs, run_with_refusals
from tutela.disclose.ledger_browse import browse_ledger
from tutela.errors import TutelaError
from tutela.policy import data_map, diagram_svg
from tutela.rights.subscribers import list_subscribers
from tutela.web._pages import render
from tutela.web.deps import (
    PageDenied,
    PolicyDep,
    SettingsDep,
    StoreDep,
    require_duty,
    require_roles,
)
from tutela.web.routes.console_cases import page_csrf

router = APIRouter(tags=["console"])

Auditing = Annotated[Principal, Depends(require_duty(Duty.read_audit))]
LedgerReader = Annotated[Principal, Depends(require_duty(Duty.read_ledger))]
Overseer = Annotated[
    Principal, Depends(require_roles(Role.privacy_officer, Role.auditor))
]
Officer = Annotated[Principal, Depends(require_roles(Role.privacy_officer))]
Page = Annotated[int, Query(ge=1, le=1_000_000)]
SubjectId = Annotated[int | None, Query(ge=0, le=2**62)]


def _refused(exc: TutelaError, back: str) -> PageDenied:
    return PageDenied(exc.status, exc.message, back=back)


@router.get("/console/audit/entries")
def read_audit_entries(
    request: Request,
    store: StoreDep,
    principal: Auditing,
    action: Annotated[str, Query(max_length=64)] = "",
    actor: Annotated[str, Query(max_length=120)] = "",
    subject: SubjectId = None,
    seq: Annotated[int | None, Query(ge=1, le=2**62)] = None,
    page: Page = 1,
) -> Response:
    """Audit entries, newest first; filter by action (or `prefix.`), actor, subject."""
    query = AuditQuery(
        action=action or None, actor=actor or None, subject=subject, seq=seq, page=page
    )
    try:
        found = browse_entries(store, query)
    except TutelaError as exc:
        raise _refused(exc, "/console/audit/entries") from None
    filters = {
        "action": action,
        "actor": actor,
        "subject": "" if subject is None else str(subject),
        "seq": "" if seq is None else str(seq),
    }
    return render(
        "console_audit_entries.html",
        principal=principal,
        csrf=page_csrf(request),
        found=found,
        filters=filters,
        link_args=urlencode({k: v for k, v in filters.items() if v}),
    )


@router.get("/console/ledger")
def read_ledger(
    request: Request,
    store: StoreDep,
    principal: LedgerReader,
    recipient: Annotated[str, Query(max_length=64)] = "",
    allowed: Annotated[str, Query(pattern="^(|yes|no)$")] = "",
    subject: SubjectId = None,
    page: Page = 1,
) -> Response:
    """Every disclosure decision, newest first, or all of one subject's."""
    try:
        found = browse_ledger(
            store,
            actor=principal.actor,
            recipient=recipient or None,
            allowed={"yes": True, "no": False}.get(allowed),
            subject=subject,
            page=page,
        )
    except TutelaError as exc:
        raise _refused(exc, "/console/ledger") from None
    filters = {
        "recipient": recipient,
        "allowed": allowed,
        "subject": "" if subject is None else str(subject),
    }
    return render(
        "console_ledger.html",
        principal=principal,
        csrf=page_csrf(request),
        found=found,
        filters=filters,
        link_args=urlencode({k: v for k, v in filters.items() if v}),
    )


@router.get("/console/datamap")
def read_data_map(request: Request, policy: PolicyDep, principal: Overseer) -> Response:
    """Categories, purposes, recipients and jurisdictions: a table and a diagram."""
    found = data_map(policy)
    return render(
        "console_datamap.html",
        principal=principal,
        csrf=page_csrf(request),
        found=found,
        diagram=Markup(diagram_svg(found)),  # built from escaped policy ids only
    )


@router.get("/console/ingest")
def read_ingest_runs(
    request: Request, store: StoreDep, principal: Overseer, page: Page = 1
) -> Response:
    """Ingest runs, newest first, with their counts."""
    runs, total = list_runs(store, page=page)
    return render(
        "console_ingest.html",
        principal=principal,
        csrf=page_csrf(request),
        runs=runs,
        total=total,
        page=page,
        pages=max(1, -(-total // 50)),
    )


@router.get("/console/ingest/{run_id}")
def read_ingest_run(
    request: Request,
    run_id: Annotated[int, Path(ge=1, le=2**62)],
    store: StoreDep,
    settings: SettingsDep,
    principal: Overseer,
) -> Response:
    """One run with where and why each quarantined record was refused."""
    try:
        run, refused = run_with_refusals(store, run_id, data_dir=settings.data)
    except TutelaError as exc:
        raise _refused(exc, "/console/ingest") from None
    return render(
        "console_ingest_run.html",
        principal=principal,
        csrf=page_csrf(request),
        run=run,
        refused=refused,
    )


@router.get("/console/subscriptions")
def read_subscriptions(
    request: Request, store: StoreDep, principal: Officer
) -> Response:
    """Who asked for policy updates, and how many are verified."""
    return render(
        "console_subscriptions.html",
        principal=principal,
        csrf=page_csrf(request),
        found=list_subscribers(store, actor=principal.actor),
    )
