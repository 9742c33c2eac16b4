"""Every response: security headers, a request id, and no detail of a failure in it.

Clause: secure.measures. `ResponseGuard` is the outermost middleware of the
app (inside Starlette's own error fallback), so it sees every request and
every response:

- it gives the request an id (``request.state.request_id``, the
  ``X-Request-Id`` header of the response, `tutela.logs.REQUEST_ID` for
  every line logged while it is served) and logs one line when it is
  answered: method, route pattern (``/console/sar/{case_id}``, never the
  path itself, which can carry a download or unsubscribe token), status
  and duration; never the client's address;
- a form post, or any request that changes something (POST, PUT, PATCH,
  DELETE), runs under `tutela.store.taking_turns`: on SQLite its
  transactions queue for their turn in this process instead of failing
  when another request wrote first;
- it adds `SECURITY_HEADERS` where a response has not set them: a
  Content-Security-Policy that runs no script and loads nothing from another
  origin (the pages' inline styles are allowed), no framing (``frame-ancestors 'none'`` and ``X-Frame-Options``),
  ``nosniff``, no referrer leaving the site, and no cross-window access. The
  generated API docs at ``/api/docs`` run Swagger UI (its files served by
  this app, `tutela.web.docs`) and get a policy that allows its scripts;
- an exception no handler took becomes `tutela.web.errors.unexpected_response`:
  503 with ``Retry-After`` when the database is busy, else a bare 500 (the
  shared error envelope on API paths, the error page elsewhere) that shows
  the request id; only the exception's type and place are logged, never
  its message (it may carry personal data).
"""

from __future__ import annotations

import logging
import secrets
import time
from typing import Final

from starlette.datastructures import MutableHeaders
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from tutela.logs import REQUEST_ID, raised_at
from tutela.store import taking_turns
from tutela.web._headers import DOCS_POLICY, DOCS_PREFIX, SECURITY_HEADERS
from tutela.web.errors import unexpected_response

log = logging.getLogger(__name__)

REQUEST_ID_HEADER: Final = "X-Request-Id"
# Methods whose requests change something (RFC 9110's unsafe methods).
WRITING_METHODS: Final = frozenset({"POST", "PUT", "PATCH", "DELETE"})


def _headers_for(path: str) -> list[tuple[str, str]]:
    headers = dict(SECURITY_HEADERS)
    if path == DOCS_PREFIX or path.startswith(DOCS_PREFIX + "/"):
        headers["Content-Security-Policy"] = DOCS_POLICY
    return list(headers.items())


def new_request_id() -> str:
    """A random id for one request: 16 hex digits, nothing derived from the request."""
    return secrets.token_hex(8)


class ResponseGuard:
    """ASGI middleware: request id, security headers, a bare 500 (or 503) on a crash."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        rid = new_request_id()
        scope.setdefault("state", {})["request_id"] = rid
        extra = [*_headers_for(scope.get("path", "")), (REQUEST_ID_HEADER, rid)]
        started = False
        status = 500

        async def send_secured(message: Message) -> None:
            nonlocal started, status
            if message["type"] == "http.response.start":
                started = True
                status = int(message["status"])
                headers = MutableHeaders(scope=message)
                for name, value in extra:
                    headers.setdefault(name, value)
            await send(message)

        token = REQUEST_ID.set(rid)
        began = time.monotonic()
        try:
            if scope.get("method", "GET") in WRITING_METHODS:
                with taking_turns(rid):
                    await self.app(scope, receive, send_secured)
            else:
                await self.app(scope, receive, send_secured)
        except Exception as exc:  # noqa: BLE001 - every failure gets an answer
            if started:
                # The client sees a cut-short response; the log says why.
                log.error(
                    "web.error_after_start request_id=%s error=%s at=%s",
                    rid,
                    type(exc).__name__,
                    raised_at(exc.__traceback__),
                )
                return
            response = unexpected_response(Request(scope), exc)
            await response(scope, receive, send_secured)
        finally:
            route = getattr(scope.get("route"), "path", "-")
            log.info(
                "web.request method=%s route=%s status=%d ms=%d",
                scope.get("method", "-"),
                route,
                status,
                (time.monotonic() - began) * 1000,
            )
            REQUEST_ID.reset(token)


__all__ = ["REQUEST_ID_HEADER", "ResponseGuard", "WRITING_METHODS", "new_request_id"]
