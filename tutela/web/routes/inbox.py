"""The legal inbox in the staff console: read a message, act on it.

Clauses: contact.questions, rights.access.request, changes.subscribe (see
`tutela.rights.inbox`), use.purposes (open to the privacy officer, whose
reads go through the purpose gate as their own actor), secure.measures
(actions are form posts with the session's anti-forgery token).

    GET  /console/inbox              waiting messages, probable access requests first
    GET  /console/inbox/{id}         one message, its text and the actions
    POST /console/inbox/{id}/route   form (csrf, to) -> 303 /console/inbox
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Path, Request
from fastapi.responses import RedirectResponse, Response

from tutela.access.roles import Role
from tutela.auth.signin import Principal, csrf_token
from tutela.errors import TutelaError
from tutela.rights.inbox import TARGETS, list_inbox, route_message, show_message
from tutela.web._pages import render
from tutela.web.deps import (
    SESSION_COOKIE,
    PageDenied,
    SettingsDep,
    StoreDep,
    csrf_checked,
    require_roles,
)

router = APIRouter(tags=["inbox"])

Officer = Annotated[Principal, Depends(require_roles(Role.privacy_officer))]
MessageId = Annotated[int, Path(ge=1, le=2**62, description="Id of the message.")]
_FLASH = {to: f"The message was routed: {to}." for to in TARGETS}


def _csrf(request: Request) -> str:
    return csrf_token(request.cookies.get(SESSION_COOKIE) or "")


@router.get("/console/inbox")
def read_inbox(
    request: Request, store: StoreDep, principal: Officer, done: str | None = None
) -> Response:
    """Messages waiting for staff, probable access requests first."""
    return render(
        "console_inbox.html",
        principal=principal,
        csrf=_csrf(request),
        items=list_inbox(store, actor=principal.actor),
        flash=_FLASH.get(done or ""),
    )


@router.get("/console/inbox/{message_id}")
def read_inbox_message(
    request: Request, message_id: MessageId, store: StoreDep, principal: Officer
) -> Response:
    """One message with its text and what can be done with it."""
    try:
        item = show_message(store, message_id, actor=principal.actor)
    except TutelaError as exc:
        raise PageDenied(exc.status, exc.message, back="/console/inbox") from None
    return render(
        "console_inbox_message.html",
        principal=principal,
        csrf=_csrf(request),
        item=item,
        targets=TARGETS,
    )


@router.post("/console/inbox/{message_id}/route", dependencies=[Depends(csrf_checked)])
def route_inbox_message(
    message_id: MessageId,
    store: StoreDep,
    settings: SettingsDep,
    principal: Officer,
    to: Annotated[str, Form(max_length=16)] = "",
) -> Response:
    """Route the message (audited under the signed-in officer), then back to the list."""
    try:
        route_message(
            store, message_id, to=to, actor=principal.actor, settings=settings
        )
    except TutelaError as exc:
        raise PageDenied(exc.status, exc.message, back="/console/inbox") from None
    return RedirectResponse(f"/console/inbox?done={to}", status_code=303)
