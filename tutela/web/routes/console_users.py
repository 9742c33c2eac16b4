"""Users and roles in the console: list, add, disable, reset a password.

Clause: secure.measures. Open to the roles with the `administer` duty (the
privacy officer); every post carries the session's anti-forgery token and
is audited under the signed-in officer (`auth.user_added`,
`auth.user_disabled`, `auth.password_set`). A new or reset password is
generated, shown once on the answer page and kept only as a hash. Nobody
disables themselves or the last privacy officer (`secure.user_admin`).
Customer users, who need the person they are, are added with the CLI.

    GET  /console/users
    POST /console/users                      form (csrf, email, role)
    POST /console/users/{id}/disable         form (csrf)
    POST /console/users/{id}/reset-password  form (csrf)
"""

from __future__ import annotations

from typing import Annotated, Final

from fastapi import APIRouter, Depends, Form, Path, Request
from fastapi.responses import RedirectResponse, Response

from tutela.access.roles import Duty, Role
from tutela.auth.passwords import generate_password
from tutela.auth.signin import Principal, add_user, list_users
from tutela.auth.user_admin import disable_by_id, reset_password
from tutela.errors import TutelaError
from tutela.store import Store
from tutela.web._pages import render
from tutela.web.deps import PageDenied, StoreDep, csrf_checked, require_duty
from tutela.web.routes.console_cases import page_csrf

router = APIRouter(tags=["console"])

Admin = Annotated[Principal, Depends(require_duty(Duty.administer))]
UserId = Annotated[int, Path(ge=1, le=2**62, description="Id of the user.")]
USERS: Final = "/console/users"
STAFF_ROLES: Final = (
    Role.privacy_officer,
    Role.support_agent,
    Role.billing,
    Role.engineering,
    Role.auditor,
)
_DONE = {"disabled": "The user was disabled; their sessions and tokens ended."}


def _refused(exc: TutelaError) -> PageDenied:
    return PageDenied(exc.status, exc.message, back=USERS)


def _page(
    request: Request,
    store: Store,
    principal: Principal,
    *,
    flash: str | None = None,
    once: dict[str, str] | None = None,
) -> Response:
    return render(
        "console_users.html",
        principal=principal,
        csrf=page_csrf(request),
        users=list_users(store),
        roles=[r.value for r in STAFF_ROLES],
        flash=flash,
        once=once or {},
    )


@router.get(USERS)
def read_users(
    request: Request, store: StoreDep, principal: Admin, done: str = ""
) -> Response:
    """Every user with role, state and live sessions (no hash, no token)."""
    return _page(request, store, principal, flash=_DONE.get(done))


@router.post(USERS, dependencies=[Depends(csrf_checked)])
def add_staff_user(
    request: Request,
    store: StoreDep,
    principal: Admin,
    email: Annotated[str, Form(max_length=254)] = "",
    role: Annotated[str, Form(max_length=24)] = "",
) -> Response:
    """Add a staff user with a generated password, shown once."""
    if role not in {r.value for r in STAFF_ROLES}:
        raise PageDenied(400, "choose a staff role", back=USERS)
    password = generate_password()
    try:
        user = add_user(
            store, email=email, role=role, password=password, actor=principal.actor.id
        )
    except TutelaError as exc:
        raise _refused(exc) from None
    return _page(
        request,
        store,
        principal,
        flash=f"User {user.id} ({user.role}) was added. Hand the password over "
        "in person; it is shown once.",
        once={"password": password},
    )


@router.post(USERS + "/{user_id}/disable", dependencies=[Depends(csrf_checked)])
def disable_staff_user(user_id: UserId, store: StoreDep, principal: Admin) -> Response:
    """Disable a user (never oneself, never the last privacy officer)."""
    try:
        disable_by_id(store, user_id, actor=principal.actor.id)
    except TutelaError as exc:
        raise _refused(exc) from None
    return RedirectResponse(f"{USERS}?done=disabled", status_code=303)


@router.post(USERS + "/{user_id}/reset-password", dependencies=[Depends(csrf_checked)])
def reset_user_password(
    request: Request, user_id: UserId, store: StoreDep, principal: Admin
) -> Response:
    """A new generated password for the user, shown once; their sessions end."""
    try:
        password = reset_password(store, user_id, actor=principal.actor.id)
    except TutelaError as exc:
        raise _refused(exc) from None
    return _page(
        request,
        store,
        principal,
        flash=f"User {user_id} has a new password; hand it over in person. "
        "It is shown once.",
        once={"password": password},
    )
