"""Every action `tutela sar` offers on a case, as console form posts.

Clauses: rights.access.verification (send a code to the address on file or
for a call-back, check a code, propose and approve a two-officer
override), rights.access.fee_or_reject (a fee, a fee paid, a
rejection, each with a reason code), rights.access (extend with notice;
release the export, which fulfils the case and mails the single-use link to
the verified channel). Each post carries the session's anti-forgery token,
is open to the privacy officer only and calls the same domain function as
the CLI, acting as `staff:<user id>` of the signed-in officer (audited by
the domain). Pending mail goes out at once when an SMTP relay is set.

    POST /console/sar/{id}/verify/send-code   (phone?)
    POST /console/sar/{id}/verify/code        (code)
    POST /console/sar/{id}/verify/override    (reason, person) / .../override/approve (proposal)
    POST /console/sar/{id}/decide             (decision=fee|fee_paid|reject, amount, reason, note)
    POST /console/sar/{id}/extend             (reason)
    POST /console/sar/{id}/release            (valid_hours, require_email, show_link)
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Annotated, TypeVar

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response

from tutela.config import Settings
from tutela.errors import InvalidInput, TutelaError
from tutela.mail import deliver
from tutela.rights import decisions
from tutela.rights import verification as v
from tutela.rights.export import export_case
from tutela.store import Store
from tutela.web.deps import SettingsDep, StoreDep, csrf_checked
from tutela.web.routes.console_cases import QUEUE, CaseId, Officer, case_page, refused

router = APIRouter(tags=["console"], dependencies=[Depends(csrf_checked)])

Text = Annotated[str, Form(max_length=300)]
Short = Annotated[str, Form(max_length=40)]
_T = TypeVar("_T")


def _run(
    store: Store, settings: Settings, case_id: int, action: Callable[[], _T]
) -> _T:
    """Run a domain action; a refusal becomes a page leading back to the case."""
    try:
        result = action()
    except TutelaError as exc:
        raise refused(exc, case_id) from None
    if settings.smtp_host:
        deliver(store, settings)
    return result


def _done(case_id: int, key: str) -> Response:
    return RedirectResponse(f"{QUEUE}/{case_id}?done={key}", status_code=303)


@router.post(QUEUE + "/{case_id}/verify/send-code")
def send_verification_code(
    request: Request,
    case_id: CaseId,
    store: StoreDep,
    settings: SettingsDep,
    principal: Officer,
    phone: Short = "",
) -> Response:
    """A code to the address on file; with a phone number, one to read out on a call back."""
    if phone:
        _outcome, code = _run(
            store,
            settings,
            case_id,
            lambda: v.send_phone_code(
                store, case_id, phone, staff=principal.actor.id, settings=settings
            ),
        )
        return case_page(
            request,
            store,
            principal,
            case_id,
            flash="Call the number back and read out the code below.",
            once={"call_back_code": str(code)},
        )
    _run(store, settings, case_id, lambda: v.start(store, case_id, settings=settings))
    return _done(case_id, "code_sent")


@router.post(QUEUE + "/{case_id}/verify/code")
def check_verification_code(
    case_id: CaseId,
    store: StoreDep,
    settings: SettingsDep,
    principal: Officer,
    code: Short = "",
) -> Response:
    """Check the one-time code the requester gave back."""
    _run(
        store,
        settings,
        case_id,
        lambda: v.submit_code(
            store, case_id, code.strip(), staff=principal.actor.id, settings=settings
        ),
    )
    return _done(case_id, "code")


@router.post(QUEUE + "/{case_id}/verify/override")
def propose_verification_override(
    case_id: CaseId,
    store: StoreDep,
    settings: SettingsDep,
    principal: Officer,
    reason: Text = "",
    person: Short = "",
) -> Response:
    """Propose a staff override (a second officer approves it).

    When the case matched several people, `person` names the one it is about.
    """

    def act() -> v.Outcome:
        chosen = None
        if person.strip():
            if not person.strip().isdigit():
                raise InvalidInput("choose one of the people listed", field="person")
            chosen = int(person.strip())
        return v.propose_override(
            store, case_id, staff=principal.actor.id, reason=reason, person_id=chosen
        )

    _run(store, settings, case_id, act)
    return _done(case_id, "override_proposed")


@router.post(QUEUE + "/{case_id}/verify/override/approve")
def approve_verification_override(
    case_id: CaseId,
    store: StoreDep,
    settings: SettingsDep,
    principal: Officer,
    proposal: Short = "",
) -> Response:
    """Approve the proposal the officer reviewed (never one's own: the domain refuses)."""

    def act() -> v.Outcome:
        if not proposal.strip().isdigit():
            raise InvalidInput(
                "approve the proposal shown on the case", field="proposal"
            )
        return v.approve_override(
            store, case_id, staff=principal.actor.id, proposal_id=int(proposal)
        )

    _run(store, settings, case_id, act)
    return _done(case_id, "override_approved")


@router.post(QUEUE + "/{case_id}/decide")
def decide_case(
    case_id: CaseId,
    store: StoreDep,
    settings: SettingsDep,
    principal: Officer,
    decision: Short = "",
    amount: Short = "",
    reason: Short = "",
    note: Text = "",
) -> Response:
    """Ask a fee, record it paid, or reject, each with its reason."""
    actor = principal.actor.id
    actions: dict[str, Callable[[], object]] = {
        "fee": lambda: decisions.request_fee(
            store, case_id, amount=amount, reason=reason, actor=actor, settings=settings
        ),
        "fee_paid": lambda: decisions.record_fee_paid(store, case_id, actor=actor),
        "reject": lambda: decisions.reject(
            store,
            case_id,
            reason=reason,
            actor=actor,
            settings=settings,
            note=note or None,
        ),
    }
    if decision not in actions:
        raise refused(
            InvalidInput(f"choose one of {sorted(actions)}", field="decision"), case_id
        )
    _run(store, settings, case_id, actions[decision])
    return _done(case_id, {"reject": "rejected"}.get(decision, decision))


@router.post(QUEUE + "/{case_id}/extend")
def extend_deadline(
    case_id: CaseId,
    store: StoreDep,
    settings: SettingsDep,
    principal: Officer,
    reason: Text = "",
) -> Response:
    """Extend the deadline as far as the law allows, with notice and reasons."""
    _run(
        store,
        settings,
        case_id,
        lambda: decisions.extend(
            store, case_id, reason=reason, actor=principal.actor.id, settings=settings
        ),
    )
    return _done(case_id, "extended")


@router.post(QUEUE + "/{case_id}/release")
def release_export(
    request: Request,
    case_id: CaseId,
    store: StoreDep,
    settings: SettingsDep,
    principal: Officer,
    valid_hours: Annotated[int, Form(ge=1, le=720)] = 168,
    require_email: Annotated[bool, Form()] = False,
    show_link: Annotated[bool, Form()] = False,
) -> Response:
    """Build and release the export: fulfil the case, mail the single-use link."""
    result = _run(
        store,
        settings,
        case_id,
        lambda: export_case(
            store,
            case_id,
            settings=settings,
            actor=principal.actor.id,
            ttl=dt.timedelta(hours=valid_hours),
            require_email=require_email,
        ),
    )
    if show_link or not result.sent_to:
        # No verified e-mail channel (or asked for): the link, shown once.
        return case_page(
            request,
            store,
            principal,
            case_id,
            flash="The export was released. Hand this link over in person; "
            "it is shown once.",
            once={"link": result.link},
        )
    return _done(case_id, "released")
