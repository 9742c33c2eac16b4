"""Dependencies shared by the routers: settings, policy, store, and who is asking.

Clauses: secure.measures (pages and the API answer only a signed-in user;
sessions come from an HttpOnly cookie, the API from a bearer token; form
posts carry an anti-forgery token), use.purposes (a staff page is open only
to the roles that may invoke its purpose).

- `/api/...` requests authenticate with `Authorization: Bearer <token>`
  (no cookie, so no cross-site request can ride on a browser session);
  without a valid token they get 401 in the shared error envelope.
- Pages authenticate with the session cookie; without one they redirect to
  `/login?next=...`, and a signed-in user without the right role gets a
  403 page. `tutela.web.errors` answers every refusal raised here.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated
from urllib.parse import quote

from fastapi import Depends, Form, Request
from fastapi.responses import RedirectResponse

from tutela.access import Actor
from tutela.access.roles import Duty, Role, has_duty, purposes_for
from tutela.auth.signin import (
    AuthenticationFailed,
    AuthSettings,
    Principal,
    check_csrf,
    resolve_api_token,
    resolve_session,
)
from tutela.config import Settings
from tutela.errors import Forbidden
from tutela.policy import Policy
from tutela.web._webstore import (
    SaltsDep,
    WebSessionDep,
    WebStoreDep,
    get_web_session,
    get_web_store,
)

SESSION_COOKIE = "tutela_session"
LOGIN_COOKIE = "tutela_login"

__all__ = [
    "AuthSettingsDep",
    "CurrentActor",
    "CurrentPrincipal",
    "LOGIN_COOKIE",
    "PageDenied",
    "PolicyDep",
    "SESSION_COOKIE",
    "SaltsDep",
    "SessionDep",
    "SettingsDep",
    "SignInRequired",
    "StoreDep",
    "WebSessionDep",
    "WebStoreDep",
    "current_actor",
    "current_principal",
    "get_policy",
    "get_settings",
    "get_web_session",
    "get_web_store",
    "require_customer",
    "require_duty",
    "require_purpose",
    "require_roles",
    "require_staff",
    "sign_in_redirect",
]


def get_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


SettingsDep = Annotated[Settings, Depends(get_settings)]


def get_policy(store: WebStoreDep) -> Policy:
    """The policy in effect: the latest published version, else the file."""
    return store.policy()


PolicyDep = Annotated[Policy, Depends(get_policy)]

# The store and a per-request session (opened lazily in `_webstore`).
StoreDep = WebStoreDep
SessionDep = WebSessionDep


def get_auth_settings(settings: SettingsDep) -> AuthSettings:
    return AuthSettings.from_settings(settings)


AuthSettingsDep = Annotated[AuthSettings, Depends(get_auth_settings)]


# ------------------------------------------------------------ who is asking


class SignInRequired(Exception):
    """A page needs a signed-in user; answered with a redirect to /login."""

    def __init__(self, next_path: str) -> None:
        super().__init__("sign-in required")
        self.next_path = next_path


class PageDenied(Exception):
    """A page refused: answered with an HTML page carrying `status`."""

    def __init__(self, status: int, message: str, *, back: str = "/") -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.back = back


def is_api(request: Request) -> bool:
    return request.url.path.startswith("/api/")


def _bearer(request: Request) -> str | None:
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None


def current_principal(
    request: Request, store: StoreDep, rules: AuthSettingsDep
) -> Principal:
    """The signed-in user: bearer token for /api/, session cookie for pages."""
    if is_api(request):
        principal = resolve_api_token(store, _bearer(request))
        if principal is None:
            raise AuthenticationFailed(
                "send a valid API token: 'Authorization: Bearer <token>' "
                "(see `tutela users token`)"
            )
        return principal
    principal = resolve_session(store, request.cookies.get(SESSION_COOKIE), rules=rules)
    if principal is None:
        path = request.url.path
        if request.url.query:
            path += "?" + request.url.query
        raise SignInRequired(path if request.method == "GET" else "/")
    return principal


CurrentPrincipal = Annotated[Principal, Depends(current_principal)]


def current_actor(principal: CurrentPrincipal) -> Actor:
    """The `tutela.access` actor of the signed-in user."""
    return principal.actor


CurrentActor = Annotated[Actor, Depends(current_actor)]


def deny(request: Request, message: str) -> Exception:
    """The 403 to raise: the error envelope for the API, a page otherwise."""
    if is_api(request):
        return Forbidden(message)
    return PageDenied(403, message)


def require_staff(request: Request, principal: CurrentPrincipal) -> Principal:
    if not principal.is_staff:
        raise deny(request, "this page is for Jive staff; customers use /portal")
    return principal


def require_customer(request: Request, principal: CurrentPrincipal) -> Principal:
    if not principal.is_customer:
        raise deny(
            request, "this is the customer portal; staff use /console and the CLI"
        )
    return principal


StaffPrincipal = Annotated[Principal, Depends(require_staff)]


def require_roles(*roles: Role) -> Callable[..., Principal]:
    """A dependency: a staff user with one of `roles`."""
    allowed = frozenset(roles)

    def dependency(request: Request, principal: StaffPrincipal) -> Principal:
        if principal.role not in allowed:
            names = ", ".join(sorted(r.value for r in allowed))
            raise deny(request, f"this page is open to the roles: {names}")
        return principal

    return dependency


def require_purpose(purpose: str) -> Callable[..., Principal]:
    """A dependency: a staff user whose role may invoke `purpose` (use.purposes)."""

    def dependency(
        request: Request, principal: StaffPrincipal, policy: PolicyDep
    ) -> Principal:
        if purpose not in purposes_for(principal.role, policy=policy):
            raise deny(
                request,
                f"role {principal.role.value} may not use data for purpose {purpose}",
            )
        return principal

    return dependency


def require_duty(duty: Duty) -> Callable[..., Principal]:
    """A dependency: a staff user whose role carries `duty` (e.g. read_audit)."""

    def dependency(request: Request, principal: StaffPrincipal) -> Principal:
        if not has_duty(principal.role, duty):
            raise deny(request, f"role {principal.role.value} may not {duty.value}")
        return principal

    return dependency


def csrf_checked(
    request: Request,
    principal: CurrentPrincipal,
    csrf: Annotated[str, Form(max_length=128)] = "",
) -> Principal:
    """A form post of a signed-in user that carries the session's CSRF token."""
    try:
        check_csrf(request.cookies.get(SESSION_COOKIE), csrf)
    except Forbidden as exc:
        raise PageDenied(403, exc.message) from None
    return principal


CheckedPrincipal = Annotated[Principal, Depends(csrf_checked)]


def sign_in_redirect(next_path: str) -> RedirectResponse:
    """The answer to `SignInRequired`: the sign-in page, then back to `next_path`."""
    return RedirectResponse(
        "/login?next=" + quote(next_path, safe="/"), status_code=303
    )
