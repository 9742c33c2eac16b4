"""Sign-in and sign-out for the staff console and the customer portal.

Clause: secure.measures. A failed sign-in gets the same words and status
whether the address is unknown or the password wrong (and about the same
time: see `tutela.auth.passwords`); the login form is protected against
forgery by a double-submit token bound to a short-lived pre-session cookie;
each sign-in gets a new session token (no fixation), and sign-out revokes it
on the server.

    GET  /login    the form
    POST /login    email, password, csrf, next -> 303 to next (or home)
    POST /logout   csrf -> 303 /login
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from tutela.auth.signin import (
    AuthenticationFailed,
    CsrfRefused,
    Principal,
    check_csrf,
    csrf_token,
    end_session,
    resolve_session,
    sign_in,
)
from tutela.store import new_token
from tutela.web._pages import render
from tutela.web.deps import (
    LOGIN_COOKIE,
    SESSION_COOKIE,
    AuthSettingsDep,
    PageDenied,
    SettingsDep,
    StoreDep,
)

router = APIRouter(tags=["auth"])

_LOGIN_COOKIE_AGE = 30 * 60


def home_of(principal: Principal) -> str:
    return "/console" if principal.is_staff else "/portal"


def safe_next(value: str | None) -> str | None:
    """A local path to go back to, or None (no open redirects)."""
    if not value or len(value) > 500 or not value.startswith("/"):
        return None
    if value.startswith("//") or "\\" in value or any(ord(c) < 32 for c in value):
        return None
    return value


def secure_cookie(request: Request, settings: SettingsDep) -> bool:
    if settings.cookie_secure is not None:
        return settings.cookie_secure
    return request.url.scheme == "https"


def _login_page(
    request: Request,
    settings: SettingsDep,
    *,
    next_path: str,
    message: str | None = None,
    status: int = 200,
) -> Response:
    login_token = request.cookies.get(LOGIN_COOKIE)
    if not login_token or len(login_token) > 100:
        login_token = new_token()
    response = render(
        "login.html",
        status=status,
        csrf=csrf_token(login_token),
        next=next_path,
        message=message,
        principal=None,
    )
    response.set_cookie(
        LOGIN_COOKIE,
        login_token,
        max_age=_LOGIN_COOKIE_AGE,
        httponly=True,
        samesite="strict",
        secure=secure_cookie(request, settings),
        path="/login",
    )
    return response


@router.get("/login")
def read_login(
    request: Request,
    store: StoreDep,
    settings: SettingsDep,
    rules: AuthSettingsDep,
    next: str | None = None,
) -> Response:
    """The sign-in form (a signed-in user goes straight on)."""
    principal = resolve_session(store, request.cookies.get(SESSION_COOKIE), rules=rules)
    if principal is not None:
        return RedirectResponse(safe_next(next) or home_of(principal), status_code=303)
    return _login_page(request, settings, next_path=safe_next(next) or "")


@router.post("/login")
def create_session(
    request: Request,
    store: StoreDep,
    settings: SettingsDep,
    rules: AuthSettingsDep,
    email: Annotated[str, Form(max_length=254)] = "",
    password: Annotated[str, Form(max_length=1024)] = "",
    csrf: Annotated[str, Form(max_length=128)] = "",
    next: Annotated[str, Form(max_length=500)] = "",
) -> Response:
    """Check the password; on success set the session cookie and go on."""
    try:
        check_csrf(request.cookies.get(LOGIN_COOKIE), csrf)
    except CsrfRefused:
        return _login_page(
            request,
            settings,
            next_path=safe_next(next) or "",
            message="The form expired; please sign in again.",
            status=403,
        )
    try:
        issued = sign_in(store, email=email, password=password, rules=rules)
    except AuthenticationFailed as exc:
        return _login_page(
            request,
            settings,
            next_path=safe_next(next) or "",
            message=exc.message[:1].upper() + exc.message[1:] + ".",
            status=exc.status,
        )
    # A session token presented before this sign-in is ended (no fixation).
    end_session(store, request.cookies.get(SESSION_COOKIE))
    response = RedirectResponse(
        safe_next(next) or home_of(issued.principal), status_code=303
    )
    response.set_cookie(
        SESSION_COOKIE,
        issued.token,
        max_age=int(rules.session_ttl.total_seconds()),
        httponly=True,
        samesite="lax",
        secure=secure_cookie(request, settings),
        path="/",
    )
    response.delete_cookie(LOGIN_COOKIE, path="/login")
    return response


@router.post("/logout")
def delete_session(
    request: Request,
    store: StoreDep,
    csrf: Annotated[str, Form(max_length=128)] = "",
) -> Response:
    """Revoke the session on the server and clear the cookie."""
    token = request.cookies.get(SESSION_COOKIE)
    if token:
        try:
            check_csrf(token, csrf)
        except CsrfRefused:
            raise PageDenied(
                403, "the sign-out form expired; reload the page and try again"
            ) from None
        end_session(store, token)
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response
