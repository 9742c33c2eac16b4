"""Users and roles in the console: list, add, disable, reset a password, change a role.

Clauses: secure.measures, rights.access.verification. Open to the roles
with the `administer` duty (the privacy officer); every post carries the
session's anti-forgery token and is audited under the signed-in officer
(`auth.user_added`, `auth.user_disabled`, `auth.password_set`,
`auth.role_set`, `auth.officer_proposed`, `auth.officer_approved`). A new
or reset password is generated, shown once on the answer page and kept only
as a hash. Nobody disables or demotes themselves or the last privacy
officer. Nobody makes a privacy officer alone: adding one, or raising a
role to one, is a proposal that a second, independent officer approves
here (`tutela.auth.proposals`); each sees one half of the new officer's
setup code, once. Customer users, who need the person they are, are added
with the CLI.

    GET  /console/users
    POST /console/users                                  form (csrf, email, role)
    POST /console/users/{id}/disable                     form (csrf)
    POST /console/users/{id}/reset-password              form (csrf)
    POST /console/users/{id}/role                        form (csrf, role)
    POST /console/users/proposals/{id}/approve           form (csrf)
    POST /console/users/proposals/{id}/reject            form (csrf)
"""

from __future__ import annotations

from typing import Annotated, Final

from fastapi import APIRouter, Depends, Form, Path, Request
from fastapi.responses import RedirectResponse, Response

from tutela.access.roles import Duty, Role
from tutela.auth import (
    Principal,
    add_user,
    approve_proposal,
    change_role,
    disable_by_id,
    generate_password,
    list_proposals,
    list_users,
    propose_officer,
    reject_proposal,
    reset_password,
)
from tutela.errors import TutelaError
from tutela.store import Store
from tutela.web._pages import render
from tutela.web.deps import (
    AuthSettingsDep,
    PageDenied,
    StoreDep,
    csrf_checked,
    require_duty,
)
from tutela.web.routes.console_cases import page_csrf

router = APIRouter(tags=["console"])

Admin = Annotated[Principal, Depends(require_duty(Duty.administer))]
UserId = Annotated[int, Path(ge=1, le=2**62, description="Id of the user.")]
ProposalId = Annotated[
    int, Path(ge=1, le=2**62, description="Id of the proposal (a new officer).")
]
USERS: Final = "/console/users"
STAFF_ROLES: Final = (
    Role.privacy_officer,
    Role.support_agent,
    Role.billing,
    Role.engineering,
    Role.auditor,
)
_DONE = {
    "disabled": "The user was disabled; their sessions and tokens ended.",
    "rejected": "The proposal was rejected.",
}
_HAND_OVER = (
    "Hand your half of the setup code to the new officer in person; it is shown "
    "once. They set a password with both halves: tutela users set-password."
)


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
        proposals=list_proposals(store),
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
    """Add a staff user with a generated password, shown once; an officer is proposed."""
    if role not in {r.value for r in STAFF_ROLES}:
        raise PageDenied(400, "choose a staff role", back=USERS)
    if role == Role.privacy_officer.value:
        try:
            proposed = propose_officer(store, email=email, actor=principal.actor.id)
        except TutelaError as exc:
            raise _refused(exc) from None
        return _page(
            request,
            store,
            principal,
            flash=f"Proposal {proposed.proposal.id} waits for a second privacy "
            f"officer's approval. {_HAND_OVER}",
            once={"setup": proposed.setup_half or ""},
        )
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


@router.post(USERS + "/{user_id}/role", dependencies=[Depends(csrf_checked)])
def change_user_role(
    request: Request,
    user_id: UserId,
    store: StoreDep,
    principal: Admin,
    role: Annotated[str, Form(max_length=24)] = "",
) -> Response:
    """Another staff role at once; privacy officer only as a proposal."""
    try:
        changed = change_role(store, user_id, role, actor=principal.actor.id)
    except TutelaError as exc:
        raise _refused(exc) from None
    if changed.proposal is not None:
        flash = (
            f"Proposal {changed.proposal.id} waits for a second privacy officer's "
            "approval."
        )
    else:
        flash = f"User {user_id} is now {changed.role}."
    return _page(request, store, principal, flash=flash)


@router.post(
    USERS + "/proposals/{proposal_id}/approve", dependencies=[Depends(csrf_checked)]
)
def approve_user_proposal(
    request: Request,
    proposal_id: ProposalId,
    store: StoreDep,
    principal: Admin,
    rules: AuthSettingsDep,
) -> Response:
    """A second, independent officer approves; a new officer's half code is shown once."""
    try:
        done = approve_proposal(
            store,
            proposal_id,
            actor=principal.actor.id,
            wait=rules.officer_approval_wait,
        )
    except TutelaError as exc:
        raise _refused(exc) from None
    flash = (
        f"Proposal {proposal_id} approved: user {done.user_id} is a privacy officer."
    )
    if done.setup_half is None:
        return _page(request, store, principal, flash=flash)
    return _page(
        request,
        store,
        principal,
        flash=f"{flash} {_HAND_OVER}",
        once={"setup": done.setup_half},
    )


@router.post(
    USERS + "/proposals/{proposal_id}/reject", dependencies=[Depends(csrf_checked)]
)
def reject_user_proposal(
    proposal_id: ProposalId, store: StoreDep, principal: Admin
) -> Response:
    """Turn a pending proposal down (any officer, the proposer included)."""
    try:
        reject_proposal(store, proposal_id, actor=principal.actor.id)
    except TutelaError as exc:
        raise _refused(exc) from None
    return RedirectResponse(f"{USERS}?done=rejected", status_code=303)


@router.post(USERS + "/{user_id}/disable", dependencies=[Depends(csrf_checked)])
def disable_staff_user(user_id: UserId, store: StoreDep, principal: Admin) -> Response:
    """Disable a user (never oneself, never the last privacy officer).

    Checked and done in one locked transaction (`tutela.auth.user_admin`).
    """
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
