"""One answer to every error on the web: the envelope for the API, a page for people.

Clauses: secure.measures (an error never quotes what was sent: a refused
phone number or e-mail address is not echoed back, and an unexpected failure
says only that the server failed), rights.access.request (the public form and
API answer malformed requests with what to fix).

Every refusal (a `TutelaError`, an unknown address (404), a wrong method
(405), a request that fails validation (422), a refused page, an unexpected
error (500)) goes through `error_response`:

- API paths (`/api/...`, the `/collect` beacon, `/healthz`) get the envelope
  shared with the CLI's `--json`: `{"ok": false, "error", "errors", "status"}`.
- Every other path is a page a person looks at: it gets `error.html` with the
  same status and message, never raw JSON.

A validation message names the location (`body.email`, `query.since`) and the
rule broken, never the value; FastAPI's default 422 body echoes the input.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from tutela.errors import TooManyRequests, TutelaError
from tutela.web._pages import render
from tutela.web.deps import PageDenied, SignInRequired, is_api, sign_in_redirect

log = logging.getLogger(__name__)

__all__ = ["error_response", "install_error_handlers", "validation_problems"]

# Paths outside /api/ that machines, not people, call.
MACHINE_PATHS = frozenset({"/collect", "/healthz"})
"""Paths outside /api/ that answer machines: errors in the JSON envelope."""
_HEADINGS = {
    400: "Not understood",
    401: "Sign-in required",
    403: "Not allowed",
    404: "Not found",
    405: "Not allowed",
    409: "Conflict",
    410: "Gone",
    413: "Too large",
    422: "Not understood",
    429: "Too many requests",
}
_MESSAGES = {
    404: "nothing is at this address; check the link",
    500: "internal server error: the server failed; try again later",
}


def wants_envelope(request: Request) -> bool:
    """Whether an error on this path is answered in the JSON envelope."""
    return is_api(request) or request.url.path in MACHINE_PATHS


def error_response(
    request: Request,
    status: int,
    message: str,
    errors: Sequence[str] = (),
    *,
    headers: Mapping[str, str] | None = None,
    back: str = "/",
) -> Response:
    """The envelope for API paths, the error page for every other path."""
    if wants_envelope(request):
        return JSONResponse(
            {"ok": False, "error": message, "errors": list(errors), "status": status},
            status_code=status,
            headers=dict(headers or {}),
        )
    page = render(
        "error.html",
        status=status,
        heading=_HEADINGS.get(status, "Error" if status >= 500 else "Refused"),
        message=message,
        errors=list(errors),
        back=back,
    )
    page.headers.update(headers or {})
    return page


def server_error(request: Request) -> Response:
    """The answer to a failure nobody handled: that the server failed, nothing more."""
    return error_response(request, 500, _MESSAGES[500])


def _location_part(part: Any) -> str:
    # A location part can be a key the client chose (an extra JSON member):
    # keep names and indexes, never a key that could be someone's data.
    if isinstance(part, int):
        return str(part)
    text = str(part)
    return text if text.isidentifier() and len(text) <= 64 else "<key>"


def validation_problems(errors: Sequence[Any]) -> list[str]:
    """`location: rule` for each pydantic error; the input value is never used."""
    problems = []
    for error in errors:
        location = ".".join(_location_part(p) for p in error.get("loc", ()))
        problems.append(f"{location or 'request'}: {error.get('msg', 'invalid')}")
    return problems


def _http_message(exc: StarletteHTTPException, request: Request) -> str:
    if exc.status_code == 405:
        allowed = (exc.headers or {}).get("Allow") or (exc.headers or {}).get("allow")
        use = f"; use {allowed}" if allowed else ""
        return f"method {request.method} is not allowed at this address{use}"
    if exc.status_code in _MESSAGES:
        return _MESSAGES[exc.status_code]
    # Starlette's and FastAPI's own details are fixed phrases, never input.
    return str(exc.detail) if isinstance(exc.detail, str) else "request refused"


def install_error_handlers(app: FastAPI) -> None:
    """Register the one handler of each kind of error (see the module docstring)."""

    async def _http(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, StarletteHTTPException)
        return error_response(
            request,
            exc.status_code,
            _http_message(exc, request),
            headers=exc.headers,
        )

    async def _invalid(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, RequestValidationError)
        problems = validation_problems(exc.errors())
        first = problems[0] if problems else "request: invalid"
        return error_response(request, 422, f"invalid request: {first}", problems)

    async def _tutela(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, TutelaError)
        headers: dict[str, str] = {}
        if isinstance(exc, TooManyRequests):
            headers["Retry-After"] = str(exc.retry_after_s)
        if exc.status == 401 and wants_envelope(request):
            headers["WWW-Authenticate"] = "Bearer"
        return error_response(
            request, exc.status, exc.message, exc.errors, headers=headers
        )

    async def _page_denied(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, PageDenied)
        return error_response(request, exc.status, exc.message, back=exc.back)

    async def _sign_in(_request: Request, exc: Exception) -> Response:
        assert isinstance(exc, SignInRequired)
        return sign_in_redirect(exc.next_path)

    async def _unexpected(request: Request, exc: Exception) -> Response:
        # Never echo the exception: it may carry personal data.
        log.error("unhandled %s", type(exc).__name__)
        return server_error(request)

    app.add_exception_handler(StarletteHTTPException, _http)
    app.add_exception_handler(RequestValidationError, _invalid)
    app.add_exception_handler(TutelaError, _tutela)
    app.add_exception_handler(PageDenied, _page_denied)
    app.add_exception_handler(SignInRequired, _sign_in)
    app.add_exception_handler(Exception, _unexpected)
