"""A customer user's password: change it, or choose one only they know.

Clause: rights.access.verification. A password somebody else set or saw
(staff, the host's operator, the demo) proves nothing about the customer
(`tutela.auth.credentials`). The user asks for a single-use link mailed to
their sign-in address and chooses a password behind it; from then on a
re-authenticated sign-in verifies their requests.

    GET  /portal/password                  the page (change form; the link button)
    POST /portal/password                  form (csrf) -> the sign-in page
    POST /portal/password/link             form (csrf): mail the link to choose one
    GET  /portal/password/choose/{token}   the form behind the link (spends nothing)
    POST /portal/password/choose/{token}   form -> the sign-in page
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from tutela.auth import (
    CHOOSE_PATH,
    change_own_password,
    choose_password,
    password_known_to_others,
)
from tutela.auth.signin import Principal, csrf_token
from tutela.errors import TutelaError
from tutela.rights import mail_choose_link
from tutela.web._pages import render
from tutela.web.deps import (
    SESSION_COOKIE,
    SettingsDep,
    StoreDep,
    csrf_checked,
    require_customer,
)

router = APIRouter(tags=["portal"])

PATH = "/portal/password"
MAX_TOKEN = 128
Secret = Annotated[str, Form(max_length=1024)]


def _customer(
    request: Request, principal: Annotated[Principal, Depends(csrf_checked)]
) -> Principal:
    return require_customer(request, principal)


def _page(
    request: Request,
    store: StoreDep,
    principal: Principal,
    *,
    status: int = 200,
    problem: str | None = None,
    sent: bool = False,
) -> Response:
    token = request.cookies.get(SESSION_COOKIE) or ""
    return render(
        "portal_password.html",
        status=status,
        principal=principal,
        csrf=csrf_token(token),
        known_to_others=password_known_to_others(store, principal.user_id),
        problem=problem,
        sent=sent,
    )


@router.get(PATH)
def read_password_page(
    request: Request,
    store: StoreDep,
    principal: Annotated[Principal, Depends(require_customer)],
) -> Response:
    return _page(request, store, principal)


@router.post(PATH)
def change_password(
    request: Request,
    store: StoreDep,
    settings: SettingsDep,
    principal: Annotated[Principal, Depends(_customer)],
    current: Secret = "",
    new: Secret = "",
    repeat: Secret = "",
) -> Response:
    if new != repeat:
        return _page(
            request, store, principal, status=400, problem="The new passwords differ."
        )
    try:
        change_own_password(
            store,
            principal.user_id,
            current=current,
            new=new,
            actor=principal.actor.id,
            settings=settings,
        )
    except TutelaError as refused:
        return _page(
            request, store, principal, status=refused.status, problem=refused.message
        )
    return RedirectResponse("/login?changed=1", status_code=303)


@router.post(PATH + "/link")
def request_choose_link(
    request: Request,
    store: StoreDep,
    settings: SettingsDep,
    principal: Annotated[Principal, Depends(_customer)],
) -> Response:
    try:
        mail_choose_link(
            store, principal.user_id, settings=settings, actor=principal.actor.id
        )
    except TutelaError as refused:
        return _page(
            request, store, principal, status=refused.status, problem=refused.message
        )
    return _page(request, store, principal, sent=True)


def _choose_page(*, status: int = 200, problem: str | None = None) -> HTMLResponse:
    return render("portal_password_choose.html", status=status, problem=problem)


@router.get(CHOOSE_PATH + "/{token}", response_class=HTMLResponse)
def read_choose_form(token: str) -> HTMLResponse:
    return _choose_page()


@router.post(CHOOSE_PATH + "/{token}")
def choose_own_password(
    token: str, store: StoreDep, new: Secret = "", repeat: Secret = ""
) -> Response:
    if new != repeat:
        return _choose_page(status=400, problem="The new passwords differ.")
    try:
        choose_password(store, token[:MAX_TOKEN], new)
    except TutelaError as refused:
        return _choose_page(status=refused.status, problem=refused.message)
    return RedirectResponse("/login?changed=1", status_code=303)
