"""The access-request queue and the case page of the staff console.

Clauses: rights.access (the queue, oldest deadline first, overdue and
due-soon cases singled out; the case page names the requester and the
people the request matched before anything is exported, and previews the
export exactly as it would be released), rights.access.verification,
rights.access.fee_or_reject, use.purposes (open to the privacy officer
only; the requester and the people are read through the purpose gate as
that officer). The actions are in `console_case_actions`.

    GET  /console/sar                    queue: state, rule, jurisdiction, due, ref, mine, page
    GET  /console/sar/{id}               the case file and its action forms
    GET  /console/sar/{id}/preview       what a release would contain
    POST /console/sar/{id}/assign        form (csrf, to) -> 303 the case page
"""

from __future__ import annotations

from typing import Annotated, Final
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Form, Path, Query, Request
from fastapi.responses import RedirectResponse, Response

from tutela.access.roles import Role
from tutela.auth.signin import Principal, csrf_token, list_users
from tutela.errors import TutelaError
from tutela.rights.assignment import assign_case
from tutela.rights.casefile import case_file
from tutela.rights.cases import CLOSED, OPEN, State
from tutela.rights.deadlines import RULES
from tutela.rights.export.preview import preview_export
from tutela.rights.kinds import KINDS
from tutela.rights.proof import PROOF, Level, action_for, level_of
from tutela.rights.queue import DUE_FILTERS, CaseQuery, search_cases
from tutela.rights.verification import methods_for
from tutela.store import Store
from tutela.web._pages import render
from tutela.web.deps import (
    SESSION_COOKIE,
    PageDenied,
    SettingsDep,
    StoreDep,
    csrf_checked,
    require_roles,
)

router = APIRouter(tags=["console"])

Officer = Annotated[Principal, Depends(require_roles(Role.privacy_officer))]
CaseId = Annotated[int, Path(ge=1, le=2**62, description="Id of the case.")]
QUEUE: Final = "/console/sar"

DONE: Final = {
    "assigned": "The case was assigned.",
    "code_sent": "A one-time code was sent to the address on file.",
    "code": "The code was checked.",
    "points": "The data points were checked.",
    "override_proposed": "The override was proposed; a second officer must approve it.",
    "override_approved": "The override was approved.",
    "fee": "The fee was asked, with its reason.",
    "fee_paid": "The fee was recorded as paid.",
    "rejected": "The request was rejected, with its reason.",
    "extended": "The deadline was extended; the requester was told why.",
    "released": "The export was released: the case is fulfilled.",
}


def page_csrf(request: Request) -> str:
    return csrf_token(request.cookies.get(SESSION_COOKIE) or "")


def refused(exc: TutelaError, case_id: int | None = None) -> PageDenied:
    """A domain refusal as an error page that leads back to the case (or queue)."""
    back = QUEUE if case_id is None else f"{QUEUE}/{case_id}"
    return PageDenied(exc.status, exc.message, back=back)


def officers(store: Store) -> list[tuple[str, str]]:
    """(actor id, e-mail) of the active privacy officers, for the assign form."""
    return [
        (f"staff:{u.id}", u.email)
        for u in list_users(store)
        if u.role == Role.privacy_officer.value and not u.disabled
    ]


@router.get(QUEUE)
def read_case_queue(
    request: Request,
    store: StoreDep,
    principal: Officer,
    state: Annotated[str, Query(max_length=16)] = "",
    kind: Annotated[str, Query(max_length=16)] = "",
    rule: Annotated[str, Query(max_length=16)] = "",
    jurisdiction: Annotated[str, Query(max_length=8)] = "",
    due: Annotated[str, Query(max_length=16)] = "",
    ref: Annotated[str, Query(max_length=40)] = "",
    mine: bool = False,
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
) -> Response:
    """Cases matching the filters, oldest deadline first, 25 a page."""
    query = CaseQuery(
        state=state or None,
        kind=kind or None,
        rule=rule or None,
        jurisdiction=jurisdiction or None,
        due=due or None,
        ref=ref or None,
        assigned_to=principal.actor.id if mine else None,
        page=page,
    )
    try:
        found = search_cases(store, query)
    except TutelaError as exc:
        raise refused(exc) from None
    filters = {
        "state": state,
        "kind": kind,
        "rule": rule,
        "jurisdiction": jurisdiction,
        "due": due,
        "ref": ref,
        "mine": "1" if mine else "",
    }
    return render(
        "console_sar.html",
        principal=principal,
        csrf=page_csrf(request),
        found=found,
        filters=filters,
        link_args=urlencode({k: v for k, v in filters.items() if v}),
        states=[s.value for s in State],
        kinds=list(KINDS),
        rules=sorted(RULES),
        due_filters=DUE_FILTERS,
    )


@router.get(QUEUE + "/{case_id}")
def read_case(
    request: Request,
    case_id: CaseId,
    store: StoreDep,
    principal: Officer,
    done: Annotated[str, Query(max_length=24)] = "",
) -> Response:
    """The case file with the actions its state allows."""
    return case_page(request, store, principal, case_id, flash=DONE.get(done))


def case_page(
    request: Request,
    store: StoreDep,
    principal: Principal,
    case_id: int,
    *,
    flash: str | None = None,
    once: dict[str, str] | None = None,
) -> Response:
    """Render the case page; `once` carries what is shown one time only."""
    try:
        file = case_file(store, case_id, actor=principal.actor)
    except TutelaError as exc:
        raise refused(exc) from None
    state = State(file.case.state)
    return render(
        "console_case.html",
        principal=principal,
        csrf=page_csrf(request),
        file=file,
        case=file.case,
        flash=flash,
        once=once or {},
        is_open=state in OPEN,
        is_closed=state in CLOSED,
        may_verify=state in (State.received, State.verifying)
        or (
            state is State.verified
            and level_of(file.case.verification_level) < Level.high
        ),
        may_decide=state is State.verified,
        fee_asked=state is State.fee_requested,
        may_release=state in (State.verified, State.fulfilled)
        or (state is State.fee_requested and file.case.fee_paid),
        methods=methods_for(file.case.risk),
        needed=PROOF[action_for(file.case.kind)].level.name,
        officers=officers(store),
    )


@router.get(QUEUE + "/{case_id}/preview")
def read_export_preview(
    request: Request,
    case_id: CaseId,
    store: StoreDep,
    settings: SettingsDep,
    principal: Officer,
) -> Response:
    """What the release would contain: its files, counts and the first rows."""
    try:
        file = case_file(store, case_id, actor=principal.actor)
        preview = preview_export(
            store, case_id, settings=settings, actor=principal.actor.id
        )
    except TutelaError as exc:
        raise refused(exc, case_id) from None
    return render(
        "console_preview.html",
        principal=principal,
        csrf=page_csrf(request),
        file=file,
        case=file.case,
        preview=preview,
    )


@router.post(QUEUE + "/{case_id}/assign", dependencies=[Depends(csrf_checked)])
def assign_to_officer(
    case_id: CaseId,
    store: StoreDep,
    principal: Officer,
    to: Annotated[str, Form(max_length=40)] = "",
) -> Response:
    """Assign the case to an officer ("me" for oneself, empty to unassign)."""
    target = principal.actor.id if to == "me" else to
    try:
        assign_case(store, case_id, to=target, actor=principal.actor.id)
    except TutelaError as exc:
        raise refused(exc, case_id) from None
    return RedirectResponse(f"{QUEUE}/{case_id}?done=assigned", status_code=303)
