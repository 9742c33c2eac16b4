"""A customer user chooses their own password.

Clause: rights.access.verification. A password a staff member set (a new
user's, or a reset shown in the console) is known to that staff member, so
signing in with it proves nothing about the customer
(`tutela.auth.credentials`). Here the user replaces it with one only they
know; from then on a re-authenticated sign-in verifies their requests.

    GET  /portal/password    the form (current password, new password twice)
    POST /portal/password    form (csrf) -> the sign-in page (every session ended)
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response

from tutela.auth import change_own_password, password_known_to_staff
from tutela.auth.signin import Principal, csrf_token
from tutela.errors import TutelaError
from tutela.web._pages import render
from tutela.web.deps import SESSION_COOKIE, StoreDep, csrf_checked, require_customer

router = APIRouter(tags=["portal"])

PATH = "/portal/password"
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
) -> Response:
    token = request.cookies.get(SESSION_COOKIE) or ""
    return render(
        "portal_password.html",
        status=status,
        principal=principal,
        csrf=csrf_token(token),
        staff_set=password_known_to_staff(store, principal.user_id),
        problem=problem,
    )


@router.get(PATH)
def read_password_form(
    request: Request,
    store: StoreDep,
    principal: Annotated[Principal, Depends(require_customer)],
) -> Response:
    return _page(request, store, principal)


@router.post(PATH)
def change_password(
    request: Request,
    store: StoreDep,
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
        )
    except TutelaError as refused:
        return _page(
            request, store, principal, status=refused.status, problem=refused.message
        )
    return RedirectResponse("/login?changed=1", status_code=303)
