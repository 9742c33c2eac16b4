"""One answer to every error on the web: the envelope for the API, a page for people.

Clauses: secure.measures (an error never quotes what was sent: a refused
phone number or e-mail address is not echoed back, and an unexpected failure
says only that the server failed), rights.access.request (the public form and
API answer malformed requests with what to fix).

Every refusal (a `TutelaError`, an unknown address (404), a wrong method
(405), a request that fails validation (422), a refused page, a busy
database (503), an unexpected error (500)) goes through `error_response`:

- API paths (`/api/...`, the `/collect` beacon, `/healthz`) get the envelope
  shared with the CLI's `--json`: `{"ok": false, "error", "errors", "status"}`.
- Every other path is a page a person looks at: it gets `error.html` with the
  same status and message, never raw JSON.

A validation message names the location (`body.email`, `query.since`) and the
rule broken, never the value; FastAPI's default 422 body echoes the input.

An exception nobody handled (`unexpected_response`, called by
`tutela.web.guard.ResponseGuard`) is one of two things:

- the database is busy (`database_busy`: the connection pool exhausted,
  a post's wait for its turn, SQLite's "database is locked", a PostgreSQL
  lock timeout, deadlock or serialisation failure): 503 with ``Retry-After``,
  "busy, try again", a warning logged. Nothing is wrong with the request;
  sent again it works. (The transaction that met the busy database was
  rolled back; one the request committed before it stays.)
- anything else: 500. One error line is logged with the request id, the
  exception's type and where it was raised (``at=`` the raising frame,
  ``in=`` the last frame of Tutela's own code), never its text; the page
  and the envelope show the same request id, so a report of the failure
  can be matched to its log line.
"""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Mapping, Sequence
from typing import Any, Final

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from sqlalchemy.exc import DBAPIError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from starlette.exceptions import HTTPException as StarletteHTTPException

from tutela.errors import TooManyRequests, TutelaError
from tutela.logs import own_frame, raised_at
from tutela.store import DatabaseBusy
from tutela.web._pages import render
from tutela.web.deps import PageDenied, SignInRequired, is_api, sign_in_redirect

log = logging.getLogger(__name__)

__all__ = [
    "RETRY_AFTER_S",
    "database_busy",
    "error_response",
    "install_error_handlers",
    "request_id",
    "unexpected_response",
    "validation_problems",
]

RETRY_AFTER_S: Final = 2
"""Seconds a client is asked to wait (``Retry-After``) when the database is busy."""
# SQLite's primary result codes for a lock held elsewhere (extended codes
# such as SQLITE_BUSY_SNAPSHOT keep them in their low byte).
_SQLITE_BUSY_CODES: Final = frozenset({5, 6})  # SQLITE_BUSY, SQLITE_LOCKED
# PostgreSQL: serialization_failure, deadlock_detected, lock_not_available
# (lock_timeout), too_many_connections.
_PG_BUSY_STATES: Final = frozenset({"40001", "40P01", "55P03", "53300"})

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
    503: "Busy",
}
_MESSAGES = {
    404: "nothing is at this address; check the link",
    500: "internal server error: the server failed; try again later",
    503: "the service is busy: too many requests are waiting for the database; "
    f"try again in {RETRY_AFTER_S} seconds",
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


def request_id(request: Request) -> str:
    """The id `tutela.web.guard.ResponseGuard` gave this request ("-" without it)."""
    found = getattr(request.state, "request_id", None)
    return found if isinstance(found, str) else "-"


def server_error(request: Request) -> Response:
    """The answer to a failure nobody handled: that the server failed, and its request id."""
    return error_response(
        request, 500, f"{_MESSAGES[500]} (request id {request_id(request)})"
    )


def database_busy(exc: BaseException) -> bool:
    """Whether `exc` (or an exception it was raised from) is a busy database.

    Busy, not broken: the pool had no free connection in time, a post
    waited too long for its turn (`tutela.store.taking_turns`), SQLite's
    lock was held past the busy timeout (or a read could not become a
    write), or PostgreSQL gave up on a lock, a deadlock or a serialisation
    conflict. In each case the transaction was rolled back whole.
    """
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, PoolTimeout | DatabaseBusy):
            return True
        driver = current.orig if isinstance(current, DBAPIError) else current
        if isinstance(driver, sqlite3.OperationalError):
            code = getattr(driver, "sqlite_errorcode", None)
            if code is not None and code & 0xFF in _SQLITE_BUSY_CODES:
                return True
            if code is None and "locked" in str(driver):
                return True
        if getattr(driver, "sqlstate", None) in _PG_BUSY_STATES:
            return True
        current = current.__cause__ or current.__context__
    return False


def unexpected_response(request: Request, exc: BaseException) -> Response:
    """The answer to an exception no handler took: 503 if the database is busy, else 500.

    Logs one line either way: the request id, the exception's type and
    where it was raised; never its text (it may carry personal data).
    """
    where = raised_at(exc.__traceback__)
    ours = own_frame(exc.__traceback__)
    place = f"at={where}" + (f" in={ours}" if ours and ours != where else "")
    rid = request_id(request)
    if database_busy(exc):
        log.warning(
            "web.busy request_id=%s error=%s %s", rid, type(exc).__name__, place
        )
        return error_response(
            request,
            503,
            _MESSAGES[503],
            headers={"Retry-After": str(RETRY_AFTER_S)},
        )
    log.error("web.error request_id=%s error=%s %s", rid, type(exc).__name__, place)
    return server_error(request)


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
        return unexpected_response(request, exc)

    app.add_exception_handler(StarletteHTTPException, _http)
    app.add_exception_handler(RequestValidationError, _invalid)
    app.add_exception_handler(TutelaError, _tutela)
    app.add_exception_handler(PageDenied, _page_denied)
    app.add_exception_handler(SignInRequired, _sign_in)
    app.add_exception_handler(Exception, _unexpected)
